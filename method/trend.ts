/**
 * Trend classification of a result history by minimum description length (MDL) grouping, the idea of
 * FD.io CSIT's jumpavg: of all partitions of the series into consecutive groups, each a population
 * with its own mean, take the one whose description (model + data) is shortest in bits. A jump is
 * reported only when it pays for its own description, so there is no hand-tuned threshold.
 *
 * The code (two-part MDL, Rissanen 1978, in the changepoint form of Lee 1997 / Davis et al. 2006):
 *   data:       N/2 * log2(RSS / N)                  Gaussian noise, one common variance (ML estimate)
 *   each mean:  log2(1 + range * sqrt(n_g) / sigma)  uniform over the data's range, stated to the
 *                                                    precision n_g values support (sigma / sqrt(n_g))
 *   each jump:  log2(N)                              where the next group starts
 * Every term is in the data's own units (ratios), so the result does not depend on scale.
 * For each group count k the partition of least RSS is found exactly (dynamic programming), then the
 * k of least total bits wins. The last group is compared with the one before it.
 */
import { ConfigError } from '../core/errors.ts';

export interface TrendGroup {
  /** Index of the first value of the group. */
  readonly start: number;
  /** Index one past the last value of the group. */
  readonly end: number;
  readonly mean: number;
  /** Population standard deviation of the group's values. */
  readonly stdev: number;
}

export type TrendLabel = 'regression' | 'progression' | 'normal';

export interface TrendResult {
  readonly groups: TrendGroup[];
  /** The last group against the previous one; 'normal' when the series is one group. */
  readonly last: TrendLabel;
  /** (mean of last group - mean of the previous) / mean of the previous; 0 for a single group. */
  readonly changeRel: number;
  /** Total description length of the chosen partition, bits (relative: constants dropped). */
  readonly bits: number;
}

export interface TrendOptions {
  /** True for throughput (default): a drop is a regression. False for latency. */
  readonly higherIsBetter?: boolean;
  /** Largest number of groups considered. Default: up to 12, fewer for short series. */
  readonly maxGroups?: number;
}

/** Group a series by MDL and label its last group regression, progression or normal. */
export function classifyTrend(values: readonly number[], opts: TrendOptions = {}): TrendResult {
  const n = values.length;
  if (n === 0) throw new ConfigError('empty series', { where: 'classifyTrend', hint: 'give at least one value' });
  for (const v of values) {
    if (!Number.isFinite(v)) throw new ConfigError(`value ${v} is not finite`, { where: 'classifyTrend' });
  }
  const higherIsBetter = opts.higherIsBetter ?? true;
  const kMax = Math.max(1, Math.min(opts.maxGroups ?? 12, Math.floor(n / 2)));

  // Prefix sums give the RSS of any slice in O(1). Values are centred first for numeric stability.
  const centre = values.reduce((s, v) => s + v, 0) / n;
  const s1 = new Float64Array(n + 1);
  const s2 = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const v = values[i]! - centre;
    s1[i + 1] = s1[i]! + v;
    s2[i + 1] = s2[i]! + v * v;
  }
  const rss = (a: number, b: number): number => {
    const m = b - a;
    const sum = s1[b]! - s1[a]!;
    return Math.max(0, s2[b]! - s2[a]! - (sum * sum) / m);
  };

  // best[k][j]: least RSS splitting values[0..j) into k groups; from[k][j]: where the last group starts.
  const best: Float64Array[] = [];
  const from: Int32Array[] = [];
  best[1] = new Float64Array(n + 1).fill(Number.POSITIVE_INFINITY);
  from[1] = new Int32Array(n + 1);
  for (let j = 1; j <= n; j++) best[1]![j] = rss(0, j);
  for (let k = 2; k <= kMax; k++) {
    const bk = new Float64Array(n + 1).fill(Number.POSITIVE_INFINITY);
    const fk = new Int32Array(n + 1);
    const prev = best[k - 1]!;
    for (let j = k; j <= n; j++) {
      for (let i = k - 1; i < j; i++) {
        const c = prev[i]! + rss(i, j);
        if (c < bk[j]!) {
          bk[j] = c;
          fk[j] = i;
        }
      }
    }
    best[k] = bk;
    from[k] = fk;
  }

  // A perfectly flat series has RSS 0: floor it at a tiny fraction of the scale so logs stay finite.
  const scale = Math.max(...values.map((v) => Math.abs(v)), 1e-300);
  const rssFloor = n * (scale * 1e-12) ** 2;
  const range = Math.max(...values) - Math.min(...values);
  let chosen: { k: number; bounds: number[]; bits: number } | null = null;
  for (let k = 1; k <= kMax; k++) {
    if (!Number.isFinite(best[k]![n]!)) continue;
    const bounds = [n];
    let j = n;
    for (let kk = k; kk > 1; kk--) {
      j = from[kk]![j]!;
      bounds.unshift(j);
    }
    bounds.unshift(0);
    const rssK = Math.max(best[k]![n]!, rssFloor);
    let bits = (n / 2) * Math.log2(rssK / n);
    // Each mean: uniform over the data's range, stated to the precision its group supports (sigma / sqrt(n_g)).
    const sigma = Math.sqrt(rssK / n);
    for (let g = 0; g < k; g++) bits += Math.log2(1 + (range * Math.sqrt(bounds[g + 1]! - bounds[g]!)) / sigma);
    bits += (k - 1) * Math.log2(n);
    if (chosen === null || bits < chosen.bits - 1e-9) chosen = { k, bounds, bits };
  }
  const { bounds, bits } = chosen!;

  const groups: TrendGroup[] = [];
  for (let g = 0; g + 1 < bounds.length; g++) {
    const start = bounds[g]!;
    const end = bounds[g + 1]!;
    const slice = values.slice(start, end);
    const mean = slice.reduce((s, v) => s + v, 0) / slice.length;
    const stdev = Math.sqrt(slice.reduce((s, v) => s + (v - mean) ** 2, 0) / slice.length);
    groups.push({ start, end, mean, stdev });
  }
  if (groups.length < 2) return { groups, last: 'normal', changeRel: 0, bits };
  const lastG = groups[groups.length - 1]!;
  const prevG = groups[groups.length - 2]!;
  const changeRel = prevG.mean === 0 ? 0 : (lastG.mean - prevG.mean) / Math.abs(prevG.mean);
  let last: TrendLabel = 'normal';
  if (lastG.mean !== prevG.mean) last = lastG.mean > prevG.mean === higherIsBetter ? 'progression' : 'regression';
  return { groups, last, changeRel, bits };
}
