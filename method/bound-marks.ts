/**
 * What bounded a figure. A throughput figure is a property of the DUT only when the DUT limited it: an
 * MRR the generator could not even offer is the generator's figure, and a search whose maximum load was
 * still a lower bound never saturated the DUT (MLRsearch draft 4.8.1-4.8.2: there is no relevant upper
 * bound; 4.8.4.2: irregular results "MUST be clearly marked"). Pure: the suites record what this says.
 */
import type { GoalResult } from './mlrsearch.ts';

/** One MRR trial as the bound needs it: the load asked for, what the generator attempted, what came back. */
export interface MrrTrialRates {
  readonly offeredPps: number;
  readonly receivedPps: number;
}

export type MrrBound =
  | { readonly boundedBy: 'dut' }
  /** The generator attempted well below the requested load and the DUT forwarded nearly all of it. */
  | { readonly boundedBy: 'generator'; readonly limitedAtPps: number };

/** Attempted below this share of the requested load: the generator could not offer it. */
export const GENERATOR_SHORTFALL = 0.9;
/** Received at least this share of what was attempted: the DUT kept up with what it was given. */
export const FORWARDED_NEARLY_ALL = 0.98;

/**
 * What bounded an MRR requested at `requestedPps` (medians over its trials): `generator` when the generator
 * attempted less than 90 % of it and the DUT forwarded at least 98 % of what it did attempt, so that the
 * received rate says how fast the generator was, not the DUT; otherwise `dut`.
 */
export function mrrBound(requestedPps: number, trials: readonly MrrTrialRates[]): MrrBound {
  if (trials.length === 0) throw new RangeError('mrrBound needs at least one trial');
  const attempted = median(trials.map((t) => t.offeredPps));
  const received = median(trials.map((t) => t.receivedPps));
  if (attempted < GENERATOR_SHORTFALL * requestedPps && received >= FORWARDED_NEARLY_ALL * attempted) {
    return { boundedBy: 'generator', limitedAtPps: attempted };
  }
  return { boundedBy: 'dut' };
}

/** Why a search bound is not a measured property of the DUT (the record's `mark`). */
export interface BoundMark {
  readonly kind: 'max-load' | 'irregular';
  readonly reason: string;
}

/** Where the search's maximum load came from, for the mark's reason ("generator self-test ceiling, 64 B"). */
export interface MaxLoadBasis {
  readonly loadPps: number;
  readonly basis: string;
}

/**
 * The mark of one goal's result: `max-load` when the maximum load itself was a lower bound (the figure is
 * "≥ max load", limited by the tester or the line), `irregular` with MLRsearch's reason for any other
 * irregular result, none for a regular one.
 */
export function boundMark(g: GoalResult, maxLoad: MaxLoadBasis): BoundMark | undefined {
  if (g.regular) return undefined;
  const lower = g.relevantLowerBoundPps;
  // The search grid's top is the max load; a lower bound there (within rounding) has nothing above it.
  if (g.relevantUpperBoundPps === null && lower !== null && lower >= maxLoad.loadPps * (1 - 1e-9)) {
    return { kind: 'max-load', reason: `the max load ${mpps(maxLoad.loadPps)} (${maxLoad.basis}) met the goal: the DUT was not saturated` };
  }
  return { kind: 'irregular', reason: g.irregularReason ?? 'irregular search result' };
}

function mpps(pps: number): string {
  return `${(pps / 1e6).toFixed(3)} Mpps`;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
