import { expect, test } from '@playwright/test';
import { ConfigError } from '../core/errors.ts';
import { createDutModel } from '../fixtures/dut-model.ts';
import { rfc2544BinarySearch } from './rfc2544.ts';
import type { Measure } from './trial.ts';

/** A DUT that loses frames exactly above `limitPps` (RFC 1242's deterministic device). */
function stepDut(limitPps: number): { measure: Measure; loads: Array<[number, number]> } {
  const model = createDutModel({ capacityPps: limitPps, seed: 1 });
  const loads: Array<[number, number]> = [];
  return {
    loads,
    measure: async (d, l, s) => {
      loads.push([l, d]);
      return model.measure(d, l, s);
    },
  };
}

for (const limit of [1_234_567, 5_000_000, 9_999_999, 14_000_000]) {
  test(`throughput is the highest zero-loss rate measured, within the precision (${limit} pps)`, async () => {
    const dut = stepDut(limit);
    const r = await rfc2544BinarySearch({ measure: dut.measure, minLoadPps: 10_000, maxLoadPps: 14_880_952, trialDurationS: 60, precisionPps: 10_000 });
    expect(r.throughputPps).not.toBeNull();
    // RFC 2544 26.1 / RFC 1242 3.17: no frame lost at the throughput ...
    expect(r.throughputPps!).toBeLessThanOrEqual(limit);
    // ... and it is the fastest zero-loss rate among those tried.
    const zeroLoss = r.trials.filter((t) => t.lost === 0).map((t) => t.spec.loadPps);
    expect(Math.max(...zeroLoss)).toBe(r.throughputPps);
    expect(r.trials.filter((t) => t.lost > 0).every((t) => t.spec.loadPps > r.throughputPps!)).toBe(true);
    // Binary search ends when the bounds are within the precision.
    expect(r.upperBoundPps! - r.lowerBoundPps!).toBeLessThanOrEqual(10_000);
    expect(limit - r.throughputPps!).toBeLessThan(10_000);
    // One trial per load, all of the asked duration (RFC 2544 section 24: 60 s).
    expect(dut.loads.every(([, d]) => d === 60)).toBe(true);
    expect(new Set(dut.loads.map(([l]) => l)).size).toBe(dut.loads.length);
    expect(r.totalTrialDurationS).toBe(60 * r.trials.length);
    // log2(range / precision) halvings plus the Max Load trial.
    expect(r.trials.length).toBeLessThanOrEqual(Math.ceil(Math.log2(14_880_952 / 10_000)) + 1);
  });
}

test('relative width and a loss tolerance give a PDR-style search', async () => {
  const model = createDutModel({ capacityPps: 8_000_000, seed: 3 });
  const r = await rfc2544BinarySearch({ measure: model.measure, minLoadPps: 100_000, maxLoadPps: 14_880_952, trialDurationS: 60, relativeWidth: 0.005, lossTolerance: 0.005 });
  const truth = 8_000_000 / 0.995; // tail drop: loss ratio 0.5 % at capacity / 0.995
  expect(r.throughputPps!).toBeLessThanOrEqual(truth);
  expect(r.throughputPps!).toBeGreaterThanOrEqual(truth * (1 - 0.005));
  expect((r.upperBoundPps! - r.lowerBoundPps!) / r.upperBoundPps!).toBeLessThanOrEqual(0.005 + 1e-12);
});

test('Max Load passing ends at once; Min Load failing gives no throughput', async () => {
  const fast = await rfc2544BinarySearch({ measure: stepDut(20e6).measure, minLoadPps: 1000, maxLoadPps: 14_880_952, trialDurationS: 60, precisionPps: 1000 });
  expect(fast).toMatchObject({ throughputPps: 14_880_952, upperBoundPps: null });
  expect(fast.trials).toHaveLength(1);
  const slow = await rfc2544BinarySearch({ measure: stepDut(500).measure, minLoadPps: 1000, maxLoadPps: 14_880_952, trialDurationS: 60, relativeWidth: 0.01 });
  expect(slow.throughputPps).toBeNull();
  expect(slow.upperBoundPps).toBe(1000);
  expect(slow.trials.at(-1)!.spec.loadPps).toBe(1000);
});

test('invalid options are ConfigErrors with a hint', async () => {
  const { measure } = stepDut(1e6);
  const base = { measure, minLoadPps: 1000, maxLoadPps: 1e7, trialDurationS: 60, precisionPps: 100 };
  await expect(rfc2544BinarySearch({ ...base, minLoadPps: 2e7 })).rejects.toBeInstanceOf(ConfigError);
  await expect(rfc2544BinarySearch({ measure, minLoadPps: 1000, maxLoadPps: 1e7, trialDurationS: 60 })).rejects.toThrow(/no stopping precision given/);
  await expect(rfc2544BinarySearch({ ...base, trialDurationS: 0 })).rejects.toThrow(/trialDurationS 0 must be > 0/);
  await expect(rfc2544BinarySearch({ ...base, lossTolerance: 1 })).rejects.toThrow(/lossTolerance 1 is outside/);
});

test('stops on abort', async () => {
  const { measure } = stepDut(1e6);
  const ac = new AbortController();
  ac.abort(new Error('stop'));
  await expect(rfc2544BinarySearch({ measure, minLoadPps: 1000, maxLoadPps: 1e7, trialDurationS: 60, precisionPps: 100, signal: ac.signal })).rejects.toThrow('stop');
});
