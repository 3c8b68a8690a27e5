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
 *    width goalWidth * 2^k, one trial decides it (duration sum = its trial duration), and its trial
 *    duration grows geometrically from the Goal Initial Trial Duration (4.6.6) to the Goal Final Trial
 *    Duration (4.6.1) as targets get finer, so short trials come first and long ones as bounds narrow;
 *  - bounds are initialised from the forwarding rate at the maximum offered load (FRMOL, enhancement 3);
 *  - of the candidate loads, the smallest among the coarsest targets is measured first (enhancement 4).
 */
import { MeasurementError } from '../core/errors.ts';
import {
  classifyLoad,
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
  readonly relativeWidth: number;
  readonly trialDurationS: number;
}

interface Measured {
  readonly loadPps: number;
  readonly trials: ClassifiedTrial[];
}

interface Bounds {
  readonly upper: number | null;
  readonly lower: number | null;
  /** Measured loads strictly between lower and upper that are still undecided. */
  readonly undecided: readonly number[];
}

type Step = { readonly done: true } | { readonly done: false; readonly loadPps: number; readonly durationS: number };

/** Run MLRsearch for all goals at once and return every goal's result and every trial. */
export async function mlrSearch(opts: MlrSearchOptions): Promise<SearchResult> {
  const goals = validateGoals(opts.goals, { minLoadPps: opts.minLoadPps, maxLoadPps: opts.maxLoadPps }, 'mlrSearch');
  const maxTrials = opts.maxTrials ?? 2000;
  // Whole pps, so that every load is a stable map key.
  const minLoad = Math.max(1, Math.ceil(opts.minLoadPps));
  const maxLoad = Math.max(minLoad, Math.floor(opts.maxLoadPps));
  const targets = goals.map((g, i) => buildTargets(g, i, minLoad, maxLoad));
  const db = new Map<number, Measured>();
  const trials: TrialResult[] = [];
  let totalS = 0;

  const run = async (loadPps: number, durationS: number): Promise<void> => {
    throwIfAborted(opts.signal);
    const result = await opts.measure(durationS, loadPps, opts.signal);
    throwIfAborted(opts.signal);
    checkResult(result, loadPps, durationS);
    trials.push(result);
    totalS += durationS;
    let m = db.get(loadPps);
    if (!m) {
      m = { loadPps, trials: [] };
      db.set(loadPps, m);
    }
    // Effective duration = the duration asked for (draft 4.5.8 default); the measurer's own rounding of
    // the window must not turn a full-length trial into a short one.
    m.trials.push({ durationS, effectiveDurationS: durationS, lossRatio: result.lossRatio });
    opts.onTrial?.(result);
  };

  // Initial trial at Max Load: its forwarding rate (FRMOL) seeds the first guess (draft 1.1, item 3).
  const firstDurationS = Math.min(...goals.map((g) => g.initialTrialDurationS));
  await run(maxLoad, firstDurationS);
  const frmol = trials[0]!.receivedPps;
  if (Number.isFinite(frmol) && frmol < maxLoad) {
    const guess = roundLoad(clamp(frmol, minLoad, maxLoad));
    if (guess < maxLoad) await run(guess, firstDurationS);
  }

  for (;;) {
    if (trials.length >= maxTrials) break;
    let best: { load: number; durationS: number; coarseness: number } | null = null;
    for (const chain of targets) {
      // The coarsest target of this goal that is not yet achieved is the goal's focus.
      for (const target of [...chain].reverse()) {
        const step = nextStep(target, db, minLoad, maxLoad);
        if (step.done) continue;
        const better =
          best === null ||
          target.coarseness > best.coarseness ||
          (target.coarseness === best.coarseness && step.loadPps < best.load);
        if (better) best = { load: step.loadPps, durationS: step.durationS, coarseness: target.coarseness };
        break;
      }
    }
    if (best === null) break;
    await run(best.load, best.durationS);
  }

  const goalResults = goals.map((goal, i) => goalResult(goal, targets[i]![0]!, db, maxLoad));
  return { goals: goalResults, trials, totalTrialDurationS: totalS };
}

/** The goal's chain of targets, coarsest last: index 0 is the goal itself. */
function buildTargets(goal: SearchGoal, goalIndex: number, minLoad: number, maxLoad: number): Target[] {
  const base: Target = {
    goalIndex,
    coarseness: 0,
    relativeWidth: goal.relativeWidth,
    trialDurationS: goal.finalTrialDurationS,
    lossRatio: goal.lossRatio,
    exceedRatio: goal.exceedRatio,
    finalTrialDurationS: goal.finalTrialDurationS,
    durationSumS: goal.durationSumS,
  };
  // Coarse targets until the width covers the whole load range (then one trial per bound is enough).
  const rangeWidth = (maxLoad - minLoad) / maxLoad;
  let count = 0;
  while (goal.relativeWidth * 2 ** (count + 1) < Math.min(0.5, rangeWidth)) count++;
  const chain: Target[] = [base];
  for (let k = 1; k <= count; k++) {
    // Geometric interpolation of the trial duration: coarsest uses the initial duration.
    const fraction = 1 - k / count;
    const durationS = goal.initialTrialDurationS * (goal.finalTrialDurationS / goal.initialTrialDurationS) ** fraction;
    chain.push({
      ...base,
      coarseness: k,
      relativeWidth: goal.relativeWidth * 2 ** k,
      trialDurationS: durationS,
      finalTrialDurationS: durationS,
      // One trial decides a coarse target; the goal's exceed ratio keeps majority semantics at shared loads.
      durationSumS: durationS,
    });
  }
  return chain;
}

/** Draft 4.8.1/4.8.2 for a target: smallest upper bound, largest lower bound below it. */
function bounds(target: ClassificationGoal, db: Map<number, Measured>): Bounds & { classes: Map<number, LoadClass> } {
  const classes = new Map<number, LoadClass>();
  let upper: number | null = null;
  for (const m of db.values()) {
    const c = classifyLoad(m.trials, target);
    classes.set(m.loadPps, c);
    if (c === 'upper' && (upper === null || m.loadPps < upper)) upper = m.loadPps;
  }
  let lower: number | null = null;
  for (const [load, c] of classes) {
    if (c === 'lower' && (upper === null || load < upper) && (lower === null || load > lower)) lower = load;
  }
  const undecided: number[] = [];
  for (const [load, c] of classes) {
    if (c === 'undecided' && (lower === null || load > lower) && (upper === null || load < upper)) undecided.push(load);
  }
  undecided.sort((a, b) => a - b);
  return { upper, lower, undecided, classes };
}

function widthMet(lower: number, upper: number, relativeWidth: number): boolean {
  return upper - lower <= relativeWidth * upper * (1 + 1e-9);
}

/** What to measure next for a target, or done when the target is achieved (or cannot be improved). */
function nextStep(target: Target, db: Map<number, Measured>, minLoad: number, maxLoad: number): Step {
  const { upper, lower, undecided } = bounds(target, db);
  const w = target.relativeWidth;
  const at = (loadPps: number): Step => ({ done: false, loadPps, durationS: target.trialDurationS });
  // Loads that may still become either bound need more trials; smaller first (draft 1.1, item 4).
  const pending = undecided[0];
  if (pending !== undefined) return at(pending);
  if (upper !== null && lower !== null) {
    if (widthMet(lower, upper, w)) return { done: true };
    // If one trial can finish the target whatever its outcome, place it so; else halve (geometric mean).
    let candidate = upper * (1 - w);
    if (!(candidate >= lower && widthMet(lower, candidate, w))) candidate = Math.sqrt(lower * upper);
    candidate = roundLoad(candidate);
    if (candidate <= lower || candidate >= upper) return { done: true }; // no load left in between
    return at(candidate);
  }
  if (upper === null) {
    if (lower === null) return db.has(maxLoad) ? { done: true } : at(maxLoad);
    if (lower >= maxLoad) return { done: true }; // Max Load is a lower bound: irregular, nothing above
    return at(roundLoad(Math.min(maxLoad, lower / (1 - w))));
  }
  // Only an upper bound: go below it, at most by the width, and not above the forwarding rate seen there.
  if (upper <= minLoad) return { done: true }; // Min Load is an upper bound: irregular, nothing below
  const seen = db.get(upper)!.trials;
  const forwarded = upper * (1 - Math.max(...seen.map((t) => t.lossRatio)));
  const candidate = roundLoad(Math.max(minLoad, Math.min(upper * (1 - w), forwarded)));
  if (candidate >= upper) return { done: true };
  return at(candidate);
}

function goalResult(goal: SearchGoal, target: Target, db: Map<number, Measured>, maxLoad: number): GoalResult {
  const { upper, lower } = bounds(target, db);
  const ct = lower === null ? null : conditionalThroughput(lower, db.get(lower)!.trials, target);
  const base = { goal, conditionalThroughputPps: ct, relevantLowerBoundPps: lower, relevantUpperBoundPps: upper };
  if (upper === null) {
    const reason = lower !== null && lower >= maxLoad ? 'Max Load is a lower bound: the DUT was not saturated' : 'no upper bound found';
    return { ...base, regular: false, irregularReason: reason };
  }
  if (lower === null) return { ...base, regular: false, irregularReason: 'no lower bound below the relevant upper bound (Min Load too high?)' };
  if (!widthMet(lower, upper, goal.relativeWidth)) {
    return { ...base, regular: false, irregularReason: 'bounds are further apart than the goal width' };
  }
  return { ...base, regular: true };
}

/** Loads are whole packets per second, so a load measured twice is the same key. */
function roundLoad(loadPps: number): number {
  return Math.max(1, Math.round(loadPps));
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
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
