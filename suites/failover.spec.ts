/**
 * Failover: a constant load below NDR runs as one trial counted in contiguous bins while an event is
 * injected; per direction the blocked time runs from the last packet delivered before the outage to the
 * first after it (sequence numbers and send stamps), and loss and recovery come from the bins
 * (method/failover.ts via drivers/loadgen/failover-run.ts). An event that outlasts the planned window (a pod
 * replaced) keeps the trial open until it has finished, then for the plan's after-window. Events on the
 * local lab: DUT restart (vhost-user reconnect), veth link down and up, OVS restart (vhost-user-ovs, where
 * the lab has the cores for it); on a Kubernetes lab: the DUT pod deleted (pod-delete), watched until
 * traffic is back in its replacement; on a bare-metal sriov stack: the PF's link down (its VFs follow) and the
 * DUT's VF link down (pf-link-down, vf-link-down), then back; on a Kubernetes lab that allows it
 * (cluster.mayRestart.devicePlugin): the SR-IOV device plugin's pod on the DUT node deleted and replaced while
 * the traffic pods keep their devices (device-plugin-restart; a new pod gets a device afterwards).
 */
import { test, expect } from './test.ts';
import { profileTag } from '../method/trial.ts';
import { ScenarioFailedError } from '../core/errors.ts';
import { PDR_GOAL } from '../method/search-goal.ts';
import { runSettings } from '../contract/settings.ts';
import { suitePlan } from './fixtures/plan.ts';
import { maxLoadOf, throughputFor } from './fixtures/throughput.ts';
import { failoverEvent, type FailoverEventKind } from './fixtures/failover-events.ts';
import { runFailover } from '../drivers/loadgen/failover-run.ts';
import { failoverRecord } from './fixtures/failover-record.ts';

const settings = runSettings();
const plan = suitePlan(settings);
const profile = settings.frameSizes[0] ?? { kind: 'fixed', frameBytes: 64 };
const EVENTS: readonly FailoverEventKind[] = ['dut-restart', 'link-flap', 'vswitch-restart', 'pod-delete', 'pf-link-down', 'vf-link-down', 'device-plugin-restart'];
/** The longest the one failover trial is held open for an event that outlasts the plan's window. */
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
      // One trial counted in contiguous bins while the event is injected: no dead time between samples. The
      // DUT goes away on purpose: measure with the generator alone (the datapath measurer would call it a death).
      const until = stack.generator.measureUntil?.bind(stack.generator);
      const opened = stack.generator.measureOpened?.bind(stack.generator);
      const run = await runFailover({
        measure: (spec, signal) => stack.generator.measure(spec, signal),
        // pktgen's window opens after its pool rebuild: the event is timed from the window, not the call.
        ...(opened ? { measureOpened: opened } : {}),
        // A slow event (a pod replaced) holds the window open until it is over, then the after-window.
        ...(until ? { measureUntil: until, maxDurationS: MAX_WINDOW_S } : {}),
        base: { profile, flows: 1, direction: 'bidirectional' },
        loadPps,
        durationS: plan.failoverS,
        eventAtS: plan.failoverEventAtS,
        binS: plan.failoverIntervalS,
        // Steady means within the PDR goal's loss: a shared host loses a little at any load.
        steadyLossRatio: PDR_GOAL.lossRatio,
        inject: () => event.inject(),
      });
      await rec.trial(run.trial, 'failover', kind);
      const a = run.analysis;
      const replacementReadyS = event.timing?.()?.replacementReadyS;
      const f = failoverRecord(run, { event: kind, offeredPps: loadPps, intervalS: plan.failoverIntervalS, replacementReadyS });
      const eventTS = run.eventTS;
      const recovered = a.timeToFirstPacketS !== null;
      await rec.result({
        goals: [],
        failover: [f],
        status: recovered ? 'passed' : 'failed',
        ...(recovered ? {} : { reason: `traffic did not come back within ${(run.trial.actualDurationS - eventTS).toFixed(1)} s after ${kind}` }),
      });
      if (!recovered) {
        throw new ScenarioFailedError(`traffic did not come back after ${kind}`, { where: `datapath ${datapath}`, hint: 'see the DUT log attached' });
      }
      expect(run.samples.length).toBeGreaterThan(1);
    });
  }
});
