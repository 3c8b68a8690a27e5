/**
 * `ovs-appctl dpif-netdev/pmd-stats-show` in its three generations (driver-formats §6.3):
 *  - OVS <= 2.9: tab-indented `emc hits:N`, `miss:N`, `lost:N`, `polling cycles:N (x%)`;
 *  - OVS 2.10 … 3.x: two-space-indented `packets received: N`, `emc hits: N`, `miss with success upcall: N`,
 *    optional `main thread:` block, phwol/mfex/simple-match lines in newer ones;
 *  - OVS 4.0+: `pmd-stats-show` is an alias of `pmd-perf-show` (`Iterations:`, `Rx packets:`, `- EMC hits:` …).
 * All are normalised to one per-thread record; fields a version does not print are absent.
 */
import { outputFormatError, outputLines } from '../host/output-format-error.ts';

export type PmdStatsFormat = 'ovs-2.9' | 'ovs-2.10-3.x' | 'ovs-4.0-perf';

export interface PmdThreadStats {
  /** "pmd 0/2" (numa/core) or "main". */
  readonly thread: string;
  readonly numaId?: number;
  readonly coreId?: number;
  readonly packetsReceived?: number;
  readonly recirculations?: number;
  readonly emcHits?: number;
  readonly smcHits?: number;
  readonly megaflowHits?: number;
  readonly simpleMatchHits?: number;
  readonly phwolHits?: number;
  /** Upcalls that succeeded (2.9: `miss`). */
  readonly missSuccess?: number;
  /** Upcalls that failed (2.9: `lost`). */
  readonly missFailed?: number;
  readonly idleCycles?: number;
  readonly processingCycles?: number;
  readonly avgCyclesPerPacket?: number;
  readonly avgProcessingCyclesPerPacket?: number;
  readonly txPackets?: number;
  /** Every `key: value` as printed (value text). */
  readonly raw: Readonly<Record<string, string>>;
}

export interface PmdStats {
  readonly format: PmdStatsFormat;
  readonly threads: readonly PmdThreadStats[];
}

const TOOL = 'ovs-appctl dpif-netdev/pmd-stats-show';
const HEADER = /^pmd thread numa_id (\d+|<cleared>) core_id (\d+|<cleared>):$/;

/** Detect the format and parse. */
export function parsePmdStats(text: string): PmdStats {
  const lines = outputLines(text);
  if (lines.some((l) => /^\s*Iterations:/.test(l))) return { format: 'ovs-4.0-perf', threads: parsePerf(lines) };
  const gen1 = lines.some((l) => /^\s*(emc hits|megaflow hits|miss|lost|polling cycles):\S/.test(l));
  const threads: { head: string; raw: Record<string, string> }[] = [];
  lines.forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t === '--') return;
    if (HEADER.test(t) || t === 'main thread:') {
      threads.push({ head: t, raw: {} });
      return;
    }
    const m = /^([a-z][a-z0-9. ]*?):\s*(\S.*)$/.exec(t);
    const cur = threads[threads.length - 1];
    if (!cur) throw outputFormatError(TOOL, "'pmd thread numa_id N core_id N:' or 'main thread:'", line, i + 1);
    if (!m) throw outputFormatError(TOOL, "'<counter>: <value>'", line, i + 1);
    cur.raw[m[1]!] = m[2]!;
  });
  if (threads.length === 0) throw outputFormatError(TOOL, 'at least one thread block', lines[0] ?? '(empty)');
  return {
    format: gen1 ? 'ovs-2.9' : 'ovs-2.10-3.x',
    threads: threads.map(({ head, raw }) => {
      const num = (key: string): number | undefined => {
        const v = raw[key];
        if (v === undefined) return undefined;
        const m = /^(-?\d+(?:\.\d+)?)/.exec(v);
        if (!m) throw outputFormatError(TOOL, `a number for '${key}'`, v);
        return Number(m[1]);
      };
      const h = HEADER.exec(head);
      const numa = h && h[1] !== '<cleared>' ? Number(h[1]) : undefined;
      const core = h && h[2] !== '<cleared>' ? Number(h[2]) : undefined;
      const fields: Partial<Record<keyof PmdThreadStats, number | undefined>> = {
        packetsReceived: num('packets received'),
        recirculations: num('packet recirculations'),
        emcHits: num('emc hits'),
        smcHits: num('smc hits'),
        megaflowHits: num('megaflow hits'),
        simpleMatchHits: num('simple match hits'),
        phwolHits: num('phwol hits'),
        missSuccess: num('miss with success upcall') ?? num('miss'),
        missFailed: num('miss with failed upcall') ?? num('lost'),
        idleCycles: num('idle cycles') ?? num('polling cycles'),
        processingCycles: num('processing cycles'),
        avgCyclesPerPacket: num('avg cycles per packet'),
        avgProcessingCyclesPerPacket: num('avg processing cycles per packet'),
      };
      // 2.9 has no 'packets received': the hits and misses add up to it
      if (gen1 && fields.packetsReceived === undefined)
        fields.packetsReceived = (fields.emcHits ?? 0) + (fields.megaflowHits ?? 0) + (fields.missSuccess ?? 0) + (fields.missFailed ?? 0);
      return {
        thread: h ? `pmd ${h[1]}/${h[2]}` : 'main',
        ...(numa === undefined ? {} : { numaId: numa }),
        ...(core === undefined ? {} : { coreId: core }),
        ...definedOnly(fields),
        raw,
      } as PmdThreadStats;
    }),
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** pmd-perf-show: `Time:`/`Measurement duration:` header, then per thread `Key:  N  (...)` and `- Key: N (...)`. */
function parsePerf(lines: string[]): PmdThreadStats[] {
  const threads: { head: string; raw: Record<string, string> }[] = [];
  lines.forEach((line, i) => {
    const t = line.trim();
    if (t === '') return;
    if (HEADER.test(t) || t === 'main thread:') {
      threads.push({ head: t, raw: {} });
      return;
    }
    const m = /^(?:- )?([A-Za-z][A-Za-z .]*?):\s+(\S.*)$/.exec(t);
    if (!m) throw outputFormatError(TOOL + ' (pmd-perf-show format)', "'<Key>: <value> (...)'", line, i + 1);
    const cur = threads[threads.length - 1];
    if (!cur) {
      if (m[1] === 'Time' || m[1] === 'Measurement duration') return;
      throw outputFormatError(TOOL + ' (pmd-perf-show format)', "'Time:', 'Measurement duration:' or a thread header", line, i + 1);
    }
    cur.raw[m[1]!] = m[2]!;
  });
  return threads.map(({ head, raw }) => {
    const num = (key: string): number | undefined => {
      const v = raw[key];
      if (v === undefined) return undefined;
      const m = /^(\d+)/.exec(v);
      if (!m) throw outputFormatError(TOOL + ' (pmd-perf-show format)', `a number for '${key}'`, v);
      return Number(m[1]);
    };
    const h = HEADER.exec(head);
    const cyclesPerPkt = /(\d+) cycles\/pkt/.exec(raw['Rx packets'] ?? '')?.[1];
    const fields = {
      packetsReceived: num('Rx packets'),
      emcHits: num('EMC hits'),
      smcHits: num('SMC hits'),
      megaflowHits: num('Megaflow hits'),
      simpleMatchHits: num('Simple Match hits'),
      phwolHits: num('PHWOL hits'),
      missSuccess: num('Upcalls'),
      missFailed: num('Lost upcalls'),
      txPackets: num('Tx packets'),
      avgCyclesPerPacket: cyclesPerPkt === undefined ? undefined : Number(cyclesPerPkt),
    };
    return {
      thread: h ? `pmd ${h[1]}/${h[2]}` : 'main',
      ...(h ? { numaId: Number(h[1]), coreId: Number(h[2]) } : {}),
      ...definedOnly(fields),
      raw,
    } as PmdThreadStats;
  });
}

/** Packets received by all threads (PMDs and main). */
export function totalPacketsReceived(stats: PmdStats): number {
  return stats.threads.reduce((s, t) => s + (t.packetsReceived ?? 0), 0);
}
