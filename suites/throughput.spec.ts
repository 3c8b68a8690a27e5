/**
 * Throughput: NDR and PDR with their bounds (MLRsearch, one search for both goals) and MRR, per frame
 * size. The scenario fails when no load meets a goal; rates themselves are reported, not judged.
 */
import { test, expect } from './test.ts';
import { profileTag } from '../method/trial.ts';
import { runSettings } from '../contract/settings.ts';
import { suitePlan } from './fixtures/plan.ts';
import { maxLoadOf, measureThroughput, requireBounds } from './fixtures/throughput.ts';

const settings = runSettings();
const plan = suitePlan(settings);

test.describe('throughput', () => {
  for (const profile of settings.frameSizes) {
    test(`${profileTag(profile)} ndrpdr`, { tag: ['@nightly', '@cert'] }, async ({ stack, scenario }) => {
      const rec = scenario({ suite: 'throughput', test: 'ndrpdr', profile, flows: settings.flows });
      const t = await measureThroughput(stack, rec, plan, await maxLoadOf(stack, rec));
      const missing = [t.ndr ? undefined : 'NDR', t.pdr ? undefined : 'PDR'].filter((x) => x !== undefined);
      await rec.result({
        goals: t.goals,
        ...(t.ndr ? { ndr: t.ndr } : {}),
        ...(t.pdr ? { pdr: t.pdr } : {}),
        mrr: t.mrr,
        status: missing.length === 0 ? 'passed' : 'failed',
        ...(missing.length === 0 ? {} : { reason: `no load met the ${missing.join(' and ')} goal, not even the minimum load` }),
      });
      const { ndr, pdr } = requireBounds(t);
      expect(ndr.lowerBoundPps).toBeGreaterThan(0);
      expect(pdr.lowerBoundPps).toBeGreaterThanOrEqual(ndr.lowerBoundPps);
    });
  }
});
