/**
 * The real l3fwd with two polling lcores (the multi-core DUT of nic-performance): it takes the argv wirespeed
 * builds, enters its main loop on both lcores with one RX queue per lcore and port, and says in its log when
 * a port has no RSS to spread flows over those queues (memif has none: the local lab's 2c/4c cells skip).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { localShell } from '../shell/local.ts';
import { runLeftovers } from '../datapath/local/leftovers.ts';
import { portsWithoutRss, startL3fwd } from './l3fwd.ts';
import { createDpdkRuntime } from './runtime.ts';

const shell = localShell();

test('l3fwd on 2 lcores polls queue 0 and 1 of both ports, and its log names the ports without RSS', async () => {
  const runDir = await mkdtemp(join(tmpdir(), 'wsp-'));
  const runId = `mc${Date.now().toString(36)}`;
  const runtime = createDpdkRuntime({ shell, runDir, runId });
  await runtime.prepare();
  const pids: number[] = [];
  try {
    const l3fwd = await startL3fwd({
      shell,
      runtime,
      cpu: 0,
      extraCpus: [1],
      memoryMb: 128,
      vdevs: [0, 1].map((i) => `net_memif${i},role=server,id=0,socket=${runDir}/m${i}.sock,socket-abstract=no`),
    });
    pids.push(l3fwd.pid);
    try {
      expect(l3fwd.lcores).toBe(2);
      // Ready only once both lcores entered the main loop (they print it in either order).
      const log = l3fwd.log();
      expect(log).toMatch(/entering main loop on lcore 0/);
      expect(log).toMatch(/entering main loop on lcore 1/);
      // Each lcore polls its own queue of each port.
      for (const lcore of [0, 1]) for (const port of [0, 1]) expect(log).toMatch(new RegExp(`lcoreid=${lcore} portid=${port} rxqueueid=${lcore}\\b`));
      expect(portsWithoutRss(log)).toEqual([0, 1]);
      expect(l3fwd.exited()).toBeNull();
    } finally {
      await l3fwd.stop();
    }
  } finally {
    await runtime.cleanup();
    await rm(runDir, { recursive: true, force: true });
  }
  expect(await runLeftovers({ shell, runId, dirs: [runtime.runtimeDir], pids })).toEqual([]);
});
