/** Smoke: the stack comes up, the generator attaches, one short low-rate trial gets packets through. */
import { test, expect } from './test.ts';
import { runSettings } from '../contract/settings.ts';
import { suitePlan } from './fixtures/plan.ts';
import { measurerOf } from './fixtures/throughput.ts';

const settings = runSettings();
const plan = suitePlan(settings);
const profile = settings.frameSizes[0] ?? { kind: 'fixed', frameBytes: 64 };

test('stack up, one short trial', { tag: ['@smoke'] }, async ({ stack, scenario }) => {
  const rec = scenario({ suite: 'smoke', test: 'smoke', profile });
  const loadPps = 100_000;
  const r = await rec.recording(measurerOf(stack, rec), 'mrr', 'smoke')(plan.smokeS, loadPps);
  await rec.result({
    goals: [],
    mrr: { offeredPps: loadPps, receivedPps: [r.receivedPps], trialDurationS: plan.smokeS },
    status: r.received > 0 ? 'passed' : 'failed',
    ...(r.received > 0 ? {} : { reason: `no packet came back from ${r.attempted} sent` }),
  });
  expect(r.attempted, 'the generator sent packets').toBeGreaterThan(0);
  expect(r.received, 'packets came back through the datapath').toBeGreaterThan(0);
});
