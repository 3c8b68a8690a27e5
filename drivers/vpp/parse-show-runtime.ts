/**
 * `vppctl show runtime`: per-thread blocks (`Thread N name (lcore M)`, separated by dashes), node rows
 * `name state calls vectors suspends clocks vectors/call`. Names are cut at 30 characters, and the state
 * may contain a space, so rows are parsed from the right. Recorded from v25.06 (fixtures/vpp/): a VPP
 * without workers prints no `Thread` line; states of two words are quoted and cut to 12 characters
 * (`"event wait"`, `"not started`); a rate below 1 has no leading zero (`.14`).
 */
import { outputFormatError, outputLines } from '../host/output-format-error.ts';

export interface VppNodeRuntime {
  readonly name: string;
  readonly state: string;
  readonly calls: number;
  readonly vectors: number;
  readonly suspends: number;
  readonly clocks: number;
  readonly vectorsPerCall: number;
}

export interface VppThreadRuntime {
  readonly index: number;
  readonly name: string;
  readonly lcore?: number;
  readonly timeS?: number;
  /** "vector rates in": packets/s into the graph of this thread. */
  readonly vectorRateIn?: number;
  readonly vectorRateOut?: number;
  readonly vectorRateDrop?: number;
  readonly nodes: readonly VppNodeRuntime[];
}

const TOOL = 'vppctl show runtime';
const NUM = '([-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:e[-+]?\\d+)?)';
const ROW = new RegExp(`^(\\S.*?)\\s+("[^"]*?"?|[a-z-]+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+${NUM}\\s+${NUM}$`, 'i');

/** Parse `show runtime`. Output of a single-threaded VPP (no `Thread` header) is thread 0. */
export function parseShowRuntime(text: string): VppThreadRuntime[] {
  type T = { index: number; name: string; lcore?: number; timeS?: number; vectorRateIn?: number; vectorRateOut?: number; vectorRateDrop?: number; nodes: VppNodeRuntime[] };
  const threads: T[] = [];
  const current = (): T => {
    if (threads.length === 0) threads.push({ index: 0, name: 'vpp_main', nodes: [] });
    return threads[threads.length - 1]!;
  };
  outputLines(text).forEach((line, i) => {
    const t = line.trim();
    if (t === '' || /^-+$/.test(t)) return;
    let m: RegExpExecArray | null;
    if ((m = /^Thread (\d+) (\S+)(?: \(lcore (\d+)\))?$/.exec(t))) {
      threads.push({ index: Number(m[1]), name: m[2]!, ...(m[3] === undefined ? {} : { lcore: Number(m[3]) }), nodes: [] });
      return;
    }
    if ((m = /^Time ([\d.]+),/.exec(t))) {
      current().timeS = Number(m[1]);
      return;
    }
    if ((m = new RegExp(`^vector rates in ${NUM}, out ${NUM}, drop ${NUM}`).exec(t))) {
      const c = current();
      c.vectorRateIn = Number(m[1]);
      c.vectorRateOut = Number(m[2]);
      c.vectorRateDrop = Number(m[3]);
      return;
    }
    if (/^Name\s+State\s+Calls\s+Vectors/.test(t)) return;
    m = ROW.exec(t);
    if (!m) throw outputFormatError(TOOL, "'Thread N ...', 'Time ...', 'vector rates ...' or a node row '<name> <state> <calls> <vectors> <suspends> <clocks> <vectors/call>'", line, i + 1);
    current().nodes.push({
      name: m[1]!,
      state: m[2]!.replace(/"/g, '').trim(),
      calls: Number(m[3]),
      vectors: Number(m[4]),
      suspends: Number(m[5]),
      clocks: Number(m[6]),
      vectorsPerCall: Number(m[7]),
    });
  });
  if (threads.length === 0) throw outputFormatError(TOOL, 'at least one thread or node row', '(empty)');
  return threads;
}
