import { expect, test } from '@playwright/test';
import { ConfigError, MeasurementError } from '../core/errors.ts';
import { createDutModel, mulberry32 } from '../fixtures/dut-model.ts';
import { mlrSearch } from './mlrsearch.ts';
import { NDR_GOAL, PDR_GOAL, quickGoals, type SearchGoal } from './search-goal.ts';
import type { Measure, TrialResult } from './trial.ts';

const MIN = 100_000;
const MAX = 14_880_952; // 10GE line rate at 64 B

// Three noise levels: per-trial capacity jitter (relative stdev) and stalls per trial second.
const levels = [
  { name: 'noiseless', noise: 0, burstProbabilityPerS: 0 },
  { name: 'low noise', noise: 0.001, burstProbabilityPerS: 0.001 },
  { name: 'high noise', noise: 0.0025, burstProbabilityPerS: 0.002 },
];

/** A model per seed: capacity anywhere from 1 to 14 Mpps, every third one collapsing under overload. */
function modelFor(seed: number, level: (typeof levels)[number]) {
  const capacityPps = 1e6 + mulberry32(seed * 7919)() * 13e6;
  return createDutModel({ capacityPps, seed, ...level, overloadCollapse: seed % 3 === 0 ? 0.5 : 0 });
}

for (const level of levels) {
  test(`NDR and PDR land within the goal width of the truth in >= 95 % of 100 seeds (${level.name})`, async () => {
    const hits = { NDR: 0, PDR: 0 };
    const misses: string[] = [];
    for (let seed = 1; seed <= 100; seed++) {
      const model = modelFor(seed, level);
      const r = await mlrSearch({ goals: [NDR_GOAL, PDR_GOAL], measure: model.measure, minLoadPps: MIN, maxLoadPps: MAX });
      for (const g of r.goals) {
        const truth = model.truthPps(g.goal);
        const lower = g.relevantLowerBoundPps;
        expect(g.regular, `seed ${seed} ${g.goal.name}: ${g.irregularReason}`).toBe(true);
        expect(lower).not.toBeNull();
        // A regular result keeps its promise: the bounds are within the goal width (draft 4.8.4.1).
        expect(g.relevantUpperBoundPps! - lower!).toBeLessThanOrEqual(g.goal.relativeWidth * g.relevantUpperBoundPps! * (1 + 1e-9));
        if (Math.abs(lower! - truth) <= g.goal.relativeWidth * truth) hits[g.goal.name as 'NDR' | 'PDR']++;
        else misses.push(`seed ${seed} ${g.goal.name}: ${lower!.toFixed(0)} vs truth ${truth.toFixed(0)}`);
      }
    }
    expect(hits.NDR, misses.join('\n')).toBeGreaterThanOrEqual(95);
    expect(hits.PDR, misses.join('\n')).toBeGreaterThanOrEqual(95);
  });
}

test('noiseless: NDR bound is exact to the width and never above the truth, PDR not below NDR', async () => {
  for (let seed = 1; seed <= 20; seed++) {
    const model = modelFor(seed, levels[0]!);
    const r = await mlrSearch({ goals: [NDR_GOAL, PDR_GOAL], measure: model.measure, minLoadPps: MIN, maxLoadPps: MAX });
    const [ndr, pdr] = r.goals;
    const truth = model.truthPps(NDR_GOAL);
    // Without noise a lower bound is a load that really forwards everything, an upper bound one that does not.
    expect(ndr!.relevantLowerBoundPps!).toBeLessThanOrEqual(truth);
    expect(ndr!.relevantUpperBoundPps!).toBeGreaterThan(truth);
    expect(ndr!.conditionalThroughputPps).toBe(ndr!.relevantLowerBoundPps);
    expect(pdr!.relevantLowerBoundPps!).toBeGreaterThanOrEqual(ndr!.relevantLowerBoundPps!);
    // PDR's conditional throughput is a forwarding rate: at most the load, at least 99.5 % of it.
    expect(pdr!.conditionalThroughputPps!).toBeLessThanOrEqual(pdr!.relevantLowerBoundPps!);
    expect(pdr!.conditionalThroughputPps!).toBeGreaterThanOrEqual(pdr!.relevantLowerBoundPps! * 0.995);
  }
});

test('returns every trial it ran, reports each through onTrial, and sums their durations', async () => {
  const model = modelFor(7, levels[2]!);
  const seen: TrialResult[] = [];
  const r = await mlrSearch({ goals: [NDR_GOAL, PDR_GOAL], measure: model.measure, minLoadPps: MIN, maxLoadPps: MAX, onTrial: (t) => seen.push(t) });
  expect(r.trials).toEqual(seen);
  expect(r.trials.length).toBe(model.trialCount());
  expect(r.totalTrialDurationS).toBeCloseTo(r.trials.reduce((s, t) => s + t.spec.durationS, 0), 9);
  for (const t of r.trials) {
    expect(t.spec.loadPps).toBeGreaterThanOrEqual(MIN);
    expect(t.spec.loadPps).toBeLessThanOrEqual(MAX);
  }
  // The first trial is at Max Load (its forwarding rate seeds the search).
  expect(r.trials[0]!.spec.loadPps).toBe(MAX);
});

test('one search for both goals shares trials: cheaper than two searches', async () => {
  let shared = 0;
  let separate = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const both = await mlrSearch({ goals: [NDR_GOAL, PDR_GOAL], measure: modelFor(seed, levels[1]!).measure, minLoadPps: MIN, maxLoadPps: MAX });
    shared += both.totalTrialDurationS;
    for (const g of [NDR_GOAL, PDR_GOAL]) {
      const one = await mlrSearch({ goals: [g], measure: modelFor(seed, levels[1]!).measure, minLoadPps: MIN, maxLoadPps: MAX });
      separate += one.totalTrialDurationS;
    }
  }
  expect(shared).toBeLessThan(separate * 0.85);
});

test('short trials first: initial duration at the start, final duration where the bounds are decided', async () => {
  const goals: SearchGoal[] = [NDR_GOAL, PDR_GOAL].map((g) => ({ ...g, initialTrialDurationS: 0.1 }));
  const model = modelFor(11, levels[0]!);
  const r = await mlrSearch({ goals, measure: model.measure, minLoadPps: MIN, maxLoadPps: MAX });
  const durations = r.trials.map((t) => t.spec.durationS);
  expect(durations[0]).toBeCloseTo(0.1, 9);
  expect(durations.slice(0, 5).every((d) => d < 1)).toBe(true);
  expect(durations[durations.length - 1]).toBe(1);
  // Each relevant bound got at least half the duration sum of final-duration trials (exceed ratio 0.5).
  for (const g of r.goals) {
    for (const load of [g.relevantLowerBoundPps, g.relevantUpperBoundPps]) {
      const fullS = r.trials.filter((t) => t.spec.loadPps === load && t.spec.durationS >= 1).reduce((s, t) => s + t.spec.durationS, 0);
      expect(fullS, `${g.goal.name} at ${load}`).toBeGreaterThanOrEqual(10.5);
    }
  }
});

test('irregular results: DUT faster than Max Load, or slower than Min Load', async () => {
  const fast = createDutModel({ capacityPps: 20e6, seed: 1 });
  const r1 = await mlrSearch({ goals: [NDR_GOAL], measure: fast.measure, minLoadPps: MIN, maxLoadPps: MAX });
  expect(r1.goals[0]).toMatchObject({ regular: false, relevantLowerBoundPps: MAX, relevantUpperBoundPps: null, conditionalThroughputPps: MAX });
  expect(r1.goals[0]!.irregularReason).toMatch(/Max Load is a lower bound/);

  const slow = createDutModel({ capacityPps: 50_000, seed: 1 });
  const r2 = await mlrSearch({ goals: [NDR_GOAL], measure: slow.measure, minLoadPps: MIN, maxLoadPps: MAX });
  expect(r2.goals[0]).toMatchObject({ regular: false, relevantLowerBoundPps: null, conditionalThroughputPps: null });
  expect(r2.goals[0]!.relevantUpperBoundPps!).toBeGreaterThanOrEqual(MIN);
  expect(r2.goals[0]!.relevantUpperBoundPps!).toBeLessThan(MIN * 1.01);
});

test('honours the AbortSignal between and inside trials', async () => {
  const model = modelFor(3, levels[1]!);
  const ac = new AbortController();
  let calls = 0;
  const measure: Measure = async (d, l, signal) => {
    calls++;
    if (calls === 5) ac.abort(new Error('user pressed ctrl-c'));
    return model.measure(d, l, signal);
  };
  await expect(mlrSearch({ goals: [NDR_GOAL, PDR_GOAL], measure, minLoadPps: MIN, maxLoadPps: MAX, signal: ac.signal })).rejects.toThrow('user pressed ctrl-c');
  expect(calls).toBe(5);
  // The measurer sees the same signal, so a long trial can stop early.
  let got: AbortSignal | undefined;
  const spy: Measure = async (d, l, signal) => {
    got = signal;
    return model.measure(d, l, signal);
  };
  const ac2 = new AbortController();
  const p = mlrSearch({ goals: [NDR_GOAL], measure: spy, minLoadPps: MIN, maxLoadPps: MAX, signal: ac2.signal });
  ac2.abort();
  await expect(p).rejects.toThrow();
  expect(got).toBe(ac2.signal);
});

test('bad goals and a lying measurer are reported with their error types', async () => {
  const model = modelFor(1, levels[0]!);
  await expect(mlrSearch({ goals: [{ ...NDR_GOAL, relativeWidth: 0 }], measure: model.measure, minLoadPps: MIN, maxLoadPps: MAX })).rejects.toBeInstanceOf(ConfigError);
  await expect(mlrSearch({ goals: [NDR_GOAL], measure: model.measure, minLoadPps: MAX, maxLoadPps: MIN })).rejects.toThrow(/maxLoadPps .* must be larger/);
  const lying: Measure = async (d, l) => ({ ...(await model.measure(d, l)), lossRatio: 1.5 });
  await expect(mlrSearch({ goals: [NDR_GOAL], measure: lying, minLoadPps: MIN, maxLoadPps: MAX })).rejects.toBeInstanceOf(MeasurementError);
});

test('same seed, same search: the model and the controller are deterministic', async () => {
  const run = async () => {
    const r = await mlrSearch({ goals: [NDR_GOAL, PDR_GOAL], measure: modelFor(42, levels[2]!).measure, minLoadPps: MIN, maxLoadPps: MAX });
    return r.trials.map((t) => [t.spec.loadPps, t.received]);
  };
  expect(await run()).toEqual(await run());
});

test('a load range narrower than the width measures Max Load only, and never below Min Load', async () => {
  const model = createDutModel({ capacityPps: 5e6, seed: 2 });
  const r = await mlrSearch({ goals: [NDR_GOAL], measure: model.measure, minLoadPps: 9.99e6, maxLoadPps: 10e6 });
  expect(r.trials.every((t) => t.spec.loadPps === 10e6)).toBe(true);
  expect(r.goals[0]).toMatchObject({ regular: false, relevantLowerBoundPps: null, relevantUpperBoundPps: 10e6 });
});

test('maxTrials stops the search and the irregular result says so', async () => {
  const model = createDutModel({ capacityPps: 3e6, seed: 5 });
  const r = await mlrSearch({ goals: [NDR_GOAL, PDR_GOAL], measure: model.measure, minLoadPps: MIN, maxLoadPps: MAX, maxTrials: 5 });
  expect(r.trials).toHaveLength(5);
  for (const g of r.goals) {
    expect(g.regular).toBe(false);
    expect(g.irregularReason).toMatch(/^trial budget spent \(maxTrials 5\) before the goal was decided: /);
  }
});

/**
 * A recorded search (vhost-user 64 B, l3fwd, quick goals, fake-k8s run 20261130T032734Z-7311bd at load 15,
 * the loops stalled ~45 % of the time): [load asked, loss ratio] of its 40 trials, in order. The host lost
 * packets at every load now and then, so NDR and PDR took several trials per load; the PDR goal ended
 * with its lower bound at 95.5 kpps and lossy single trials above it (99.5 kpps, 137 kpps, 0.5 Mpps, 9.76 Mpps).
 */
const STALLED_VHOST_64B: readonly (readonly [number, number])[] = [
  [9757664, 0.948132236622305], [500702, 0.3234391851408029], [37715, 0.0043487484089944845], [2841, 0], [10351, 0],
  [137419, 0.025528322757175294], [19758, 0], [71992, 0.00038895371450797355], [27298, 0], [99464, 0.013151015483611502],
  [32087, 0.00211943647924199], [84620, 0.009170408886787993], [29596, 0.0017572316842389836], [78051, 0.0026137761377613778],
  [28424, 0], [81269, 0.0042821282669685485], [28424, 0], [29596, 0], [30816, 0.0011682242990654205], [29596, 0], [30816, 0],
  [30816, 0.0014278296988577363], [30816, 0], [32087, 0], [34787, 0.0022999080036798527], [33410, 0], [33410, 0],
  [34787, 0.0014949402023919044], [34787, 0], [34787, 0.0014949402023919044], [34092, 0], [34092, 0],
  [81269, 0.0008859575724762515], [84620, 0], [91742, 0.0007848266841072596], [95525, 0.007076755579749592], [91742, 0],
  [95525, 0.005946149658724509], [95525, 0], [95525, 0.004438675097357732],
];

/** Replays a recorded search: each trial must ask for the load the recording asked for, and gets its loss. */
function replay(recorded: readonly (readonly [number, number])[]): Measure {
  let i = 0;
  return async (durationS, loadPps) => {
    const [load, lossRatio] = recorded[i++] ?? [NaN, NaN];
    expect(Math.round(loadPps), `trial ${i}`).toBe(load);
    const requested = Math.round(loadPps * durationS);
    const received = Math.round(requested * (1 - lossRatio));
    return {
      spec: { loadPps, durationS, profile: { kind: 'fixed', frameBytes: 64 }, flows: 1, direction: 'bidirectional' },
      startedAt: new Date(0).toISOString(),
      actualDurationS: durationS,
      requested,
      attempted: requested,
      sent: requested,
      unsent: 0,
      received,
      lost: requested - received,
      lossRatio,
      reordered: 0,
      duplicated: 0,
      offeredPps: loadPps,
      receivedPps: received / durationS,
      directions: [],
    };
  };
}

test('a search that ran out of trials with lossy loads above its lower bound says why none of them is an upper bound (recorded under stall)', async () => {
  const r = await mlrSearch({ goals: quickGoals(), measure: replay(STALLED_VHOST_64B), minLoadPps: 2000, maxLoadPps: 9757664, maxTrials: 40 });
  expect(r.trials).toHaveLength(40); // the recorded search, trial for trial
  const [ndr, pdr] = r.goals;
  expect(ndr).toMatchObject({ regular: true });
  expect(Math.round(ndr!.relevantLowerBoundPps!)).toBe(34092);
  // PDR: 95.5 kpps is a lower bound (2 of 4 half-second trials high-loss: not more than half of 2 s). The
  // loads above lost more than 0.5 % in their one trial each: 0.5 s of high loss is not more than half
  // of the 2 s duration sum, so each is undecided, not an upper bound (draft 4.7.2). The search was
  // right; the reason must say this instead of "no upper bound found" beside lossy trials.
  expect(Math.round(pdr!.relevantLowerBoundPps!)).toBe(95525);
  expect(pdr!.relevantUpperBoundPps).toBeNull();
  expect(pdr!.regular).toBe(false);
  expect(pdr!.irregularReason).toBe(
    'trial budget spent (maxTrials 40) before the goal was decided: no upper bound confirmed: 4 loads above the lower bound lost more than 0.5 % in some trials ' +
      '(lowest 99.5 kpps: 0.5 s high-loss of 0.5 s measured), but an upper bound needs more than 1 s high-loss of a 2 s duration sum (exceed ratio 0.5): those loads are undecided',
  );
  // Two more lossy trials at 99.5 kpps make it an upper bound: the search asks for exactly that next
  // (then one load between the bounds, 4 % apart, would remain for the 2 % width).
  const more = await mlrSearch({
    goals: quickGoals(),
    measure: replay([...STALLED_VHOST_64B, [99464, 0.01], [99464, 0.01]]),
    minLoadPps: 2000,
    maxLoadPps: 9757664,
    maxTrials: 42,
  });
  expect(Math.round(more.goals[1]!.relevantUpperBoundPps!)).toBe(99464);
  expect(more.goals[1]!.irregularReason).toMatch(/before the goal was decided: bounds are further apart than the goal width$/);
});
