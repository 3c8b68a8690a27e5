/**
 * Failover measured without gaps, checked against an outage we make and time ourselves: veth link of
 * the DUT down for about 500 ms under a constant load through l3fwd. The blocked time each direction
 * reports (last packet delivered before the outage to the first after it) must match the interval
 * between the actual down and up within one sampling period, and the bins must account for every
 * packet asked for.
 */
import { test, expect } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDpdkRuntime } from '../../dpdk/runtime.ts';
import { runFailover } from '../../loadgen/failover-run.ts';
import { localShell } from '../../shell/local.ts';
import { openGeneratorOn } from './generator-for.ts';
import { flapLink } from './link-flap.ts';
import { runLeftovers } from './leftovers.ts';
import { localDatapath } from './local-datapath.ts';
import { vethNamespaces } from './veth.ts';

const shell = localShell();
const BIN_S = 0.05;

test('veth link down for 500 ms: blocked time per direction matches the real outage within one sampling period', async () => {
  const runDir = await mkdtemp(join(tmpdir(), 'wsp-'));
  const runId = `fo${Date.now().toString(36)}`;
  const runtime = createDpdkRuntime({ shell, runDir, runId });
  const dp = await localDatapath('veth', { shell, runId, runDir, runtime }).up();
  const pids = [dp.dut.pid!];
  try {
    const gen = await openGeneratorOn(dp, { shell, runtime });
    pids.push(gen.pid);
    try {
      const run = await runFailover({
        measure: (spec, signal) => gen.measure(spec, signal),
        base: { profile: { kind: 'fixed', frameBytes: 64 }, flows: 4, direction: 'bidirectional' },
        loadPps: 50_000, // far below what veth carries: any loss is the outage's
        durationS: 2,
        eventAtS: 0.5,
        binS: BIN_S,
        inject: () => flapLink({ shell, netns: vethNamespaces(runId).dut, iface: 'dut0', downS: 0.5 }),
      });
      const { event } = run;
      const windowStartMs = Date.parse(run.trial.startedAt);
      const mid = (r: readonly [number, number]) => ((r[0] + r[1]) / 2 - windowStartMs) / 1000;
      const downS = mid(event.downMs!);
      const upS = mid(event.upMs!);
      // How precisely the commands placed the outage: half of each command's bracket.
      const slackS = ((event.downMs![1] - event.downMs![0]) + (event.upMs![1] - event.upMs![0])) / 2000;
      const note = `outage ${downS.toFixed(4)}-${upS.toFixed(4)} s (${(upS - downS).toFixed(4)} s, commands ±${slackS.toFixed(4)} s); ` +
        run.directions.map((d) => `${d.name}: blocked ${d.blockedS.toFixed(4)} s (${d.lastBeforeS.toFixed(4)}-${d.firstAfterS.toFixed(4)}), loss-derived ${d.lossDerivedS.toFixed(4)} s`).join('; ');
      test.info().annotations.push({ type: 'failover', description: note });
      expect(upS - downS).toBeGreaterThan(0.45);
      expect(run.directions).toHaveLength(2);
      for (const d of run.directions) {
        // Both directions cross dut0: both were blocked for the outage, no more, no less.
        expect(Math.abs(d.blockedS - (upS - downS)), note).toBeLessThanOrEqual(BIN_S + slackS);
        expect(Math.abs(d.lastBeforeS - downS), note).toBeLessThanOrEqual(BIN_S + slackS);
        expect(Math.abs(d.firstAfterS - upS), note).toBeLessThanOrEqual(BIN_S + slackS);
        expect(d.lostPackets).toBeGreaterThan(0);
      }
      // The bins are contiguous and hold every packet asked for: what they lost is the trial's loss.
      const binned = run.samples.reduce((s, x) => s + x.attempted, 0);
      expect(binned).toBe(run.trial.attempted);
      expect(run.samples.reduce((s, x) => s + (x.attempted - x.received), 0)).toBe(run.trial.attempted - run.trial.received);
      expect(run.analysis.lostBeforeEventPackets).toBe(0);
      expect(run.blockedS).toBe(Math.max(...run.directions.map((d) => d.blockedS)));
    } finally {
      await gen.close();
    }
  } finally {
    await dp.down();
    await runtime.cleanup();
    const left = await runLeftovers({ shell, runId, dirs: [join(runDir, 'sock'), runtime.runtimeDir], pids });
    await rm(runDir, { recursive: true, force: true });
    expect(left, 'left behind by the run').toEqual([]);
  }
});
