/**
 * pktgen's port counters in both shapes (driver-formats §1.4):
 *  - up to 25.08: `pktgen.portStats(pl, "port")` → `{[pid]={ipackets, opackets, ibytes, obytes, ierrors, oerrors, rx_nombuf, imissed}, n}`
 *  - 26.02: `pktgen.portStats(pl)` → `{[pid]={curr={...same...}, sizes={...}, qstats={...}}, n}`
 * Totals since the last clear; rates are computed by the driver from deltas.
 */
import { outputFormatError } from '../../host/output-format-error.ts';
import type { LuaTable, LuaValue } from './lua-table.ts';

export type PortStatsShape = 'flat' | 'nested';

export interface PortCounters {
  readonly ipackets: number;
  readonly opackets: number;
  readonly ibytes: number;
  readonly obytes: number;
  readonly ierrors: number;
  readonly oerrors: number;
  readonly rxNombuf: number;
  readonly imissed: number;
}

export interface PortStats {
  readonly shape: PortStatsShape;
  /** Port id → counters. */
  readonly ports: ReadonlyMap<number, PortCounters>;
}

const TOOL = 'pktgen portStats';
const FIELDS = ['ipackets', 'opackets', 'ibytes', 'obytes', 'ierrors', 'oerrors', 'rx_nombuf', 'imissed'] as const;

const isTable = (v: LuaValue | undefined): v is LuaTable => typeof v === 'object' && v !== null;

/** Normalise a portStats table of either version; every port must carry every counter. */
export function normalizePortStats(t: LuaTable): PortStats {
  const ports = new Map<number, PortCounters>();
  let shape: PortStatsShape | undefined;
  for (const [key, v] of Object.entries(t)) {
    if (key === 'n') {
      if (typeof v !== 'number') throw outputFormatError(TOOL, "'n' = <number of ports>", String(v));
      continue;
    }
    if (!/^\d+$/.test(key) || !isTable(v)) throw outputFormatError(TOOL, `[<port id>] = { ... } instead of [${key}]`, JSON.stringify(v).slice(0, 80));
    const thisShape: PortStatsShape = isTable(v['curr']) ? 'nested' : 'flat';
    if (shape && shape !== thisShape) throw outputFormatError(TOOL, `the same shape for every port (${shape})`, key);
    shape = thisShape;
    const src = thisShape === 'nested' ? (v['curr'] as LuaTable) : v;
    const get = (f: (typeof FIELDS)[number]): number => {
      const x = src[f];
      if (typeof x !== 'number') throw outputFormatError(TOOL, `a number for port ${key} ${thisShape === 'nested' ? 'curr.' : ''}${f}`, JSON.stringify(x ?? null));
      return x;
    };
    ports.set(Number(key), {
      ipackets: get('ipackets'),
      opackets: get('opackets'),
      ibytes: get('ibytes'),
      obytes: get('obytes'),
      ierrors: get('ierrors'),
      oerrors: get('oerrors'),
      rxNombuf: get('rx_nombuf'),
      imissed: get('imissed'),
    });
  }
  const n = t['n'];
  if (typeof n === 'number' && n < ports.size) throw outputFormatError(TOOL, `at most n=${n} ports`, String(ports.size));
  if (ports.size === 0) throw outputFormatError(TOOL, 'at least one port entry', JSON.stringify(t).slice(0, 80));
  return { shape: shape!, ports };
}
