import { test, expect } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeasurementError } from '../../../core/errors.ts';
import type { DatapathKind } from '../../../lab/schema.ts';
import { starvedBy } from '../../../method/host-stalls.ts';
import type { TrialSpec } from '../../../method/trial.ts';
import { ringDepthOf } from '../ring-depth.ts';
import { createDpdkRuntime } from '../../dpdk/runtime.ts';
import type { LocalGeneratorSession } from '../../loadgen/local-generator.ts';
import { localShell } from '../../shell/local.ts';
import type { RunningDatapath } from '../datapath.ts';
import { measureOnDatapath } from '../measure.ts';
import { openGeneratorOn } from './generator-for.ts';
import { runLeftovers } from './leftovers.ts';
import { localDatapath } from './local-datapath.ts';
import type { LocalDatapathOptions } from './local-options.ts';

const shell = localShell();

const trial = (loadPps: number, durationS: number, warmupS = 0.5): TrialSpec => ({
  loadPps,
  durationS,
  warmupS,
  profile: { kind: 'fixed', frameBytes: 64 },
  flows: 16,
  direction: 'bidirectional',
});

/**
 * Bring a datapath up, open our generator on it, run `fn`, then tear everything down and check that
 * no process, namespace, socket or hugepage file of the run is left.
 */
async function withTraffic(
  kind: DatapathKind,
  name: string,
  fn: (dp: RunningDatapath, gen: LocalGeneratorSession) => Promise<void>,
  extra: Partial<LocalDatapathOptions> = {},
) {
  const runDir = await mkdtemp(join(tmpdir(), 'wsp-'));
  const runId = `${name}${Date.now().toString(36)}`;
  const runtime = createDpdkRuntime({ shell, runDir, runId });
  const pids: number[] = [];
  let dp: RunningDatapath | undefined;
  let gen: LocalGeneratorSession | undefined;
  try {
    dp = await localDatapath(kind, { ...extra, shell, runId, runDir, runtime }).up();
    pids.push(dp.dut.pid!);
    gen = await openGeneratorOn(dp, { shell, runtime });
    pids.push(gen.pid);
    await fn(dp, gen);
  } finally {
    // Traffic has stopped with the trial; close the generator first (memif: never the DUT under traffic).
    await gen?.close();
    await dp?.down();
    await runtime.cleanup();
    const left = await runLeftovers({ shell, runId, dirs: [join(runDir, 'sock'), runtime.runtimeDir], pids });
    await rm(runDir, { recursive: true, force: true });
    expect(left, 'left behind by the run').toEqual([]);
  }
}

for (const kind of ['vhost-user', 'memif'] as const) {
  test(`${kind}: l3fwd forwards 0.5 Mpps of 64 B frames for 5 s with zero loss`, async () => {
    await withTraffic(kind, kind === 'memif' ? 'mif' : 'vhu', async (dp, gen) => {
      // A fresh session's first trial loses packets while rings, caches and page tables warm up
      // (measured: thousands in the first trial, tens or none in the next): warm up with a trial first.
      await measureOnDatapath(dp, gen, trial(500_000, 1, 0.5));
      // This VM's vCPUs are at times off their CPU for 60-80 ms, unseen by the guest's accounting (see
      // docs/local-lab.md): more than any ring holds. Such a trial is repeated, at most twice, and every
      // attempt is in the report; forwarding or accounting faults lose packets in every attempt.
      let r = await measureOnDatapath(dp, gen, trial(500_000, 5, 1));
      for (let attempt = 1; attempt < 3 && r.lost > 0; attempt++) {
        test.info().annotations.push({ type: 'repeated', description: `attempt ${attempt}: requested ${r.requested}, attempted ${r.attempted}, unsent ${r.unsent}, lost ${r.lost}` });
        r = await measureOnDatapath(dp, gen, trial(500_000, 5, 1));
      }
      const figures = `requested ${r.requested}, attempted ${r.attempted}, unsent ${r.unsent}, received ${r.received} (a busy machine starves the DUT's poller: check the load)`;
      // Loss on a host that took a poller's CPU for longer than the rings buffer is the host's, and the
      // stall probes measured it: skip saying so (only then; any other loss fails).
      const starved = r.lost > 0 ? starvedBy([{ name: 'DUT', gaps: r.dutLoopGaps }, { name: 'generator', gaps: r.loopGaps }], ringDepthOf(dp), 250_000) : undefined;
      test.skip(starved !== undefined, `${starved}; ${figures}`);
      expect(r.attempted).toBeGreaterThan(0);
      expect(r.unsent, figures).toBe(0);
      expect(r.lost, figures).toBe(0);
      expect(r.received).toBe(r.attempted);
      expect(r.requested).toBe(r.attempted);
      expect(r.directions).toHaveLength(2);
      for (const d of r.directions) expect(d.received).toBeGreaterThan(0);
    });
  });
}

test('veth: l3fwd forwards a low rate through the kernel with zero loss', async () => {
  await withTraffic('veth', 'veth', async (dp, gen) => {
    const r = await measureOnDatapath(dp, gen, trial(5_000, 3));
    expect(r.attempted).toBeGreaterThan(0);
    expect(r.lost).toBe(0);
    expect(r.received).toBe(r.attempted);
  });
});

test('vhost-user-ovs: generator -> OVS-DPDK -> l3fwd -> OVS-DPDK -> generator forwards a low rate (forced onto 2 cores)', async () => {
  // On 2 cores availability() refuses it (three pollers); forcing it here checks the wiring, not speed.
  await withTraffic(
    'vhost-user-ovs',
    'ovs',
    async (dp, gen) => {
      const r = await measureOnDatapath(dp, gen, trial(5_000, 2));
      expect(r.received).toBeGreaterThan(0);
      for (const d of r.directions) expect(d.received).toBeGreaterThan(0);
    },
    { cpuCount: 3, vswitchCpu: 0 },
  );
});

test('vhost-user: offered at 3x the measured MRR, loss is > 0 and what was not delivered is counted as loss', async () => {
  await withTraffic('vhost-user', 'over', async (dp, gen) => {
    const mrr = await measureOnDatapath(dp, gen, trial(50e6, 2));
    expect(mrr.receivedPps).toBeGreaterThan(0);
    const r = await measureOnDatapath(dp, gen, trial(3 * mrr.receivedPps, 2));
    const figures = `requested ${r.requested}, attempted ${r.attempted}, unsent ${r.unsent}, received ${r.received}`;
    expect(r.lost, figures).toBeGreaterThan(0);
    expect(r.lossRatio, figures).toBeGreaterThan(0);
    // At 3x MRR the surplus shows either as ring refusals (unsent) or, when the generator itself could not
    // attempt that load, as its deficit (requested - attempted): both are loss.
    expect(r.unsent + (r.requested - r.attempted), figures).toBeGreaterThan(0);
    expect(r.attempted).toBe(r.sent + r.unsent);
    expect(r.lost).toBe(r.requested - r.received);
  });
});

test('a generator asked beyond its ceiling counts its deficit as loss', async () => {
  await withTraffic('vhost-user', 'dfc', async (dp, gen) => {
    // 1 Gpps is far beyond what one polling core attempts here (tens of Mpps at most).
    const r = await measureOnDatapath(dp, gen, trial(1e9, 1));
    const figures = `requested ${r.requested}, attempted ${r.attempted}, received ${r.received}`;
    expect(r.requested - r.attempted, figures).toBeGreaterThan(r.requested / 2);
    expect(r.lossRatio, figures).toBeGreaterThan(0.5);
    expect(r.offeredPps, figures).toBeLessThan(r.spec.loadPps / 2);
  });
});

test('killing the DUT in the middle of a trial is a MeasurementError naming the datapath, and nothing is left', async () => {
  await withTraffic('vhost-user', 'kill', async (dp, gen) => {
    const pid = dp.dut.pid!;
    const measuring = measureOnDatapath(dp, gen, trial(200_000, 10));
    await new Promise((r) => setTimeout(r, 2000));
    process.kill(pid, 'SIGKILL');
    const err = await measuring.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MeasurementError);
    expect((err as MeasurementError).where).toBe('datapath vhost-user');
    expect((err as Error).message).toMatch(/the DUT \(l3fwd, pid \d+\) died during the trial: l3fwd \(dut\) exited \(killed by SIGKILL\)/);
  });
});
