/**
 * Load classification and conditional throughput of MLRsearch, transcribed from
 * draft-ietf-bmwg-mlrsearch-15 (published as RFC 9971): Appendix A (load classification code) and
 * Appendix B (conditional throughput code), with the terms of sections 4.7.1 and 4.7.2.
 */

/** One trial as the classification sees it (draft 4.5.10 Trial Result, reduced). */
export interface ClassifiedTrial {
  /** Trial Duration (draft 4.5.1): the duration the controller asked for, seconds. */
  readonly durationS: number;
  /** Trial Effective Duration (draft 4.5.8): used in the sums; equals durationS unless the measurer says otherwise. */
  readonly effectiveDurationS: number;
  /** Trial Loss Ratio (draft 4.5.6). */
  readonly lossRatio: number;
}

/** The goal attributes the classification needs (draft 4.6.1 to 4.6.4). */
export interface ClassificationGoal {
  readonly lossRatio: number;
  readonly exceedRatio: number;
  readonly finalTrialDurationS: number;
  readonly durationSumS: number;
}

/** Draft 4.7.2: a load is an Upper Bound, a Lower Bound, or Undecided for a goal. */
export type LoadClass = 'upper' | 'lower' | 'undecided';

export interface DurationSums {
  readonly fullLengthLowLossS: number;
  readonly fullLengthHighLossS: number;
  readonly shortLowLossS: number;
  readonly shortHighLossS: number;
}

/** Sums of effective durations by trial class (draft 4.7.1: high-loss vs low-loss, short vs full-length). */
export function durationSums(trials: readonly ClassifiedTrial[], goal: ClassificationGoal): DurationSums {
  let fullLengthLowLossS = 0;
  let fullLengthHighLossS = 0;
  let shortLowLossS = 0;
  let shortHighLossS = 0;
  for (const t of trials) {
    // 4.7.1.1: high-loss means strictly larger loss ratio than the goal's.
    const high = t.lossRatio > goal.lossRatio;
    // 4.7.1.3/4: short means shorter than the Goal Final Trial Duration; longer ones count as full-length.
    const short = t.durationS < goal.finalTrialDurationS - 1e-9;
    if (short) {
      if (high) shortHighLossS += t.effectiveDurationS;
      else shortLowLossS += t.effectiveDurationS;
    } else if (high) fullLengthHighLossS += t.effectiveDurationS;
    else fullLengthLowLossS += t.effectiveDurationS;
  }
  return { fullLengthLowLossS, fullLengthHighLossS, shortLowLossS, shortHighLossS };
}

export interface LoadClassification {
  readonly result: LoadClass;
  /** Effective high-loss sum / effective whole sum (the draft's example tables list it). */
  readonly optimisticExceedRatio: number;
  /** Pessimistic high-loss sum / effective whole sum. */
  readonly pessimisticExceedRatio: number;
  readonly sums: DurationSums;
}

/** Appendix A: classify all trials done so far at one load against one goal. */
export function classifyLoad(trials: readonly ClassifiedTrial[], goal: ClassificationGoal): LoadClass {
  return classifyLoadDetailed(trials, goal).result;
}

/** Appendix A with its intermediate ratios, for reports and for checking against the draft's Appendix C. */
export function classifyLoadDetailed(trials: readonly ClassifiedTrial[], goal: ClassificationGoal): LoadClassification {
  const s = durationSums(trials, goal);
  const exceedCoefficient = goal.exceedRatio / (1 - goal.exceedRatio);
  // Short low-loss trials may only cancel short high-loss ones, never count as full-length low-loss time.
  const balancingS = s.shortLowLossS * exceedCoefficient;
  const positiveExcessS = Math.max(0, s.shortHighLossS - balancingS);
  const effectHighLossS = s.fullLengthHighLossS + positiveExcessS;
  const effectFullLengthS = s.fullLengthLowLossS + effectHighLossS;
  const effectWholeS = Math.max(effectFullLengthS, goal.durationSumS);
  const quantileDurationS = effectWholeS * goal.exceedRatio;
  // Pessimistic: every second still missing up to the duration sum turns out high-loss.
  const pessimisticHighLossS = effectWholeS - s.fullLengthLowLossS;
  const eps = 1e-9 * Math.max(1, effectWholeS);
  const pessimisticIsLower = pessimisticHighLossS <= quantileDurationS + eps;
  // Optimistic: every missing second turns out low-loss; still too much high-loss time means upper bound.
  const optimisticIsLower = effectHighLossS <= quantileDurationS + eps;
  const result: LoadClass = pessimisticIsLower ? 'lower' : optimisticIsLower ? 'undecided' : 'upper';
  return {
    result,
    optimisticExceedRatio: effectHighLossS / effectWholeS,
    pessimisticExceedRatio: pessimisticHighLossS / effectWholeS,
    sums: s,
  };
}

/**
 * Appendix B: the conditional throughput at a load, `loadPps * (1 - quantile loss ratio)` over the
 * full-length trials. Null when there is no full-length trial (the draft's code needs at least one).
 */
export function conditionalThroughput(
  loadPps: number,
  trials: readonly ClassifiedTrial[],
  goal: ClassificationGoal,
): number | null {
  const full = trials
    .filter((t) => t.durationS >= goal.finalTrialDurationS - 1e-9)
    .sort((a, b) => a.lossRatio - b.lossRatio);
  if (full.length === 0) return null;
  const fullLengthS = full.reduce((sum, t) => sum + t.effectiveDurationS, 0);
  const wholeS = Math.max(goal.durationSumS, fullLengthS);
  let remaining = wholeS * (1 - goal.exceedRatio);
  let quantileLossRatio: number | null = null;
  let exhausted = true;
  for (const t of full) {
    if (quantileLossRatio === null || remaining > 0) {
      quantileLossRatio = t.lossRatio;
      remaining -= t.effectiveDurationS;
    } else {
      exhausted = false;
      break;
    }
  }
  // The draft's for-else: ran out of trials while time was still "missing", assume the worst.
  if (exhausted && remaining > 1e-9) quantileLossRatio = 1;
  return loadPps * (1 - (quantileLossRatio ?? 1));
}
