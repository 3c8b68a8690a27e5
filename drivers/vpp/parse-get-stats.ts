/**
 * `vpp_get_stats dump <patterns>` lines (recorded from v25.06):
 *   `[<idx> @ <thread>]: <n> packets <name>` · `[<idx> @ <thread>]: <n> packets, <b> bytes <name>` ·
 *   `<float> <name>` (scalar) · `[<idx>]: <string> <name>` (name vector, e.g. /if/names).
 * Counter names may contain spaces: error counters are `/err/<node>/<reason>`, e.g.
 * `/err/ethernet-input/l3 mac mismatch`; zero counters are printed too.
 */
import { outputFormatError, outputLines } from '../host/output-format-error.ts';

export type StatLine =
  | { readonly kind: 'simple'; readonly index: number; readonly thread: number; readonly packets: number; readonly name: string }
  | { readonly kind: 'combined'; readonly index: number; readonly thread: number; readonly packets: number; readonly bytes: number; readonly name: string }
  | { readonly kind: 'scalar'; readonly value: number; readonly name: string }
  | { readonly kind: 'name'; readonly index: number; readonly value: string; readonly name: string };

const TOOL = 'vpp_get_stats dump';

/** Parse every line of a dump. */
export function parseGetStatsDump(text: string): StatLine[] {
  const out: StatLine[] = [];
  outputLines(text).forEach((line, i) => {
    const t = line.trim();
    if (t === '') return;
    let m: RegExpExecArray | null;
    if ((m = /^\[(\d+) @ (\d+)\]: (\d+) packets, (\d+) bytes (\/.+)$/.exec(t)))
      out.push({ kind: 'combined', index: Number(m[1]), thread: Number(m[2]), packets: Number(m[3]), bytes: Number(m[4]), name: m[5]! });
    else if ((m = /^\[(\d+) @ (\d+)\]: (\d+) packets (\/.+)$/.exec(t)))
      out.push({ kind: 'simple', index: Number(m[1]), thread: Number(m[2]), packets: Number(m[3]), name: m[4]! });
    else if ((m = /^\[(\d+)\]: (.+) (\/\S+)$/.exec(t))) out.push({ kind: 'name', index: Number(m[1]), value: m[2]!, name: m[3]! });
    else if ((m = /^(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?) (\/\S+)$/.exec(t))) out.push({ kind: 'scalar', value: Number(m[1]), name: m[2]! });
    else throw outputFormatError(TOOL, "'[idx @ thread]: N packets[, B bytes] /name', '[idx]: <value> /name' or '<number> /name'", line, i + 1);
  });
  return out;
}

export interface InterfaceCounters {
  readonly name: string;
  readonly rxPackets: number;
  readonly rxBytes: number;
  readonly txPackets: number;
  readonly txBytes: number;
  readonly drops: number;
  readonly rxMiss: number;
  readonly txError: number;
}

/** Sum `/if/*` counters over threads per sw_if_index, named by `/if/names`. */
export function interfaceCounters(lines: readonly StatLine[]): Map<number, InterfaceCounters> {
  const acc = new Map<number, { name: string; rxPackets: number; rxBytes: number; txPackets: number; txBytes: number; drops: number; rxMiss: number; txError: number }>();
  const get = (idx: number) => {
    let e = acc.get(idx);
    if (!e) acc.set(idx, (e = { name: `sw_if_index ${idx}`, rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, drops: 0, rxMiss: 0, txError: 0 }));
    return e;
  };
  for (const l of lines) {
    if (l.kind === 'name' && l.name === '/if/names') get(l.index).name = l.value;
    else if (l.kind === 'combined' && (l.name === '/if/rx' || l.name === '/if/tx')) {
      const e = get(l.index);
      if (l.name === '/if/rx') (e.rxPackets += l.packets), (e.rxBytes += l.bytes);
      else (e.txPackets += l.packets), (e.txBytes += l.bytes);
    } else if (l.kind === 'simple') {
      const e = get(l.index);
      if (l.name === '/if/drops') e.drops += l.packets;
      else if (l.name === '/if/rx-miss') e.rxMiss += l.packets;
      else if (l.name === '/if/tx-error') e.txError += l.packets;
    }
  }
  return acc;
}

/** Error counters (`/err/<node>/<reason>`, symlinks into /node/errors) summed over threads, non-zero only, keyed `<node>/<reason>`. */
export function errorCounters(lines: readonly StatLine[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of lines) {
    if (l.kind !== 'simple' || !l.name.startsWith('/err/') || l.packets === 0) continue;
    const key = l.name.slice('/err/'.length);
    out.set(key, (out.get(key) ?? 0) + l.packets);
  }
  return out;
}
