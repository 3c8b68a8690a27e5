/**
 * After Playwright exits, remove whatever the run left behind if a worker died before its teardown
 * (SIGKILL after a hard timeout, a crash): processes, network namespaces, hugepage files and shared memory
 * (VPP's API segment) carrying the run's tag, and the run's DPDK runtime and socket directories. Only things
 * named after this run are touched; the work is drivers/host/sweep-run.ts, shared with the watchdog and the
 * takeover of a stale lease.
 */
import { readdir, readFile } from 'node:fs/promises';
import { sweepRunOn, type SweepReport } from '../../drivers/host/sweep-run.ts';
import type { Shell } from '../../drivers/shell/shell.ts';

export type { SweepReport } from '../../drivers/host/sweep-run.ts';

/** Processes whose command line mentions the marker (other than this process). */
export async function processesMentioning(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker)) pids.push(pid);
  }
  return pids;
}

/** Sweep the leftovers of run `runId` whose run directory is `runDir`. */
export function sweepRun(shell: Shell, runId: string, runDir: string): Promise<SweepReport> {
  return sweepRunOn(shell, { runId, runDir });
}
