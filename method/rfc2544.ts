/**
 * RFC 2544 throughput by binary search, for comparison with MLRsearch and for users who must cite RFC 2544.
 * RFC 2544 section 26.1 defines throughput as the fastest rate at which the count of frames received
 * equals the count sent (RFC 1242 section 3.17: no frame lost); section 24 asks for trials of at least
 * 60 s and mentions the "binary search"; draft-ietf-bmwg-mlrsearch-15 section 2.1 (and ETSI TST009
 * 12.3.2) describe the algorithm implemented here: one trial per load, bisect until the bounds are close.
 */
import { ConfigError, MeasurementError } from '../core/errors.ts';
import type { Measure, TrialResult } from './trial.ts';

export interface Rfc2544Options {
  readonly measure: Measure;
  readonly minLoadPps: number;
  readonly maxLoadPps: number;
  /** RFC 2544 section 24: at least 60 s for a compliant result. */
  readonly trialDurationS: number;
  /** Stop when upper - lower <= precisionPps (absolute). Give this or relativeWidth. */
  readonly precisionPps?: number;
  /** Stop when upper - lower <= relativeWidth * upper. Give this or precisionPps. */
  readonly relativeWidth?: number;
  /** A trial passes when its loss ratio is <= this. 0 (the default) is RFC 2544's throughput. */
  readonly lossTolerance?: number;
  readonly signal?: AbortSignal;
  readonly onTrial?: (t: TrialResult) => void;
}

export interface Rfc2544Result {
  /** Highest load that passed; null when even Min Load lost frames. */
  readonly throughputPps: number | null;
  /** Same as throughputPps: the highest passing load measured. */
  readonly lowerBoundPps: number | null;
  /** Lowest failing load measured; null when Max Load passed. */
  readonly upperBoundPps: number | null;
  readonly trials: TrialResult[];
  readonly totalTrialDurationS: number;
}

/** Binary search for the highest load whose single trial loses no more than lossTolerance. */
export async function rfc2544BinarySearch(opts: Rfc2544Options): Promise<Rfc2544Result> {
  const where = 'rfc2544BinarySearch';
  const { minLoadPps: min, maxLoadPps: max, trialDurationS } = opts;
  const tolerance = opts.lossTolerance ?? 0;
  if (!(min > 0) || !(max > min)) {
    throw new ConfigError(`load range [${min}, ${max}] pps is not valid`, { where, hint: 'need 0 < minLoadPps < maxLoadPps' });
  }
  if (!(trialDurationS > 0)) throw new ConfigError(`trialDurationS ${trialDurationS} must be > 0`, { where, hint: 'RFC 2544 asks for 60 s' });
  if (!(tolerance >= 0 && tolerance < 1)) throw new ConfigError(`lossTolerance ${tolerance} is outside [0, 1)`, { where, hint: '0 for RFC 2544 throughput, 0.005 for a PDR' });
  const { precisionPps, relativeWidth } = opts;
  if (precisionPps === undefined && relativeWidth === undefined) {
    throw new ConfigError('no stopping precision given', { where, hint: 'give precisionPps (absolute) or relativeWidth (e.g. 0.005)' });
  }
  if (precisionPps !== undefined && !(precisionPps > 0)) throw new ConfigError(`precisionPps ${precisionPps} must be > 0`, { where });
  if (relativeWidth !== undefined && !(relativeWidth > 0 && relativeWidth < 1)) {
    throw new ConfigError(`relativeWidth ${relativeWidth} is outside (0, 1)`, { where, hint: 'e.g. 0.005 for 0.5 %' });
  }
  const closeEnough = (lo: number, hi: number): boolean =>
    (precisionPps !== undefined && hi - lo <= precisionPps) ||
    (relativeWidth !== undefined && hi - lo <= relativeWidth * hi * (1 + 1e-9));

  const trials: TrialResult[] = [];
  let totalS = 0;
  const passes = async (loadPps: number): Promise<boolean> => {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new DOMException('search aborted', 'AbortError');
    const r = await opts.measure(trialDurationS, loadPps, opts.signal);
    if (!(r.lossRatio >= 0 && r.lossRatio <= 1)) {
      throw new MeasurementError(`measurer returned loss ratio ${r.lossRatio} at ${loadPps} pps`, { where, hint: 'lossRatio must be lost / attempted' });
    }
    trials.push(r);
    totalS += trialDurationS;
    opts.onTrial?.(r);
    return r.lossRatio <= tolerance;
  };

  // Max Load first: if it passes, the DUT forwards everything we can offer.
  if (await passes(max)) {
    return { throughputPps: max, lowerBoundPps: max, upperBoundPps: null, trials, totalTrialDurationS: totalS };
  }
  let lower: number | null = null; // highest passing load measured
  let hi = max; // lowest failing load measured
  let lo = min; // bisection floor; Min Load is not measured unless the search reaches it
  while (!closeEnough(lower ?? lo, hi)) {
    const mid = Math.round((lo + hi) / 2); // RFC 2544 practice: arithmetic midpoint (draft 2.1)
    if (mid <= lo || mid >= hi) break;
    if (await passes(mid)) {
      lower = mid;
      lo = mid;
    } else {
      hi = mid;
    }
  }
  // Never report an unmeasured load: if nothing passed, Min Load itself decides.
  if (lower === null) {
    if (hi > min && (await passes(min))) lower = min;
    else if (hi > min) hi = min;
  }
  return { throughputPps: lower, lowerBoundPps: lower, upperBoundPps: hi, trials, totalTrialDurationS: totalS };
}
