/**
 * Failover with the real pktgen-dpdk: l3fwd restarted under a constant load on the local lab's
 * restartable vhost-user path (the DUT is the vhost client, so it can come back). pktgen has no
 * per-packet stamps: the one trial is counted in bins of live port-counter reads, and the blocked time
 * is the run of bins that received nothing. It must be there (> 0) and no longer than the restart we
 * made and timed ourselves plus one bin. The loss is small whatever the outage: pktgen blocks on the full
 * TX ring while the DUT is away and sends the backlog after it (measured, see failover-run.ts).
 * Skipped, with the reason, where pktgen is absent.
 */
import { expect, test } from '@playwright/test';
import { vhostUserDatapath } from '../../datapath/local/vhost-user.ts';
import { withRealPktgen } from '../../../fixtures/pktgen/real-pktgen.ts';
import { runFailover, wallClockMs } from '../failover-run.ts';

const BIN_S = 0.05;

test('DUT restart under pktgen: blocked time from live counter bins, > 0 and within the timed restart plus one bin', async () => {
  test.setTimeout(180_000);
  await withRealPktgen({ tag: 'pgf', datapath: (o) => vhostUserDatapath(o, { restartable: true }) }, async (dp, pg) => {
    const session = pg.session;
    const restart = dp.capabilities?.restartDut;
    if (!restart) throw new Error(`the restartable vhost-user path offers no DUT restart: ${JSON.stringify(dp.gaps)}`);
    const run = await runFailover({
      measure: (spec, signal) => session.measure(spec, signal),
      measureOpened: (spec, opened, signal) => session.measureOpened(spec, opened, signal),
      base: { profile: { kind: 'fixed', frameBytes: 64 }, flows: 1, direction: 'bidirectional' },
      loadPps: 100_000, // far below what this path carries: any loss is the restart's
      durationS: 3,
      eventAtS: 1,
      binS: BIN_S,
      inject: async () => {
        const startMs = wallClockMs();
        await restart.restartDut();
        return { startMs, endMs: wallClockMs() };
      },
    });
    const outageS = (run.event.endMs - run.event.startMs) / 1000;
    const note =
      `restart ${run.eventTS.toFixed(3)} s + ${outageS.toFixed(3)} s; ${run.samples.length} bins; ` +
      run.directions.map((d) => `${d.name}: silent ${d.lastBeforeS.toFixed(3)}-${d.firstAfterS.toFixed(3)} (${d.blockedS.toFixed(3)}-${d.blockedMaxS?.toFixed(3)} s), lost ${d.lostPackets}`).join('; ') +
      `; first packet after ${run.analysis.timeToFirstPacketS?.toFixed(3)} s, steady after ${run.analysis.timeToSteadyStateS?.toFixed(3)} s`;
    test.info().annotations.push({ type: 'failover', description: note });
    expect(run.blockedBy).toBe('live-bins');
    // The window opened before the event: it is timed from the window, after pktgen's pool rebuild.
    expect(run.eventTS, note).toBeGreaterThan(0.9);
    expect(run.directions).toHaveLength(2);
    for (const d of run.directions) {
      expect(d.blockedS, note).toBeGreaterThan(0);
      expect(d.blockedS, note).toBeLessThanOrEqual(outageS + BIN_S);
      expect(d.blockedMaxS, note).toBeGreaterThanOrEqual(d.blockedS);
      // The silence is the restart's: it starts after the event began.
      expect(d.lastBeforeS, note).toBeGreaterThanOrEqual(run.eventTS - BIN_S);
    }
    expect(run.blockedS).toBe(Math.max(...run.directions.map((d) => d.blockedS)));
    expect(run.analysis.timeToFirstPacketS, note).not.toBeNull();
    expect(run.analysis.timeToFirstPacketS!, note).toBeGreaterThan(0);
    // Contiguous bins: each starts where the last ended, and together they hold every packet sent from the window on.
    for (let i = 1; i < run.samples.length; i++) expect(run.samples[i]!.tS).toBeCloseTo(run.samples[i - 1]!.tS + run.samples[i - 1]!.durationS, 9);
    const lastTrial = session.lastTrial()!;
    const sentFromMid = [0, 1].reduce((s, p) => s + lastTrial.after.get(p)!.opackets - lastTrial.mid.get(p)!.opackets, 0);
    expect(run.samples.reduce((s, x) => s + x.attempted, 0)).toBe(sentFromMid);
  });
});
