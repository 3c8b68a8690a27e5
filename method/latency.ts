/**
 * Latency math on the canonical log-linear histogram (method/histogram.ts): percentiles, summaries,
 * merging, the loads of the latency plan, and the tester's own bias.
 * Method: a low-rate stamped stream runs alongside the load at 0/10/50/90 % of PDR (CSIT's latency
 * tests; RFC 2544 section 26.2 measures latency at the throughput rate, CSIT adds the lower loads).
 */
import { ConfigError } from '../core/errors.ts';
import { bucketIndex, bucketLowerNs, bucketWidthNs, EMPTY_HISTOGRAM, type LatencyHistogram } from './histogram.ts';

export interface LatencySummary {
  readonly count: number;
  readonly minNs: number;
  readonly maxNs: number;
  readonly avgNs: number;
  readonly p50Ns: number;
  readonly p90Ns: number;
  readonly p99Ns: number;
  readonly p999Ns: number;
}

/** A summary with the tester's own latency taken out; the bias is kept so the record says what was done. */
export interface CorrectedLatencySummary extends LatencySummary {
  /** What was subtracted from every figure (the tester's own latency, e.g. its loopback p50). */
  readonly testerBiasNs: number;
}

/**
 * Percentiles by nearest rank: the value at rank ceil(p/100 * count). A value is reported as the middle
 * of its bucket, clamped to [minNs, maxNs], so 1-ns buckets (below 64 ns) are exact and p100 is the max.
 * Returns one value per requested p, in ns; NaN for an empty histogram.
 */
export function percentiles(h: LatencyHistogram, ps: readonly number[] = [50, 90, 99, 99.9]): number[] {
  for (const p of ps) {
    if (!(p >= 0 && p <= 100)) throw new ConfigError(`percentile ${p} is outside [0, 100]`, { where: 'percentiles' });
  }
  if (h.count <= 0) return ps.map(() => Number.NaN);
  return ps.map((p) => {
    const rank = Math.max(1, Math.ceil((p / 100) * h.count - 1e-9));
    let seen = 0;
    for (const [lowerNs, n] of h.buckets) {
      seen += n;
      if (seen >= rank) {
        const idx = bucketIndex(lowerNs);
        const mid = bucketLowerNs(idx) + (bucketWidthNs(idx) - 1) / 2;
        return Math.min(h.maxNs, Math.max(h.minNs, mid));
      }
    }
    return h.maxNs;
  });
}

/** p50/p90/p99/p99.9, min, max, average and count of a histogram (NaN figures when empty). */
export function summarize(h: LatencyHistogram): LatencySummary {
  const [p50Ns, p90Ns, p99Ns, p999Ns] = percentiles(h, [50, 90, 99, 99.9]) as [number, number, number, number];
  const empty = h.count <= 0;
  return {
    count: h.count,
    minNs: empty ? Number.NaN : h.minNs,
    maxNs: empty ? Number.NaN : h.maxNs,
    avgNs: empty ? Number.NaN : h.sumNs / h.count,
    p50Ns,
    p90Ns,
    p99Ns,
    p999Ns,
  };
}

/** Sum of histograms (e.g. both directions, or repeated trials); exact because buckets share one index function. */
export function mergeHistograms(...hs: readonly LatencyHistogram[]): LatencyHistogram {
  const counts = new Map<number, number>();
  let count = 0;
  let sumNs = 0;
  let minNs = Number.POSITIVE_INFINITY;
  let maxNs = Number.NEGATIVE_INFINITY;
  for (const h of hs) {
    if (h.scheme !== 'log-linear-32') {
      throw new ConfigError(`cannot merge histogram scheme "${String(h.scheme)}"`, { where: 'mergeHistograms', hint: 'only log-linear-32 is known' });
    }
    if (h.count <= 0) continue;
    for (const [lowerNs, n] of h.buckets) counts.set(lowerNs, (counts.get(lowerNs) ?? 0) + n);
    count += h.count;
    sumNs += h.sumNs;
    minNs = Math.min(minNs, h.minNs);
    maxNs = Math.max(maxNs, h.maxNs);
  }
  if (count === 0) return EMPTY_HISTOGRAM;
  const buckets = [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([l, n]) => [l, n] as const);
  return { scheme: 'log-linear-32', buckets, count, minNs, maxNs, sumNs };
}

/** Histogram of raw latency values in ns (negative values count as 0). */
export function histogramFromValues(valuesNs: Iterable<number>): LatencyHistogram {
  const counts = new Map<number, number>();
  let count = 0;
  let sumNs = 0;
  let minNs = Number.POSITIVE_INFINITY;
  let maxNs = Number.NEGATIVE_INFINITY;
  for (const raw of valuesNs) {
    if (!Number.isFinite(raw)) throw new ConfigError(`latency value ${raw} is not finite`, { where: 'histogramFromValues' });
    const v = Math.max(0, raw);
    const lower = bucketLowerNs(bucketIndex(v));
    counts.set(lower, (counts.get(lower) ?? 0) + 1);
    count++;
    sumNs += v;
    minNs = Math.min(minNs, v);
    maxNs = Math.max(maxNs, v);
  }
  if (count === 0) return EMPTY_HISTOGRAM;
  const buckets = [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([l, n]) => [l, n] as const);
  return { scheme: 'log-linear-32', buckets, count, minNs, maxNs, sumNs };
}

export interface LatencyLoad {
  /** Fraction of PDR, e.g. 0.5. */
  readonly fraction: number;
  /** Background load in pps; 0 means the stamped stream runs alone. */
  readonly loadPps: number;
}

/** The latency plan's background loads as fractions of the PDR (0 % = the stamped stream alone). */
export function latencyLoads(pdrPps: number, fractions: readonly number[] = [0, 0.1, 0.5, 0.9]): LatencyLoad[] {
  if (!(pdrPps > 0) || !Number.isFinite(pdrPps)) {
    throw new ConfigError(`PDR ${pdrPps} pps is not a positive rate`, { where: 'latencyLoads', hint: 'run the NDR/PDR search first; latency loads are fractions of its PDR' });
  }
  return fractions.map((fraction) => {
    if (!(fraction >= 0 && fraction <= 1)) throw new ConfigError(`load fraction ${fraction} is outside [0, 1]`, { where: 'latencyLoads' });
    return { fraction, loadPps: Math.round(pdrPps * fraction) };
  });
}

/**
 * The tester's own latency from a back-to-back run (generator port looped to itself, no DUT): its median.
 * Record it with every latency result; subtract it only when the report says so.
 */
export function testerBiasNs(loopback: LatencyHistogram): number {
  if (loopback.count <= 0) {
    throw new ConfigError('the loopback latency histogram is empty', { where: 'testerBiasNs', hint: 'run the stamped stream back-to-back first' });
  }
  return percentiles(loopback, [50])[0]!;
}

/** Subtract the tester's bias from every figure (not below 0) and record how much was subtracted. */
export function subtractBias(s: LatencySummary, biasNs: number): CorrectedLatencySummary {
  if (!(biasNs >= 0) || !Number.isFinite(biasNs)) throw new ConfigError(`tester bias ${biasNs} ns must be >= 0`, { where: 'subtractBias' });
  const sub = (v: number): number => (Number.isNaN(v) ? v : Math.max(0, v - biasNs));
  return {
    count: s.count,
    minNs: sub(s.minNs),
    maxNs: sub(s.maxNs),
    avgNs: sub(s.avgNs),
    p50Ns: sub(s.p50Ns),
    p90Ns: sub(s.p90Ns),
    p99Ns: sub(s.p99Ns),
    p999Ns: sub(s.p999Ns),
    testerBiasNs: biasNs,
  };
}
