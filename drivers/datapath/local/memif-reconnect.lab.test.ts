/**
 * wsp-gen on a memif client port at start, against the real l3fwd memif server (DPDK 22.11.11):
 * - bench:local's sequence, testpmd flowgen leaving and our generator connecting at once. flowgen stops
 *   sending before its ports close (testpmd.ts), so l3fwd, which DPDK 22.11's memif kills at some peer
 *   disconnects (findings §2), mostly survives; when it does not, the generator's start says that no
 *   server listens (the connect's own errno), not "Operation not permitted".
 * - a server that comes up after the generator started (a DUT started again): the generator's port
 *   start retries the connect with backoff and gets the link.
 */
import { test, expect } from '@playwright/test';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDpdkRuntime } from '../../dpdk/runtime.ts';
import type { LocalGeneratorSession } from '../../loadgen/local-generator.ts';
import { localShell } from '../../shell/local.ts';
import type { RunningDatapath } from '../datapath.ts';
import { measureOnDatapath } from '../measure.ts';
import { measureRawCapacity } from '../raw-capacity.ts';
import { openGeneratorOn } from './generator-for.ts';
import { runLeftovers } from './leftovers.ts';
import { localDatapath } from './local-datapath.ts';

const shell = localShell();
const trial = { loadPps: 100_000, durationS: 0.5, warmupS: 0.2, profile: { kind: 'fixed', frameBytes: 64 }, flows: 4, direction: 'bidirectional' } as const;

/** A run of its own; `live` collects the datapaths it brings up, `cleanup` takes all down and checks nothing is left. */
async function freshRun(name: string) {
  const runDir = await mkdtemp(join(tmpdir(), 'wsp-'));
  const runId = `${name}${Date.now().toString(36)}`;
  const runtime = createDpdkRuntime({ shell, runDir, runId });
  const live: RunningDatapath[] = [];
  const cleanup = async (gen: LocalGeneratorSession | undefined) => {
    await gen?.close();
    for (const dp of live) await dp.down();
    await runtime.cleanup();
    expect(await runLeftovers({ shell, runId, dirs: [join(runDir, 'sock'), runtime.runtimeDir] })).toEqual([]);
    await rm(runDir, { recursive: true, force: true });
  };
  return { runtime, live, cleanup, opts: { shell, runId, runDir, runtime } };
}

test('testpmd flowgen leaves the l3fwd memif server and wsp-gen connects at once: it measures, or says that no server listens', async () => {
  const run = await freshRun('mfs');
  let gen: LocalGeneratorSession | undefined;
  try {
    const dp = await localDatapath('memif', run.opts).up();
    run.live.push(dp);
    const raw = await measureRawCapacity(dp, { shell, runtime: run.runtime, frameBytes: 64, warmupS: 0.3, windowS: 0.5 });
    expect(raw.genRxPps).toBeGreaterThan(0);
    const t0 = performance.now();
    try {
      gen = await openGeneratorOn(dp, { shell, runtime: run.runtime });
    } catch (e) {
      // The DUT died when flowgen left (DPDK 22.11's memif): the start said why, after its bounded retries.
      expect(dp.dutAlive(), `the generator did not start while the DUT runs: ${String(e)}`).toBe(false);
      expect(String(e)).toMatch(/the memif client could not connect to \S+memif0\.sock in \d+ attempts over [\d.]+ s: Connection refused \(no memif server listens there/);
      expect(performance.now() - t0).toBeLessThan(15_000);
      test.info().annotations.push({ type: 'dut-died', description: dp.dutDeath() ?? '' });
      return;
    }
    const r = await measureOnDatapath(dp, gen, trial);
    expect(r.received).toBeGreaterThan(0);
  } finally {
    await run.cleanup(gen);
  }
});

test('wsp-gen started before its memif server listens retries the connect and gets the link once the server is up', async () => {
  const run = await freshRun('mfr');
  let gen: LocalGeneratorSession | undefined;
  try {
    // The sockets of this run's memif datapath, with no server behind them: the DUT is down.
    const first = await localDatapath('memif', run.opts).up();
    await first.down();
    const genP = openGeneratorOn(first, { shell, runtime: run.runtime });
    genP.catch(() => undefined);
    // Past EAL init (its telemetry socket exists), the port start comes next: let it be refused a few times.
    const telemetry = run.runtime.telemetrySocket(run.runtime.prefix('gen'));
    for (let i = 0; i < 300 && !(await access(telemetry).then(() => true, () => false)); i++) await sleep(50);
    await sleep(300);
    const dp = await localDatapath('memif', run.opts).up(); // the same socket paths: the same run dir
    run.live.push(dp);
    gen = await genP;
    expect(gen.log()).toContain('memif_connect_client(): Failed to connect socket'); // it was refused first
    const r = await measureOnDatapath(dp, gen, trial);
    expect(r.received).toBeGreaterThan(0);
  } finally {
    await run.cleanup(gen);
  }
});
