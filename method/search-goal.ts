/**
 * Search goals of MLRsearch (draft-ietf-bmwg-mlrsearch, section 4.6 "Search Goal"), validated.
 * One search may carry several goals (section 4.6.9): NDR and PDR are the usual pair.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';

export interface SearchGoal {
  /** Label used in records and reports, e.g. "NDR" or "PDR". */
  readonly name: string;
  /** Goal Loss Ratio (draft 4.6.3): a trial with a higher loss ratio is a high-loss trial. 0 <= x < 1. */
  readonly lossRatio: number;
  /** Goal Exceed Ratio (draft 4.6.4): share of the duration sum that may be high-loss at a lower bound. 0 <= x < 1. */
  readonly exceedRatio: number;
  /** Goal Width (draft 4.6.5) as a fraction of the upper bound: the search stops when upper-lower <= width*upper. */
  readonly relativeWidth: number;
  /** Goal Initial Trial Duration (draft 4.6.6, optional there): duration of the first, cheap trials, seconds. */
  readonly initialTrialDurationS: number;
  /** Goal Final Trial Duration (draft 4.6.1): the shortest trial that counts fully for this goal, seconds. */
  readonly finalTrialDurationS: number;
  /** Goal Duration Sum (draft 4.6.2): trial seconds needed at a load before it is decided for this goal. */
  readonly durationSumS: number;
}

/** CSIT's NDR defaults: zero loss, 0.5 % width, 1 s final trials, 21 s duration sum, exceed ratio 0.5. */
export const NDR_GOAL: SearchGoal = Object.freeze({
  name: 'NDR',
  lossRatio: 0,
  exceedRatio: 0.5,
  relativeWidth: 0.005,
  initialTrialDurationS: 1,
  finalTrialDurationS: 1,
  durationSumS: 21,
});

/** CSIT's PDR defaults: like NDR but 0.5 % loss is tolerated. */
export const PDR_GOAL: SearchGoal = Object.freeze({ ...NDR_GOAL, name: 'PDR', lossRatio: 0.005 });

/** NDR and PDR for short local runs: wider (2 %), 0.5 s trials, 2 s duration sum. Not CSIT-comparable. */
export function quickGoals(): SearchGoal[] {
  const quick = { relativeWidth: 0.02, initialTrialDurationS: 0.5, finalTrialDurationS: 0.5, durationSumS: 2 };
  return [
    { ...NDR_GOAL, ...quick },
    { ...PDR_GOAL, ...quick },
  ];
}

/** The default goal pair, CSIT's NDR and PDR. */
export function defaultGoals(): SearchGoal[] {
  return [{ ...NDR_GOAL }, { ...PDR_GOAL }];
}

/**
 * Throw ConfigError unless every goal is usable and the load range is sane; returns the goals.
 * `where` names the origin (a file path, a flag) for the message.
 */
export function validateGoals(
  goals: readonly SearchGoal[],
  range?: { readonly minLoadPps: number; readonly maxLoadPps: number },
  where = 'search goals',
): readonly SearchGoal[] {
  if (goals.length === 0) {
    throw new ConfigError('no search goal given', { where, hint: 'give at least one goal, e.g. NDR_GOAL and PDR_GOAL' });
  }
  const names = new Set<string>();
  goals.forEach((g, i) => {
    const at = `${where}[${i}]${g.name ? ` (${g.name})` : ''}`;
    const fail = (what: string, hint: string): never => {
      throw new ConfigError(what, { where: at, hint });
    };
    if (typeof g.name !== 'string' || g.name.trim() === '') fail('goal name is empty', 'name each goal, e.g. "NDR"');
    if (names.has(g.name)) fail(`duplicate goal name "${g.name}"`, 'goal names must be unique within one search');
    names.add(g.name);
    const finite = (key: keyof SearchGoal): number => {
      const v = g[key];
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${key} must be a finite number, got ${String(v)}`, 'check the goal definition');
      return v as number;
    };
    const loss = finite('lossRatio');
    if (loss < 0 || loss >= 1) fail(`lossRatio ${loss} is outside [0, 1)`, 'a loss ratio is a fraction: 0 for NDR, 0.005 for PDR');
    const exceed = finite('exceedRatio');
    if (exceed < 0 || exceed >= 1) fail(`exceedRatio ${exceed} is outside [0, 1)`, 'CSIT uses 0.5; 0 means any high-loss trial disqualifies a load');
    const width = finite('relativeWidth');
    if (width <= 0 || width >= 1) fail(`relativeWidth ${width} is outside (0, 1)`, 'a relative width is a fraction of the upper bound, e.g. 0.005 for 0.5 %');
    const init = finite('initialTrialDurationS');
    const fin = finite('finalTrialDurationS');
    const sum = finite('durationSumS');
    if (init <= 0) fail(`initialTrialDurationS ${init} must be > 0`, 'use e.g. 1 (seconds)');
    if (fin <= 0) fail(`finalTrialDurationS ${fin} must be > 0`, 'use e.g. 1 (seconds)');
    if (init > fin) fail(`initialTrialDurationS ${init} is longer than finalTrialDurationS ${fin}`, 'initial trials are the short ones; make initial <= final');
    if (sum < fin) fail(`durationSumS ${sum} is shorter than finalTrialDurationS ${fin}`, 'the duration sum must allow at least one final trial');
  });
  if (range) {
    const { minLoadPps, maxLoadPps } = range;
    if (!Number.isFinite(minLoadPps) || minLoadPps <= 0) {
      throw new ConfigError(`minLoadPps ${minLoadPps} must be a positive number`, { where, hint: 'give the lowest load worth trying, e.g. 10000 pps' });
    }
    if (!Number.isFinite(maxLoadPps) || maxLoadPps <= minLoadPps) {
      throw new ConfigError(`maxLoadPps ${maxLoadPps} must be larger than minLoadPps ${minLoadPps}`, {
        where,
        hint: 'maxLoadPps is usually the line rate of the link for the frame size',
      });
    }
  }
  return goals;
}

/** Shape of a goal in config files: name and loss ratio required, the rest defaults to CSIT's values. */
export const searchGoalSchema = z
  .object({
    name: z.string(),
    lossRatio: z.number(),
    exceedRatio: z.number().default(NDR_GOAL.exceedRatio),
    relativeWidth: z.number().default(NDR_GOAL.relativeWidth),
    initialTrialDurationS: z.number().optional(),
    finalTrialDurationS: z.number().default(NDR_GOAL.finalTrialDurationS),
    durationSumS: z.number().default(NDR_GOAL.durationSumS),
  })
  .strict();

/** Parse goals from untrusted input (YAML, JSON, flags) and validate them; ConfigError on any problem. */
export function parseGoals(input: unknown, where = 'search goals'): SearchGoal[] {
  const parsed = z.array(searchGoalSchema).safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw new ConfigError(`${issue.message}`, {
      where: `${where}${path}`,
      hint: 'a goal is { name, lossRatio, exceedRatio?, relativeWidth?, initialTrialDurationS?, finalTrialDurationS?, durationSumS? }',
    });
  }
  // The initial duration defaults to the final one (draft 4.6.6: "a typical default value").
  const goals = parsed.data.map((g) => ({ ...g, initialTrialDurationS: g.initialTrialDurationS ?? g.finalTrialDurationS }));
  validateGoals(goals, undefined, where);
  return goals;
}

/**
 * Short code of a goal in the draft's notation (Appendix C.1): final duration "f", duration sum "d",
 * loss ratio in percent "l", exceed ratio in percent "e"; e.g. CSIT's PDR is "1f21d.5l50e".
 */
export function goalCode(goal: SearchGoal): string {
  const num = (x: number): string => {
    const t = String(Number(x.toPrecision(6)));
    return t.startsWith('0.') ? t.slice(1) : t;
  };
  return `${num(goal.finalTrialDurationS)}f${num(goal.durationSumS)}d${num(goal.lossRatio * 100)}l${num(goal.exceedRatio * 100)}e`;
}
