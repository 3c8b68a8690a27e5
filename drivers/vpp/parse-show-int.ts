/**
 * `vppctl show int`: a row at column 0 starts an interface (`name idx state [mtu] [counter value]`),
 * indented rows carry more `<counter name> <value>` pairs; zero counters are not printed.
 * VPP <= 18.x has no MTU column.
 */
import { outputFormatError, outputLines } from '../host/output-format-error.ts';

export interface VppInterface {
  readonly name: string;
  readonly swIfIndex: number;
  readonly up: boolean;
  /** L3/IP4/IP6/MPLS; absent on VPP <= 18.x. */
  readonly mtu?: readonly [number, number, number, number];
  /** 'rx packets', 'tx bytes', 'drops', 'rx-miss' ...; missing = 0. */
  readonly counters: Readonly<Record<string, number>>;
}

const TOOL = 'vppctl show int';
const ROW = /^(\S+)\s+(\d+)\s+(up|down)\s*(?:(\d+)\/(\d+)\/(\d+)\/(\d+))?\s*(.*)$/;

/** Parse `show int` (alias `show interface`). */
export function parseShowInt(text: string): VppInterface[] {
  const out: { name: string; swIfIndex: number; up: boolean; mtu?: [number, number, number, number]; counters: Record<string, number> }[] = [];
  const lines = outputLines(text);
  let sawHeader = false;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    if (/^\s+Name\s+Idx\s+State/.test(line)) {
      sawHeader = true;
      return;
    }
    if (!sawHeader) throw outputFormatError(TOOL, "the header '  Name  Idx  State ...'", line, i + 1);
    const addCounter = (rest: string): void => {
      const r = rest.trim();
      if (r === '') return;
      const c = /^(\S(?:.*\S)?)\s+(\d+)$/.exec(r);
      if (!c) throw outputFormatError(TOOL, "'<counter name> <count>'", line, i + 1);
      const cur = out[out.length - 1]!;
      cur.counters[c[1]!] = (cur.counters[c[1]!] ?? 0) + Number(c[2]);
    };
    if (/^\S/.test(line)) {
      const m = ROW.exec(line);
      if (!m) throw outputFormatError(TOOL, "'<name> <idx> up|down [mtu] [counter count]'", line, i + 1);
      out.push({
        name: m[1]!,
        swIfIndex: Number(m[2]),
        up: m[3] === 'up',
        ...(m[4] === undefined ? {} : { mtu: [Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7])] as [number, number, number, number] }),
        counters: {},
      });
      addCounter(m[8]!);
      return;
    }
    if (out.length === 0) throw outputFormatError(TOOL, 'an interface row before counter rows', line, i + 1);
    addCounter(line);
  });
  if (!sawHeader) throw outputFormatError(TOOL, "the header '  Name  Idx  State ...'", lines[0] ?? '(empty)');
  return out;
}
