/**
 * Failover: a constant load below NDR runs as back-to-back short trials (time-resolved counters) while an
 * event is injected; blocked time (lost / offered rate) and the time to recover come from
 * method/failover.ts. Events on the local lab: DUT restart (vhost-user reconnect), veth link down and
 * up, OVS restart (vhost-user-ovs, where the lab has the cores for it); on a Kubernetes lab: the DUT pod
 * deleted (pod-delete), watched until traffic is back in its replacement.
 */
import { test, expect } from './test.ts';
import { profileTag } from '../method/trial.ts';
import { analyzeFailover, type FailoverSample } from '../method/failover.ts';
import { ScenarioFailedError } from '../core/errors.ts';
import { PDR_GOAL } from '../method/search-goal.ts';
import type { Failover } from '../reports/schema/record.ts';
import { runSettings } from '../contract/settings.ts';
import { suitePlan } from './fixtures/plan.ts';
import { maxLoadOf, throughputFor } from './fixtures/throughput.ts';
import { failoverEvent, type FailoverEventKind } from './fixtures/failover-events.ts';

const settings = runSettings();
const plan = suitePlan(settings);
const profile = settings.frameSizes[0] ?? { kind: 'fixed', frameBytes: 64 };
const EVENTS: readonly FailoverEventKind[] = ['dut-restart', 'link-flap', 'vswitch-restart', 'pod-delete'];
/** However long an event takes (a pod replaced), traffic is watched this long after it completed too. */
const MAX_WINDOW_S = 180;

test.describe('failover', () => {
  for (const kind of EVENTS) {
    test(`${profileTag(profile)} failover ${kind}`, { tag: ['@nightly', '@cert'] }, async ({ stack, scenario, datapath }) => {
      const event = failoverEvent(kind, stack, { linkDownS: settings.quick ? 0.5 : 2 });
      test.skip('unavailable' in event, 'unavailable' in event ? event.unavailable : '');
      if ('unavailable' in event) return;
      const rec = scenario({ suite: 'failover', test: `failover-${kind}`, profile });
      // Well below NDR, so that any loss is the event's; without an NDR (a noisy host), a low fixed load.
      const ndrPps = await throughputFor(stack, rec, plan, settings.outDir, await maxLoadOf(stack, rec), 'NDR').then(
        (t) => t,
        (err: unknown) => {
          if (err instanceof ScenarioFailedError) return undefined;
          throw err;
        },
      );
      const loadPps = ndrPps === undefined ? plan.minLoadPps * 10 : Math.max(plan.minLoadPps, Math.round(0.5 * ndrPps));
      // The DUT goes away on purpose: measure with the generator alone (the datapath measurer would call it a death).
      const measure = rec.recording(stack.generator.measurer({ profile, flows: 1, direction: 'bidirectional' }), 'failover', kind);
      const t0 = Date.now();
      let eventAtMs: number | undefined;
      let injected: Promise<void> | undefined;
      const samples: FailoverSample[] = [];
      let injectedDoneMs: number | undefined;
      const afterS = plan.failoverS - plan.failoverEventAtS;
      const watching = () => {
        const elapsedMs = Date.now() - t0;
        if (elapsedMs > MAX_WINDOW_S * 1000) return false;
        if (elapsedMs < plan.failoverS * 1000) return true;
        // An event that takes longer than the window (a pod replaced) is watched as long after it as the plan says.
        return injected !== undefined && (injectedDoneMs === undefined || Date.now() - injectedDoneMs < afterS * 1000);
      };
      while (watching()) {
        if (injected === undefined && Date.now() - t0 >= plan.failoverEventAtS * 1000) {
          eventAtMs = Date.now();
          injected = event.inject();
          injected.then(
            () => (injectedDoneMs = Date.now()),
            () => (injectedDoneMs = Date.now()),
          );
        }
        const r = await measure(plan.failoverIntervalS, loadPps);
        samples.push({ tS: (Date.parse(r.startedAt) - t0) / 1000, durationS: Math.max(1e-3, r.actualDurationS), attempted: r.attempted, received: r.received });
      }
      if (injected) await injected;
      if (eventAtMs === undefined) throw new Error('the failover window ended before the event was injected');
      const eventTS = (eventAtMs - t0) / 1000;
      const replacementReadyS = event.timing?.()?.replacementReadyS;
      // Steady means within the PDR goal's loss: a shared host loses a little at any load.
      const a = analyzeFailover({ samples, eventTS, offeredPps: loadPps, steadyLossRatio: PDR_GOAL.lossRatio });
      const f: Failover = {
        event: kind,
        offeredPps: loadPps,
        lostPackets: a.lostPackets,
        blockedS: a.blockedTimeS,
        ...(a.timeToSteadyStateS === null ? {} : { recoveryS: a.timeToSteadyStateS }),
        eventAtS: eventTS,
        ...(replacementReadyS === undefined ? {} : { replacementReadyS }),
        timeline: samples.map((s) => ({ tS: s.tS, receivedPps: s.received / s.durationS })),
      };
      const recovered = a.timeToFirstPacketS !== null;
      await rec.result({
        goals: [],
        failover: [f],
        status: recovered ? 'passed' : 'failed',
        ...(recovered ? {} : { reason: `traffic did not come back within ${(plan.failoverS - eventTS).toFixed(1)} s after ${kind}` }),
      });
      if (!recovered) {
        throw new ScenarioFailedError(`traffic did not come back after ${kind}`, { where: `datapath ${datapath}`, hint: 'see the DUT log attached' });
      }
      expect(samples.length).toBeGreaterThan(1);
    });
  }
});
