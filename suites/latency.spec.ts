/**
 * Latency: a low-rate stamped stream alongside a load at 0, 10, 50 and 90 % of the PDR (CSIT's method);
 * p50/p90/p99/p99.9/max and the full histogram per load. The PDR comes from this run's throughput result,
 * or is searched here when throughput did not run.
 */
import { test, expect } from './test.ts';
import { profileTag } from '../method/trial.ts';
import { latencyLoads, summarize } from '../method/latency.ts';
import { ScenarioFailedError } from '../core/errors.ts';
import type { LatencyAtLoad } from '../reports/schema/record.ts';
import { runSettings } from '../contract/settings.ts';
import { suitePlan } from './fixtures/plan.ts';
import { testerBiasFor } from './fixtures/tester-record.ts';
import { maxLoadOf, measurerOf, skipUnlessServed, throughputFor } from './fixtures/throughput.ts';

const settings = runSettings();
const plan = suitePlan(settings);

test.describe('latency', () => {
  for (const profile of settings.frameSizes) {
    test(`${profileTag(profile)} latency`, { tag: ['@nightly', '@cert'] }, async ({ stack, scenario }) => {
      const rec = scenario({ suite: 'latency', test: 'latency', profile, flows: settings.flows });
      // Before the PDR search: a generator without this latency mode skips at once.
      skipUnlessServed(stack, { profile, latency: { streamPps: plan.latencyStreamPps } });
      const pdrPps = await throughputFor(stack, rec, plan, settings.outDir, await maxLoadOf(stack, rec), 'PDR');
      // The tester's own latency (this run's loopback self-test) goes beside every figure, not subtracted.
      const biasNs = await testerBiasFor(stack, profile);
      const measure = rec.recording(measurerOf(stack, rec, { latency: { streamPps: plan.latencyStreamPps } }), 'latency');
      const results: LatencyAtLoad[] = [];
      for (const load of latencyLoads(pdrPps, plan.latencyFractions)) {
        // At 0 % the stamped stream runs alone: its own rate is the load.
        const loadPps = Math.max(load.loadPps, plan.latencyStreamPps);
        const r = await measure(plan.latencyS, loadPps);
        if (!r.latency || r.latency.count === 0) {
          throw new ScenarioFailedError(`no latency sample came back at ${Math.round(load.fraction * 100)} % of PDR (${loadPps} pps)`, {
            hint: 'stamped packets were lost or the generator did not stamp them; see the attached commands',
          });
        }
        const s = summarize(r.latency);
        results.push({
          fractionOfPdr: load.fraction,
          loadPps,
          p50Ns: s.p50Ns,
          p90Ns: s.p90Ns,
          p99Ns: s.p99Ns,
          p999Ns: s.p999Ns,
          maxNs: s.maxNs,
          histogram: r.latency,
          ...(biasNs === undefined ? {} : { testerBiasNs: biasNs }),
        });
      }
      await rec.result({ goals: [], latency: results, status: 'passed' });
      for (const l of results) {
        expect(l.p50Ns).toBeGreaterThan(0);
        expect(l.p50Ns).toBeLessThanOrEqual(l.p99Ns);
        expect(l.p99Ns).toBeLessThanOrEqual(l.maxNs);
      }
    });
  }
});
