/**
 * MLRsearch controller (draft-ietf-bmwg-mlrsearch-15, published as RFC 9971; section numbers below are
 * the draft's). Pure: it only calls the injected Measurer (draft 4.9.1) and honours an AbortSignal.
 *
 * What the specification fixes (draft section 4): goals (4.6), load classification (4.7.2, Appendix A),
 * relevant bounds (4.8.1, 4.8.2), conditional throughput (4.8.3, Appendix B), regular vs irregular goal
 * results (4.8.4). How loads and durations are chosen is the controller's freedom (4.9.2); ours follows
 * the enhancements the draft lists in 1.1, as CSIT's implementation does:
 *  - every trial result is shared by all goals (enhancement 2; classification per goal, 4.7.2);
 *  - each goal gets a chain of coarser "targets" before the goal itself (enhancement 3): target k has
 *    2^k times the goal width (in grid steps, see Grid) and one trial decides it (its duration sum is
 *    its trial duration); trial durations grow geometrically from the Goal Initial Trial Duration
 *    (4.6.6) to the Goal Final Trial Duration (4.6.1) as targets get finer: short trials first;
 *  - bounds are initialised from the forwarding rate at the maximum offered load (FRMOL, enhancement 3);
 *  - of the candidate loads, the smallest among the coarsest targets is measured first (enhancement 4);
 *  - when a target is in focus, only the undecided loads its coarser target found relevant get more
 *    trials, and new loads split the bounds in powers of two of the target width.
 */
import { MeasurementError } from '../core/errors.ts';
import {
  classifyLoad,
  classifyLoadDetailed,
  conditionalThroughput,
  type ClassificationGoal,
  type ClassifiedTrial,
  type LoadClass,
} from './load-classification.ts';
import { validateGoals, type SearchGoal } from './search-goal.ts';
import type { Measure, TrialResult } from './trial.ts';

export interface MlrSearchOptions {
  readonly goals: readonly SearchGoal[];
  readonly measure: Measure;
  /** Min Load (draft 4.6.8.2): never measure below. */
  readonly minLoadPps: number;
  /** Max Load (draft 4.6.8.1): never measure above; usually the line rate. */
  readonly maxLoadPps: number;
  readonly signal?: AbortSignal;
  /** Called after every trial, e.g. to log progress or store raw results. */
  readonly onTrial?: (t: TrialResult) => void;
  /** Safety net against a measurer that never lets the search converge. Default 2000. */
  readonly maxTrials?: number;
}

/** Draft 4.8.4: one goal's result; `regular` is false when a bound is missing or too far from the other. */
export interface GoalResult {
  readonly goal: SearchGoal;
  /** Draft 4.8.3, computed at the relevant lower bound (at Max Load when that is a lower bound: irregular). */
  readonly conditionalThroughputPps: number | null;
  /** Draft 4.8.2 (Max Load, marked irregular, when Max Load is a lower bound). */
  readonly relevantLowerBoundPps: number | null;
  /** Draft 4.8.1. */
  readonly relevantUpperBoundPps: number | null;
  /** Draft 4.8.4.1: both bounds exist and are within the goal width. */
  readonly regular: boolean;
  /** Why the result is irregular, for the report; absent when regular. */
  readonly irregularReason?: string;
}

/** Draft 4.8.5 / 4.8.6: the controller output, plus every trial and their total duration. */
export interface SearchResult {
  readonly goals: GoalResult[];
  readonly trials: TrialResult[];
  /** Sum of the trial durations asked for (traffic time only, not setup or pauses). */
  readonly totalTrialDurationS: number;
}

/** A coarse or final target of one goal: what one step of the search tries to achieve. */
interface Target extends ClassificationGoal {
  readonly goalIndex: number;
  /** 0 is the goal itself; larger is coarser. */
  readonly coarseness: number;
  /** Width in grid steps: the goal's width for the goal itself, doubled per coarser target. */
  readonly units: number;
  readonly trialDurationS: number;
}

interface Measured {
  readonly loadPps: number;
  readonly trials: ClassifiedTrial[];
}

/**
 * Loads live on one geometric grid anchored at Max Load: position p is maxLoad * q^(top - p) with
 * q = 1 - (smallest goal width), so p = top is Max Load and one step is exactly the finest width.
 * Goals then share loads (their trials are reused, not duplicated at a load 1 pps away), and widths
 * are whole numbers of steps (CSIT's implementation discretises loads in the same spirit).
 */
interface Grid {
  readonly q: number;
  readonly top: number;
  readonly maxLoad: number;
  readonly loadAt: (p: number) => number;
  /** Highest position whose load is <= loadPps (clamped to the grid). */
  readonly floorPos: (loadPps: number) => number;
}

function makeGrid(minLoad: number, maxLoad: number, finestWidth: number): Grid {
  const q = 1 - finestWidth;
  // Lowest grid load must not go below Min Load (draft 4.6.8.2).
  // top = 0 when Min Load is within one width of Max Load: then Max Load is the only load.
  const top = Math.max(0, Math.floor(Math.log(minLoad / maxLoad) / Math.log(q) + 1e-9));
  const loadAt = (p: number): number => maxLoad * q ** (top - p);
  const floorPos = (loadPps: number): number => {
    if (!(loadPps > 0)) return 0;
    const p = top - Math.ceil(Math.log(loadPps / maxLoad) / Math.log(q) - 1e-9);
    return Math.min(top, Math.max(0, p));
  };
  return { q, top, maxLoad, loadAt, floorPos };
}

interface Bounds {
  /** Grid positions; null when absent. */
  readonly upper: number | null;
  readonly lower: number | null;
  /** Measured positions strictly between lower and upper that are still undecided, ascending. */
  readonly undecided: readonly number[];
}

type Step = { readonly done: true } | { readonly done: false; readonly pos: number; readonly durationS: number };

/** Run MLRsearch for all goals at once and return every goal's result and every trial. */
export async function mlrSearch(opts: MlrSearchOptions): Promise<SearchResult> {
  const goals = validateGoals(opts.goals, { minLoadPps: opts.minLoadPps, maxLoadPps: opts.maxLoadPps }, 'mlrSearch');
  const maxTrials = opts.maxTrials ?? 2000;
  const grid = makeGrid(opts.minLoadPps, opts.maxLoadPps, Math.min(...goals.map((g) => g.relativeWidth)));
  const targets = goals.map((g, i) => buildTargets(g, i, grid));
  const db = new Map<number, Measured>();
  const trials: TrialResult[] = [];
  let totalS = 0;

  const run = async (pos: number, durationS: number): Promise<void> => {
    const loadPps = grid.loadAt(pos);
    throwIfAborted(opts.signal);
    const result = await opts.measure(durationS, loadPps, opts.signal);
    throwIfAborted(opts.signal);
    checkResult(result, loadPps, durationS);
    trials.push(result);
    totalS += durationS;
    let m = db.get(pos);
    if (!m) {
      m = { loadPps, trials: [] };
      db.set(pos, m);
    }
    // Effective duration = the duration asked for (draft 4.5.8 default); the measurer's own rounding of
    // the window must not turn a full-length trial into a short one.
    m.trials.push({ durationS, effectiveDurationS: durationS, lossRatio: result.lossRatio });
    opts.onTrial?.(result);
  };

  // Initial trial at Max Load: its forwarding rate (FRMOL) seeds the first guess (draft 1.1, item 3).
  const firstDurationS = Math.min(...goals.map((g) => g.initialTrialDurationS));
  await run(grid.top, firstDurationS);
  const frmol = trials[0]!.receivedPps;
  if (Number.isFinite(frmol) && frmol < opts.maxLoadPps) {
    const guess = grid.floorPos(frmol);
    if (guess < grid.top) await run(guess, firstDurationS);
  }

  let stoppedEarly = false;
  for (;;) {
    if (trials.length >= maxTrials) {
      stoppedEarly = true;
      break;
    }
    let best: { pos: number; durationS: number; coarseness: number } | null = null;
    for (const chain of targets) {
      // The coarsest target of this goal that is not yet achieved is the goal's focus.
      for (let k = chain.length - 1; k >= 0; k--) {
        const target = chain[k]!;
        const step = nextStep(target, chain[k + 1], db, grid);
        if (step.done) continue;
        const better =
          best === null ||
          target.coarseness > best.coarseness ||
          (target.coarseness === best.coarseness && step.pos < best.pos);
        if (better) best = { pos: step.pos, durationS: step.durationS, coarseness: target.coarseness };
        break;
      }
    }
    if (best === null) break;
    await run(best.pos, best.durationS);
  }

  const goalResults = goals.map((goal, i) => {
    const r = goalResult(goal, targets[i]![0]!, db, grid);
    return stoppedEarly && !r.regular ? { ...r, irregularReason: `trial budget spent (maxTrials ${maxTrials}) before the goal was decided: ${r.irregularReason}` } : r;
  });
  return { goals: goalResults, trials, totalTrialDurationS: totalS };
}

/** The goal's chain of targets, coarsest last: index 0 is the goal itself. */
function buildTargets(goal: SearchGoal, goalIndex: number, grid: Grid): Target[] {
  // The goal width in whole grid steps (at least one: the grid step is the finest goal width).
  const units = Math.max(1, Math.floor(Math.log(1 - goal.relativeWidth) / Math.log(grid.q) + 1e-9));
  const base: Target = {
    goalIndex,
    coarseness: 0,
    units,
    trialDurationS: goal.finalTrialDurationS,
    lossRatio: goal.lossRatio,
    exceedRatio: goal.exceedRatio,
    finalTrialDurationS: goal.finalTrialDurationS,
    durationSumS: goal.durationSumS,
  };
  // Coarse targets, each twice as wide, until one is wider than half the range in steps.
  let count = 0;
  while (units * 2 ** (count + 1) < grid.top / 2) count++;
  const chain: Target[] = [base];
  for (let k = 1; k <= count; k++) {
    // Geometric interpolation of the trial duration: coarsest uses the initial duration.
    const fraction = 1 - k / count;
    const durationS = goal.initialTrialDurationS * (goal.finalTrialDurationS / goal.initialTrialDurationS) ** fraction;
    chain.push({
      ...base,
      coarseness: k,
      units: units * 2 ** k,
      trialDurationS: durationS,
      finalTrialDurationS: durationS,
      // One trial decides a coarse target; the goal's exceed ratio keeps majority semantics at shared loads.
      durationSumS: durationS,
    });
  }
  return chain;
}

/** Draft 4.8.1/4.8.2 for a target: smallest upper bound, largest lower bound below it (grid positions). */
function bounds(target: ClassificationGoal, db: Map<number, Measured>): Bounds {
  const classes = new Map<number, LoadClass>();
  let upper: number | null = null;
  for (const [pos, m] of db) {
    const c = classifyLoad(m.trials, target);
    classes.set(pos, c);
    if (c === 'upper' && (upper === null || pos < upper)) upper = pos;
  }
  let lower: number | null = null;
  for (const [pos, c] of classes) {
    if (c === 'lower' && (upper === null || pos < upper) && (lower === null || pos > lower)) lower = pos;
  }
  const undecided: number[] = [];
  for (const [pos, c] of classes) {
    if (c === 'undecided' && (lower === null || pos > lower) && (upper === null || pos < upper)) undecided.push(pos);
  }
  undecided.sort((a, b) => a - b);
  return { upper, lower, undecided };
}

/** What to measure next for a target, or done when the target is achieved (or cannot be improved). */
function nextStep(target: Target, coarser: Target | undefined, db: Map<number, Measured>, grid: Grid): Step {
  const { upper, lower, undecided } = bounds(target, db);
  const u = target.units;
  const at = (pos: number): Step => ({ done: false, pos, durationS: target.trialDurationS });
  // Loads that may still become either bound need more trials; smaller first (draft 1.1, item 4). Only
  // those the coarser (already achieved) target found relevant: others would cost a duration sum each
  // and could not narrow this target. Without a lower bound yet, the one nearest the upper bound.
  let pending = upper !== null && lower === null ? undecided[undecided.length - 1] : undecided[0];
  if (coarser) {
    const c = bounds(coarser, db);
    const near = undecided.filter((p) => (c.lower === null || p >= c.lower) && (c.upper === null || p <= c.upper));
    if (near.length > 0 || (upper !== null && lower !== null)) pending = near[0];
  }
  if (pending !== undefined) return at(pending);
  if (upper !== null && lower !== null) {
    const n = upper - lower;
    if (n <= u) return { done: true };
    // Keep the upper part a power of two of target widths: every later split is then exact and the
    // target ends after ceil(log2(n / u)) trials whatever their outcomes. With n <= 2u, one trial ends it.
    const m = n <= 2 * u ? u : u * 2 ** (Math.ceil(Math.log2(n / u)) - 1);
    return at(upper - m);
  }
  if (upper === null) {
    if (lower === null) return db.has(grid.top) ? { done: true } : at(grid.top);
    if (lower >= grid.top) return { done: true }; // Max Load is a lower bound: irregular, nothing above
    return at(Math.min(grid.top, lower + u));
  }
  // Only an upper bound: go below it by the width, or lower if the forwarding rate seen there says so.
  if (upper <= 0) return { done: true }; // the lowest load is an upper bound: irregular, nothing below
  const seen = db.get(upper)!;
  const forwarded = seen.loadPps * (1 - Math.max(...seen.trials.map((t) => t.lossRatio)));
  return at(Math.max(0, Math.min(upper - u, grid.floorPos(forwarded))));
}

function goalResult(goal: SearchGoal, target: Target, db: Map<number, Measured>, grid: Grid): GoalResult {
  const b = bounds(target, db);
  const upper = b.upper === null ? null : grid.loadAt(b.upper);
  const lower = b.lower === null ? null : grid.loadAt(b.lower);
  const ct = b.lower === null ? null : conditionalThroughput(lower!, db.get(b.lower)!.trials, target);
  const base = { goal, conditionalThroughputPps: ct, relevantLowerBoundPps: lower, relevantUpperBoundPps: upper };
  if (upper === null) {
    const reason = b.lower !== null && b.lower >= grid.top ? 'Max Load is a lower bound: the DUT was not saturated' : noUpperBound(target, db, b.lower);
    return { ...base, regular: false, irregularReason: reason };
  }
  if (lower === null) return { ...base, regular: false, irregularReason: 'no lower bound below the relevant upper bound (Min Load too high?)' };
  if (!(upper - lower <= goal.relativeWidth * upper * (1 + 1e-9))) {
    return { ...base, regular: false, irregularReason: 'bounds are further apart than the goal width' };
  }
  return { ...base, regular: true };
}

/**
 * Why no load is an upper bound, for a reader who sees lossy trials above the lower bound: a load is an
 * upper bound only when its high-loss trials exceed the goal's exceed ratio of the duration sum even if
 * every missing second were low-loss (draft 4.7.2, Appendix A), so one lossy short trial leaves it
 * undecided. Names the lowest such load and how much of what it needs it has.
 */
function noUpperBound(target: Target, db: Map<number, Measured>, lowerPos: number | null): string {
  const lossyAbove = [...db.entries()]
    .filter(([pos, m]) => (lowerPos === null || pos > lowerPos) && m.trials.some((t) => t.lossRatio > target.lossRatio))
    .sort(([a], [b]) => a - b);
  const first = lossyAbove[0];
  if (!first) return 'no upper bound found: no trial above the lower bound lost more than the goal loss ratio';
  const [, m] = first;
  const c = classifyLoadDetailed(m.trials, target);
  const highS = c.sums.fullLengthHighLossS + c.sums.shortHighLossS;
  const wholeS = Math.max(c.sums.fullLengthHighLossS + c.sums.fullLengthLowLossS, target.durationSumS);
  const s = (x: number) => `${Number(x.toFixed(2))} s`;
  return (
    `no upper bound confirmed: ${lossyAbove.length} load${lossyAbove.length > 1 ? 's' : ''} above the lower bound lost more than ${target.lossRatio * 100} % in some trials ` +
    `(lowest ${formatPps(m.loadPps)}: ${s(highS)} high-loss of ${s(m.trials.reduce((a, t) => a + t.durationS, 0))} measured), ` +
    `but an upper bound needs more than ${s(target.exceedRatio * wholeS)} high-loss of a ${s(wholeS)} duration sum (exceed ratio ${target.exceedRatio}): those loads are undecided`
  );
}

function formatPps(pps: number): string {
  return pps >= 1e6 ? `${(pps / 1e6).toFixed(3)} Mpps` : `${(pps / 1e3).toFixed(1)} kpps`;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('search aborted', 'AbortError');
}

function checkResult(r: TrialResult, loadPps: number, durationS: number): void {
  if (!(r.lossRatio >= 0 && r.lossRatio <= 1)) {
    throw new MeasurementError(`measurer returned loss ratio ${r.lossRatio} for ${loadPps} pps, ${durationS} s`, {
      where: 'mlrSearch',
      hint: 'the Measure implementation must return lossRatio in [0, 1] (lost / attempted)',
    });
  }
}
