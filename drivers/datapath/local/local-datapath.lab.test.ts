import { test, expect } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvisionError } from '../../../core/errors.ts';
import { startL3fwd } from '../../dpdk/l3fwd.ts';
import { createDpdkRuntime } from '../../dpdk/runtime.ts';
import { localShell } from '../../shell/local.ts';
import type { RunningDatapath } from '../datapath.ts';
import { measureOnDatapath } from '../measure.ts';
import { measureRawCapacity } from '../raw-capacity.ts';
import { openGeneratorOn } from './generator-for.ts';
import { runLeftovers } from './leftovers.ts';
import { localDatapath } from './local-datapath.ts';
import type { LocalDatapathOptions } from './local-options.ts';

const shell = localShell();

/** A run of its own per test: run dir, runtime, and a check that nothing of it is left afterwards. */
async function freshRun(name: string) {
  const runDir = await mkdtemp(join(tmpdir(), 'wsp-'));
  const runId = `${name}${Date.now().toString(36)}`;
  const runtime = createDpdkRuntime({ shell, runDir, runId });
  const opts: LocalDatapathOptions = { shell, runId, runDir, runtime };
  const pids: number[] = [];
  return {
    runDir,
    runId,
    runtime,
    opts,
    pids,
    leftovers: () => runLeftovers({ shell, runId, dirs: [join(runDir, 'sock'), runtime.runtimeDir], pids }),
    async cleanup(dp?: RunningDatapath) {
      await dp?.down();
      await runtime.cleanup();
      await rm(runDir, { recursive: true, force: true });
    },
  };
}

test('telemetry reads the port counters of a running l3fwd (vhost-user, driven by testpmd flowgen)', async () => {
  const run = await freshRun('tel');
  let dp: RunningDatapath | undefined;
  try {
    dp = await localDatapath('vhost-user', run.opts).up();
    const tel = dp.dutTelemetry!;
    expect(await tel.ethdevList()).toEqual([0, 1]);
    expect((await tel.ethdevInfo(0)).name).toBe('net_vhost0');
    const before = await tel.ethdevStats(0);
    const raw = await measureRawCapacity(dp, { shell, runtime: run.runtime, frameBytes: 64, warmupS: 0.5, windowS: 1 });
    const after = await tel.ethdevStats(0);
    expect(after.ipackets).toBeGreaterThan(before.ipackets);
    expect(after.opackets).toBeGreaterThan(before.opackets);
    // l3fwd reflects flowgen's traffic: what it received it sent (within what was in flight).
    expect(raw.dutRxPps).toBeGreaterThan(0);
    expect(Math.abs(raw.dutRxPps! - raw.dutTxPps!) / raw.dutRxPps!).toBeLessThan(0.05);
    expect(raw.genRxPps).toBeGreaterThan(0);
    expect(dp.dutAlive()).toBe(true);
  } finally {
    await run.cleanup(dp);
  }
  expect(await run.leftovers()).toEqual([]);
});

test('a trial through our generator and l3fwd carries both host-stall probes: the generator loop and the DUT loop, over the trial', async () => {
  const run = await freshRun('probe');
  let dp: RunningDatapath | undefined;
  try {
    dp = await localDatapath('vhost-user', run.opts).up();
    const gen = await openGeneratorOn(dp, { shell, runtime: run.runtime });
    try {
      const r = await measureOnDatapath(dp, gen, { loadPps: 200_000, durationS: 1, warmupS: 0.2, profile: { kind: 'fixed', frameBytes: 64 }, flows: 4, direction: 'bidirectional' });
      expect(r.received).toBeGreaterThan(0);
      // Each loop was watched for (at least) the counted window and iterated all along.
      for (const g of [r.loopGaps, r.dutLoopGaps]) {
        expect(g).toBeDefined();
        expect(g!.observedS).toBeGreaterThan(0.9);
        expect(g!.iterations).toBeGreaterThan(1000);
        expect(g!.thresholdNs).toBe(10_000);
        expect(g!.gaps.count).toBe(g!.gaps.buckets.reduce((s, [, n]) => s + n, 0));
      }
      // The DUT's figures are its own reading around this trial, not its totals since start.
      expect(r.dutLoopGaps!.observedS).toBeLessThan(30);
    } finally {
      await gen.close();
    }
  } finally {
    await run.cleanup(dp);
  }
  expect(await run.leftovers()).toEqual([]);
});

test('a DUT that crashed is still cleaned up by down(): no process, socket, namespace or hugepage file left', async () => {
  const run = await freshRun('crash');
  let dp: RunningDatapath | undefined;
  try {
    dp = await localDatapath('veth', run.opts).up();
    run.pids.push(dp.dut.pid!);
    expect(await run.leftovers()).not.toEqual([]); // it does hold things while up
    process.kill(dp.dut.pid!, 'SIGKILL');
    await expect.poll(() => dp!.dutAlive()).toBe(false);
    expect(dp.dutDeath()).toMatch(/l3fwd \(dut\) exited \(killed by SIGKILL\)/);
  } finally {
    await run.cleanup(dp);
  }
  expect(await run.leftovers()).toEqual([]);
});

test('too few free hugepages is a ProvisionError before anything starts', async () => {
  const run = await freshRun('hp');
  try {
    const err = await localDatapath('memif', { ...run.opts, dutMemoryMb: 1024 * 1024 }).up().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProvisionError);
    expect((err as Error).message).toMatch(/needs \d+ free 2 MB hugepages \(l3fwd \(dut\) 1048576 MB, generator 256 MB\), but only \d+ of \d+ are free/);
  } finally {
    await run.cleanup();
  }
  expect(await run.leftovers()).toEqual([]);
});

test('vhost-user-ovs says why it cannot run with fewer than 3 cores', async () => {
  const run = await freshRun('ovs');
  try {
    const dp = localDatapath('vhost-user-ovs', { ...run.opts, cpuCount: 2 });
    expect(await dp.availability()).toEqual({ reason: expect.stringMatching(/needs at least 3 cores .* this machine has 2/) });
    await expect(dp.up()).rejects.toThrow(ProvisionError);
  } finally {
    await run.cleanup();
  }
});


test('a DUT that cannot start is a ProvisionError with its exit and last output, and leaves nothing behind', async () => {
  const run = await freshRun('bad');
  try {
    const err = await startL3fwd({
      shell,
      runtime: run.runtime,
      cpu: 0,
      memoryMb: 64,
      vdevs: [`net_memif0,role=server,id=0,socket=${run.runDir}/no/such/dir/m.sock,socket-abstract=no`],
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProvisionError);
    expect((err as Error).message).toMatch(/l3fwd \(dut\) did not start: l3fwd \(dut\) exited \(exit \d+\)\n  last output: [\s\S]*memif/i);
  } finally {
    await run.cleanup();
  }
  expect(await run.leftovers()).toEqual([]);
});
