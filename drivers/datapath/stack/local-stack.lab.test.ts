import { test, expect } from '@playwright/test';
import { nodeShells } from '../../shell/node-shells.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLab } from '../../../lab/load.ts';
import type { DatapathKind } from '../../../lab/schema.ts';
import type { TrialResult, TrialSpec } from '../../../method/trial.ts';
import { createDpdkRuntime } from '../../dpdk/runtime.ts';
import { localShell } from '../../shell/local.ts';
import { runLeftovers } from '../local/leftovers.ts';
import type { StackRequest } from './request.ts';
import { stackFor } from './stack-for.ts';
import type { RunningStack } from './stack.ts';

const shell = localShell();

const trial = (loadPps: number, durationS: number): TrialSpec => ({
  loadPps,
  durationS,
  warmupS: 0.2,
  profile: { kind: 'fixed', frameBytes: 64 },
  flows: 1,
  direction: 'bidirectional',
});

/** Bring the local lab's stack up through the factory, run `fn`, release it, and check nothing of the run is left. */
async function withStack(datapath: DatapathKind, name: string, fn: (s: RunningStack) => Promise<void>, local?: StackRequest['local']): Promise<void> {
  const runDir = await mkdtemp(join(tmpdir(), 'wsp-'));
  const runId = `${name}${Date.now().toString(36)}`;
  const runtime = createDpdkRuntime({ shell, runDir, runId });
  const lab = await loadLab('lab/local.yaml');
  const pids: number[] = [];
  try {
    const stack = stackFor({ lab, shells: nodeShells(lab), datapath, dut: 'l3fwd', generator: 'wsp-gen', runId, runDir, shell, runtime, ...(local ? { local } : {}) });
    expect(await stack.availability()).toBeNull();
    await using s = await stack.up();
    pids.push(s.running.dut.pid!);
    await fn(s);
    pids.push(s.running.dut.pid!);
  } finally {
    await runtime.cleanup();
    const left = await runLeftovers({ shell, runId, dirs: [join(runDir, 'sock'), join(runDir, 'st'), runtime.runtimeDir], pids });
    await rm(runDir, { recursive: true, force: true });
    expect(left, 'left behind by the run').toEqual([]);
  }
}

/** Generator-only trials (the DUT or vswitch is away on purpose) until packets come back, or the time is up. */
async function untilTrafficReturns(s: RunningStack, withinS: number): Promise<TrialResult[]> {
  const seen: TrialResult[] = [];
  const deadline = Date.now() + withinS * 1000;
  while (Date.now() < deadline) {
    const r = await s.generator.measure(trial(5_000, 0.5));
    seen.push(r);
    if (r.directions.every((d) => d.received > 0)) return seen;
  }
  throw new Error(`no traffic back within ${withinS} s: ${seen.map((r) => r.received).join(', ')} received per trial`);
}

test('vhost-user-ovs (forced onto 2 cores): OVS-DPDK restarts under load and traffic comes back through it in both directions', async () => {
  await withStack(
    'vhost-user-ovs',
    'ovsr',
    async (s) => {
      expect(s.capabilities.restartVswitch).toBeDefined();
      expect(s.capabilities.restartDut).toBeUndefined();
      expect(s.whyNot('restartDut')).toBe('the vhost-user-ovs datapath does not offer a DUT restart');
      const before = await s.measure(trial(5_000, 1));
      for (const d of before.directions) expect(d.received).toBeGreaterThan(0);
      // Under load: the restart lands while a trial runs, which loses what OVS held.
      const during = s.generator.measure(trial(5_000, 3));
      await new Promise((r) => setTimeout(r, 500));
      await s.capabilities.restartVswitch!.restartVswitch();
      const hit = await during;
      expect(hit.lost, 'packets lost while OVS was away').toBeGreaterThan(0);
      const after = await untilTrafficReturns(s, 20);
      expect(after.at(-1)!.received).toBeGreaterThan(0);
      // The DUT never went away: the same l3fwd forwards after the restart.
      expect(s.running.dutAlive()).toBe(true);
    },
    { cpuCount: 3, vswitchCpu: 0 },
  );
});

test('vhost-user: the DUT restarts under load and reconnects; the max load is the generator ceiling, measured once', async () => {
  await withStack('vhost-user', 'vrst', async (s) => {
    expect(s.capabilities.flapLink).toBeUndefined();
    const firstPid = s.running.dut.pid;
    await s.capabilities.restartDut!.restartDut();
    expect(s.running.dut.pid).not.toBe(firstPid);
    await untilTrafficReturns(s, 20);
    expect(s.running.dutLog()).toContain('restarted');
    const max = await s.maxOfferedLoad({ kind: 'fixed', frameBytes: 64 });
    expect(max.basis).toBe('generator-ceiling');
    expect(max.loadPps).toBeGreaterThan(100_000);
    expect(await s.maxOfferedLoad({ kind: 'fixed', frameBytes: 64 })).toBe(max);
  });
});
