/**
 * Statistics over repeated results: mean, sample standard deviation and the 95 % confidence interval of
 * the mean (Student's t), and an A/B comparison by Welch's unequal-variance t-test (Welch 1947), with a
 * relative tolerance as the documented fallback when a side has a single sample.
 * simple-statistics does the descriptive part; the t distribution is computed here (it has none).
 */
import { gammaln, mean as ssMean, sampleVariance } from 'simple-statistics';
import { ConfigError } from '../core/errors.ts';

export interface RepeatSummary {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n - 1); 0 for a single value. */
  readonly stdev: number;
  /** 95 % confidence interval of the mean; both equal the mean for a single value (no spread known). */
  readonly ci95Low: number;
  readonly ci95High: number;
}

/** n, mean, stdev and the 95 % confidence interval of the mean of repeated results. */
export function summarizeRepeats(values: readonly number[]): RepeatSummary {
  checkValues(values, 'summarizeRepeats');
  const n = values.length;
  const mean = ssMean(values as number[]);
  if (n < 2) return { n, mean, stdev: 0, ci95Low: mean, ci95High: mean };
  const stdev = Math.sqrt(sampleVariance(values as number[]));
  const half = studentTQuantile(0.975, n - 1) * (stdev / Math.sqrt(n));
  return { n, mean, stdev, ci95Low: mean - half, ci95High: mean + half };
}

export type Verdict = 'better' | 'worse' | 'same';

export interface CompareOptions {
  /** True for throughput (default), false for latency or loss. */
  readonly higherIsBetter?: boolean;
  /** Significance level of the t-test. Default 0.05. */
  readonly alpha?: number;
  /** Relative change judged "same" when a side has one sample only. Default 0.02 (2 %). */
  readonly tolerance?: number;
}

export interface Comparison {
  /** (mean(b) - mean(a)) / mean(a): b is the candidate, a the baseline. */
  readonly deltaRel: number;
  /** 95 % (1 - alpha) confidence interval of deltaRel; equal to deltaRel under the tolerance fallback. */
  readonly ciLow: number;
  readonly ciHigh: number;
  /** Two-sided p-value of Welch's t-test; null under the tolerance fallback. */
  readonly pValue: number | null;
  readonly verdict: Verdict;
  /** 'welch' or 'tolerance' (a single sample on a side: no variance, so no test). */
  readonly method: 'welch' | 'tolerance';
  /** One line for reports saying how the verdict was reached. */
  readonly note: string;
}

/** Compare candidate b with baseline a: relative change, its confidence interval, p-value and verdict. */
export function compareSamples(a: readonly number[], b: readonly number[], opts: CompareOptions = {}): Comparison {
  checkValues(a, 'compareSamples (baseline)');
  checkValues(b, 'compareSamples (candidate)');
  const higherIsBetter = opts.higherIsBetter ?? true;
  const alpha = opts.alpha ?? 0.05;
  const tolerance = opts.tolerance ?? 0.02;
  if (!(alpha > 0 && alpha < 1)) throw new ConfigError(`alpha ${alpha} is outside (0, 1)`, { where: 'compareSamples' });
  if (!(tolerance >= 0)) throw new ConfigError(`tolerance ${tolerance} must be >= 0`, { where: 'compareSamples' });
  const ma = ssMean(a as number[]);
  const mb = ssMean(b as number[]);
  if (ma === 0) {
    throw new ConfigError('baseline mean is 0: a relative change is undefined', { where: 'compareSamples', hint: 'compare absolute values instead' });
  }
  const deltaRel = (mb - ma) / Math.abs(ma);
  const direction = (d: number): Verdict => ((d > 0) === higherIsBetter ? 'better' : 'worse');

  if (a.length < 2 || b.length < 2) {
    const verdict: Verdict = Math.abs(deltaRel) <= tolerance ? 'same' : direction(deltaRel);
    return {
      deltaRel,
      ciLow: deltaRel,
      ciHigh: deltaRel,
      pValue: null,
      verdict,
      method: 'tolerance',
      note: `single sample on a side (n=${a.length} vs ${b.length}): no significance test, |change| <= ${(tolerance * 100).toFixed(1)} % counts as same`,
    };
  }
  const va = sampleVariance(a as number[]) / a.length;
  const vb = sampleVariance(b as number[]) / b.length;
  const se = Math.sqrt(va + vb);
  let pValue: number;
  let half: number;
  if (se === 0) {
    // No spread at all: any difference is certain, none is certainly none.
    pValue = mb === ma ? 1 : 0;
    half = 0;
  } else {
    // Welch–Satterthwaite degrees of freedom.
    const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
    const t = (mb - ma) / se;
    pValue = Math.min(1, 2 * (1 - studentTCdf(Math.abs(t), df)));
    half = studentTQuantile(1 - alpha / 2, df) * se;
  }
  const verdict: Verdict = pValue < alpha ? direction(deltaRel) : 'same';
  return {
    deltaRel,
    ciLow: (mb - ma - half) / Math.abs(ma),
    ciHigh: (mb - ma + half) / Math.abs(ma),
    pValue,
    verdict,
    method: 'welch',
    note: `Welch's t-test, n=${a.length} vs ${b.length}, p=${pValue.toPrecision(3)}, alpha=${alpha}`,
  };
}

/** CDF of Student's t distribution with df degrees of freedom (df may be fractional). */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new ConfigError(`degrees of freedom ${df} must be > 0`, { where: 'studentTCdf' });
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  const x = df / (df + t * t);
  const tail = 0.5 * regularizedIncompleteBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Inverse of studentTCdf, by bisection (monotone, smooth; 200 halvings reach double precision). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new ConfigError(`probability ${p} is outside (0, 1)`, { where: 'studentTQuantile' });
  let lo = -1e3;
  let hi = 1e3;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** I_x(a, b) by the continued fraction (Numerical Recipes 6.4, modified Lentz). */
function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(gammaln(a + b) - gammaln(a) - gammaln(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise.
  if (x > (a + 1) / (a + b + 2)) return 1 - regularizedIncompleteBeta(1 - x, b, a);
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let num = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    f *= d * c;
    num = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return (front * f) / a;
}

function checkValues(values: readonly number[], where: string): void {
  if (values.length === 0) throw new ConfigError('no values given', { where, hint: 'run at least one repeat' });
  for (const v of values) {
    if (!Number.isFinite(v)) throw new ConfigError(`value ${v} is not a finite number`, { where });
  }
}
