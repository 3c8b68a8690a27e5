/**
 * The real VPP as the vswitch between our generator and l3fwd (memif-vpp, vhost-user-vpp), on two cores:
 * VPP shares the DUT's CPU, here in interrupt rx-mode (skipped, with the locator's reason, where there is no VPP).
 */
import { test, expect } from '@playwright/test';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDpdkRuntime } from '../../dpdk/runtime.ts';
import { localShell } from '../../shell/local.ts';
import { locateVpp } from '../../vpp/locate-vpp.ts';
import { measureOnDatapath } from '../measure.ts';
import { openGeneratorOn } from './generator-for.ts';
import { runLeftovers } from './leftovers.ts';
import { vppVswitchDatapath, type RunningVppVswitch, type VppVswitchDatapath } from './vpp-vswitch.ts';

const shell = localShell();
const located = locateVpp();

test.beforeEach(() => {
  test.skip('absent' in located, 'absent' in located ? located.absent : '');
});

for (const kind of ['memif-vpp', 'vhost-user-vpp'] as const satisfies readonly VppVswitchDatapath[]) {
  test(`${kind}: l3fwd behind VPP (interrupt rx-mode on the DUT's CPU) forwards both directions, and VPP carried every packet`, async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'wsp-'));
    const runId = `${kind === 'memif-vpp' ? 'vsm' : 'vsv'}${Date.now().toString(36)}`;
    const runtime = createDpdkRuntime({ shell, runDir, runId });
    const pids: number[] = [];
    let dp: RunningVppVswitch | undefined;
    try {
      // Interrupt rx-mode (the default is polling): it needs the datapath to set the mode again once the generator connects.
      dp = (await vppVswitchDatapath(kind, { shell, runId, runDir, runtime, vswitchRxMode: 'interrupt' }).up()) as RunningVppVswitch;
      const vpp = dp.vswitch.vpp;
      pids.push(dp.dut.pid!, vpp.process.pid);
      expect(dp.dut.kind).toBe('l3fwd');
      expect(dp.vswitch.placement).toEqual({ cpu: 0, ownCpu: false, rxMode: 'interrupt' });
      await using gen = await openGeneratorOn(dp, { shell, runtime });
      pids.push(gen.pid);
      // VPP puts a queue back to polling when its peer connects: the datapath sets interrupt again.
      await dp.vswitch.rxModeApplied();
      const queues = await vpp.vppctl.showRxPlacement();
      expect(queues).toHaveLength(4);
      expect(queues.every((q) => q.mode === 'interrupt')).toBe(true);
      await vpp.vppctl.clearCounters();
      // Three processes on two CPUs forward little (docs/local-lab.md): a low load, counted, not demanded lossless.
      const r = await measureOnDatapath(dp, gen, { loadPps: 20_000, durationS: 1, warmupS: 0.3, profile: { kind: 'fixed', frameBytes: 64 }, flows: 4, direction: 'bidirectional' });
      for (const d of r.directions) expect(d.received, d.name).toBeGreaterThan(0.8 * d.attempted);
      // Each packet crossed VPP twice (generator -> l3fwd, l3fwd -> generator): its four ports together
      // received at least twice what came back to the generator.
      const ifs = (await vpp.vppctl.showInt()).filter((i) => i.name !== 'local0');
      expect(ifs).toHaveLength(4);
      const rx = ifs.reduce((s, i) => s + (i.counters['rx packets'] ?? 0), 0);
      expect(rx).toBeGreaterThanOrEqual(2 * r.received);
    } finally {
      await dp?.down();
      await runtime.cleanup();
      const shm = (await readdir('/dev/shm')).filter((f) => f.startsWith(runtime.prefix('vppsw')));
      const left = await runLeftovers({ shell, runId, dirs: [join(runDir, 'sock'), runtime.runtimeDir], pids });
      await rm(runDir, { recursive: true, force: true });
      expect([...left, ...shm.map((f) => `/dev/shm/${f}`)], 'left behind by the run').toEqual([]);
    }
  });
}
