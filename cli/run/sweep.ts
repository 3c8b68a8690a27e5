/**
 * After Playwright exits, remove whatever the run left behind if a worker died before its teardown
 * (SIGKILL after a hard timeout, a crash): processes, network namespaces, hugepage files and shared memory
 * (VPP's API segment) carrying the run's tag, and the run's DPDK runtime and socket directories. Only things named after this run are touched.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runTagOf, DEFAULT_HUGEPAGE_DIR } from '../../drivers/dpdk/runtime.ts';
import type { Shell } from '../../drivers/shell/shell.ts';

export interface SweepReport {
  killed: number[];
  namespaces: string[];
  files: string[];
}

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
export async function sweepRun(shell: Shell, runId: string, runDir: string, hugepageDir = DEFAULT_HUGEPAGE_DIR, shmDir = '/dev/shm'): Promise<SweepReport> {
  const tag = runTagOf(runId);
  const marker = `wsp-${tag}`;
  const report: SweepReport = { killed: [], namespaces: [], files: [] };
  for (const pid of await processesMentioning(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
      report.killed.push(pid);
    } catch {
      /* gone meanwhile */
    }
  }
  if (report.killed.length > 0) await new Promise((r) => setTimeout(r, 300));
  const ns = await shell.exec(['ip', 'netns', 'list'], { timeoutMs: 10_000 });
  for (const line of ns.stdout.split('\n')) {
    const name = line.trim().split(/\s+/)[0] ?? '';
    if (name.includes(marker) || name.includes(tag)) {
      await shell.exec(['ip', 'netns', 'delete', name], { timeoutMs: 10_000 });
      report.namespaces.push(name);
    }
  }
  // Hugepage files of DPDK processes, and the API segment a killed VPP leaves in /dev/shm (its prefix is tagged).
  for (const dir of [hugepageDir, shmDir]) {
    for (const f of await readdir(dir).catch(() => [] as string[])) {
      if (f.startsWith(marker)) {
        await rm(join(dir, f), { force: true });
        report.files.push(join(dir, f));
      }
    }
  }
  // A fake cluster's node (fixtures/kube) keeps its pods under /run/<marker>-k8s-*: their hugetlbfs and bind
  // mounts first, then the directory.
  const mounts = (await readFile('/proc/mounts', 'utf8').catch(() => '')).split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.includes(`/${marker}`));
  for (const m of mounts.reverse()) {
    await shell.exec(['umount', '-l', m], { timeoutMs: 10_000 });
    report.files.push(m);
  }
  for (const d of await readdir('/run').catch(() => [] as string[])) {
    if (!d.startsWith(marker)) continue;
    await rm(join('/run', d), { recursive: true, force: true });
    report.files.push(join('/run', d));
  }
  for (const dir of [join(runDir, 'rt'), join(runDir, 'sock')]) {
    const entries = await readdir(dir).catch(() => null);
    if (entries === null) continue;
    await rm(dir, { recursive: true, force: true });
    if (entries.length > 0) report.files.push(dir);
  }
  return report;
}
