import { expect, test } from '@playwright/test';
import { createDutModel } from '../fixtures/dut-model.ts';
import { boundMark, mrrBound } from './bound-marks.ts';
import { mlrSearch } from './mlrsearch.ts';
import { quickGoals } from './search-goal.ts';

const ceiling = { loadPps: 2e6, basis: 'generator self-test ceiling, 64 B' };

test('a DUT faster than the max load: both goals end at the max load and are marked "max-load" with its basis', async () => {
  const search = await mlrSearch({ goals: quickGoals(), measure: createDutModel({ capacityPps: 20e6, seed: 1 }).measure, minLoadPps: 10_000, maxLoadPps: ceiling.loadPps });
  for (const g of search.goals) {
    expect(g.relevantLowerBoundPps).toBe(ceiling.loadPps);
    const mark = boundMark(g, ceiling);
    expect(mark?.kind).toBe('max-load');
    expect(mark?.reason).toBe('the max load 2.000 Mpps (generator self-test ceiling, 64 B) met the goal: the DUT was not saturated');
  }
});

test('a DUT slower than the max load: a regular result carries no mark; an irregular one keeps MLRsearch reason', async () => {
  const search = await mlrSearch({ goals: quickGoals(), measure: createDutModel({ capacityPps: 1.2e6, seed: 3 }).measure, minLoadPps: 10_000, maxLoadPps: ceiling.loadPps });
  for (const g of search.goals) {
    expect(g.regular).toBe(true);
    expect(boundMark(g, ceiling)).toBeUndefined();
  }
  // Min Load already lost packets: no lower bound at all.
  const slow = await mlrSearch({ goals: quickGoals(), measure: createDutModel({ capacityPps: 5_000, seed: 1 }).measure, minLoadPps: 10_000, maxLoadPps: ceiling.loadPps });
  const g = slow.goals[0]!;
  expect(g.regular).toBe(false);
  expect(boundMark(g, ceiling)).toEqual({ kind: 'irregular', reason: g.irregularReason });
});

test('MRR: generator-limited when it attempted < 90 % of the load and the DUT forwarded what it got; else the DUT bounded it', () => {
  // bench:local's vhost-user 64 B: 60 Mpps asked, 4.69 Mpps attempted, all received.
  expect(mrrBound(60e6, [{ offeredPps: 4.69e6, receivedPps: 4.69e6 }])).toEqual({ boundedBy: 'generator', limitedAtPps: 4.69e6 });
  // Medians over trials: one odd trial does not decide.
  expect(mrrBound(60e6, [{ offeredPps: 4.7e6, receivedPps: 4.7e6 }, { offeredPps: 4.65e6, receivedPps: 4.65e6 }, { offeredPps: 60e6, receivedPps: 3e6 }])).toEqual({ boundedBy: 'generator', limitedAtPps: 4.7e6 });
  // Attempted the whole load, the DUT dropped: the DUT's figure.
  expect(mrrBound(10e6, [{ offeredPps: 10e6, receivedPps: 6e6 }])).toEqual({ boundedBy: 'dut' });
  // Fell short, but the DUT dropped much of what it got: the DUT bounded the received rate.
  expect(mrrBound(10e6, [{ offeredPps: 5e6, receivedPps: 3e6 }])).toEqual({ boundedBy: 'dut' });
  expect(() => mrrBound(10e6, [])).toThrow(RangeError);
});
