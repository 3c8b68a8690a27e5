import { expect, test } from '@playwright/test';
import { ConfigError } from '../core/errors.ts';
import { NDR_GOAL, PDR_GOAL, defaultGoals, goalCode, parseGoals, quickGoals, validateGoals, type SearchGoal } from './search-goal.ts';

test('defaults are CSIT NDR and PDR', () => {
  expect(NDR_GOAL).toEqual({
    name: 'NDR',
    lossRatio: 0,
    exceedRatio: 0.5,
    relativeWidth: 0.005,
    initialTrialDurationS: 1,
    finalTrialDurationS: 1,
    durationSumS: 21,
  });
  expect(PDR_GOAL).toEqual({ ...NDR_GOAL, name: 'PDR', lossRatio: 0.005 });
  expect(validateGoals(defaultGoals())).toHaveLength(2);
  const quick = quickGoals();
  expect(validateGoals(quick).map((g) => g.name)).toEqual(['NDR', 'PDR']);
  expect(quick.every((g) => g.durationSumS < NDR_GOAL.durationSumS)).toBe(true);
});

const bad: Array<[string, Partial<SearchGoal>, RegExp]> = [
  ['negative loss ratio', { lossRatio: -0.1 }, /lossRatio -0.1 is outside \[0, 1\)/],
  ['loss ratio 1', { lossRatio: 1 }, /lossRatio 1 is outside/],
  ['exceed ratio 1', { exceedRatio: 1 }, /exceedRatio 1 is outside \[0, 1\)/],
  ['zero width', { relativeWidth: 0 }, /relativeWidth 0 is outside \(0, 1\)/],
  ['NaN width', { relativeWidth: Number.NaN }, /relativeWidth must be a finite number, got NaN/],
  ['zero final duration', { finalTrialDurationS: 0 }, /finalTrialDurationS 0 must be > 0/],
  ['initial longer than final', { initialTrialDurationS: 5, finalTrialDurationS: 1 }, /initialTrialDurationS 5 is longer than finalTrialDurationS 1/],
  ['sum shorter than final trial', { durationSumS: 0.5 }, /durationSumS 0.5 is shorter than finalTrialDurationS 1/],
  ['empty name', { name: ' ' }, /goal name is empty/],
];

for (const [what, patch, message] of bad) {
  test(`rejects ${what} with a clear message`, () => {
    const goal = { ...NDR_GOAL, ...patch };
    let caught: unknown;
    try {
      validateGoals([goal], undefined, 'goals.yaml');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const err = caught as ConfigError;
    expect(err.what).toMatch(message);
    expect(err.where).toContain('goals.yaml[0]');
    expect(err.hint).toBeTruthy();
    expect(err.exitCode).toBe(2);
  });
}

test('rejects no goals, duplicate names and a bad load range', () => {
  expect(() => validateGoals([])).toThrow(/no search goal given/);
  expect(() => validateGoals([NDR_GOAL, { ...PDR_GOAL, name: 'NDR' }])).toThrow(/duplicate goal name "NDR"/);
  expect(() => validateGoals([NDR_GOAL], { minLoadPps: 0, maxLoadPps: 10 })).toThrow(/minLoadPps 0 must be a positive number/);
  expect(() => validateGoals([NDR_GOAL], { minLoadPps: 10, maxLoadPps: 10 })).toThrow(/maxLoadPps 10 must be larger than minLoadPps 10/);
  expect(validateGoals([NDR_GOAL], { minLoadPps: 1, maxLoadPps: 10 })).toHaveLength(1);
});

test('goals from config: CSIT defaults filled in, unknown keys and wrong types refused with a path', () => {
  expect(parseGoals([{ name: 'NDR', lossRatio: 0 }, { name: 'PDR', lossRatio: 0.005 }])).toEqual([NDR_GOAL, PDR_GOAL]);
  expect(parseGoals([{ name: 'slow', lossRatio: 0, finalTrialDurationS: 60, durationSumS: 60 }])[0]!.initialTrialDurationS).toBe(60);
  expect(() => parseGoals([{ name: 'NDR', lossRatio: 0, width: 0.01 }], 'lab.yaml: goals')).toThrow(/lab.yaml: goals\[0\]/);
  expect(() => parseGoals([{ name: 'NDR', lossRatio: '0' }])).toThrow(ConfigError);
  expect(() => parseGoals({ name: 'NDR' })).toThrow(ConfigError);
  // Semantic checks still run after parsing.
  expect(() => parseGoals([{ name: 'NDR', lossRatio: 2 }], 'cli --goal')).toThrow(/cli --goal\[0\] \(NDR\): lossRatio 2 is outside/);
});

test("goal codes in the draft's notation", () => {
  expect(goalCode(NDR_GOAL)).toBe('1f21d0l50e');
  expect(goalCode(PDR_GOAL)).toBe('1f21d.5l50e');
  expect(goalCode({ ...NDR_GOAL, finalTrialDurationS: 60, durationSumS: 120 })).toBe('60f120d0l50e');
  expect(goalCode({ ...PDR_GOAL, finalTrialDurationS: 60, durationSumS: 60, exceedRatio: 0.2 })).toBe('60f60d.5l20e');
});
