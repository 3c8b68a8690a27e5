/**
 * Soak: hold 0.9 x PDR for a long time, in windows, and report loss over time (a slow leak or a periodic
 * stall shows as windows with loss). Fails when the loss over the whole soak exceeds the PDR goal.
 */
import { test, expect } from './test.ts';
import { profileTag } from '../method/trial.ts';
import { PDR_GOAL } from '../method/search-goal.ts';
import { runSettings } from '../contract/settings.ts';
import { suitePlan } from './fixtures/plan.ts';
import { maxLoadOf, measurerOf, throughputFor } from './fixtures/throughput.ts';

const settings = runSettings();
const plan = suitePlan(settings);
const profile = settings.frameSizes[0] ?? { kind: 'fixed', frameBytes: 64 };

test(`${profileTag(profile)} soak at 0.9 x PDR`, { tag: ['@nightly'] }, async ({ stack, scenario }) => {
  test.setTimeout(Math.max(120_000, plan.soakS * 3_000 + 300_000));
  const rec = scenario({ suite: 'soak', test: 'soak', profile });
  const pdrPps = await throughputFor(stack, rec, plan, settings.outDir, await maxLoadOf(stack, rec), 'PDR');
  const loadPps = Math.round(0.9 * pdrPps);
  const measure = rec.recording(measurerOf(stack, rec), 'mrr', 'soak');
  const windows = Math.max(1, Math.round(plan.soakS / plan.soakWindowS));
  let attempted = 0;
  let lost = 0;
  const receivedPps: number[] = [];
  for (let i = 0; i < windows; i++) {
    const r = await measure(plan.soakWindowS, loadPps);
    attempted += r.attempted;
    lost += r.lost;
    receivedPps.push(r.receivedPps);
  }
  const lossRatio = attempted > 0 ? lost / attempted : 1;
  const passed = lossRatio <= PDR_GOAL.lossRatio;
  await rec.result({
    goals: [],
    mrr: { offeredPps: loadPps, receivedPps, trialDurationS: plan.soakWindowS },
    status: passed ? 'passed' : 'failed',
    ...(passed ? {} : { reason: `loss over the soak ${(lossRatio * 100).toFixed(3)} % > PDR goal ${PDR_GOAL.lossRatio * 100} %` }),
  });
  expect(attempted).toBeGreaterThan(0);
  expect(lossRatio, `loss ratio over ${windows} windows at 0.9 x PDR`).toBeLessThanOrEqual(PDR_GOAL.lossRatio);
});
