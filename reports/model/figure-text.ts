/**
 * Throughput figures as every report writes them, marks included: a bound at the search's max load is
 * "≥ X (max load, tester-limited)", an irregular one says so, an MRR the generator could not offer says
 * "generator-limited". One place, so the summary, JUnit, HTML and the progress line agree.
 */
import { fmtBlocked, fmtPct, fmtPps } from './format.ts';
import type { TrafficProfile } from '../../method/trial.ts';
import type { Failover, Mrr, ThroughputBound } from '../schema/record.ts';

/** "64 B", or an IMIX with its mix: "imix-7-4-1 (64:7, 570:4, 1518:1)". */
export function profileLabel(p: TrafficProfile): string {
  if (p.kind === 'fixed') return `${p.frameBytes} B`;
  return `${p.name} (${p.mix.map((e) => `${e.frameBytes}:${e.weight}`).join(', ')})`;
}

/** "4.213 Mpps", "≥ 11.831 Mpps (max load, tester-limited)", "2.009 Mpps (irregular: ...)". */
export function boundText(b: ThroughputBound): string {
  if (b.mark?.kind === 'max-load') return `≥ ${fmtPps(b.lowerBoundPps)} (max load, tester-limited)`;
  if (b.mark?.kind === 'irregular') return `${fmtPps(b.lowerBoundPps)} (irregular: ${b.mark.reason})`;
  return fmtPps(b.lowerBoundPps);
}

/**
 * The bound for a table cell: the mark's kind without its reason ("2.009 Mpps (irregular)"), for tables that
 * give the reason once, beside or below the cell (an irregular reason is a sentence or two).
 */
export function boundCellText(b: ThroughputBound): string {
  if (b.mark?.kind === 'irregular') return `${fmtPps(b.lowerBoundPps)} (irregular)`;
  return boundText(b);
}

/** Median of the MRR trials, with "generator-limited at X" when the generator could not offer the load. */
export function mrrText(m: Mrr): string {
  const med = median(m.receivedPps);
  const limited = m.boundedBy === 'generator' ? ` (generator-limited at ${fmtPps(m.limitedAtPps ?? med)})` : '';
  return `${fmtPps(med)}${limited}`;
}

/** Every failover event of a result on one line: "dut-restart: 0.492 s blocked, back in 0.50 s". */
export function failoverText(events: readonly Failover[]): string {
  return events
    .map((f) => `${f.event}: ${fmtBlocked(f)} blocked${f.recoveryS === undefined ? ', not back at the offered rate' : `, back in ${f.recoveryS.toFixed(2)} s`}`)
    .join('; ');
}

/** Median, range and coefficient of variation of repeats: "median 4.213 Mpps (4.1–4.3 Mpps, CV 1.2 %, n=3)". */
export function spreadText(samples: readonly number[]): string {
  if (samples.length === 0) return '–';
  if (samples.length === 1) return fmtPps(samples[0]!);
  const s = spread(samples);
  return `median ${fmtPps(s.median)} (${fmtPps(s.min)}–${fmtPps(s.max)}, CV ${fmtPct(s.cv)}, n=${s.n})`;
}

export interface Spread {
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Sample standard deviation over the mean (NaN for one sample). */
  readonly cv: number;
}

/** Median, min, max and coefficient of variation (repeatability) of repeated figures. */
export function spread(samples: readonly number[]): Spread {
  const n = samples.length;
  const mean = samples.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : Number.NaN;
  return { n, median: median(samples), min: Math.min(...samples), max: Math.max(...samples), cv: mean > 0 ? sd / mean : Number.NaN };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
