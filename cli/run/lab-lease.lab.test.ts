import { test, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_LEASE_DIR } from '../../drivers/lease/file-lease.ts';
import { runTagOf } from '../../drivers/dpdk/runtime.ts';
import { processStart, thisHolder } from '../../drivers/lease/lease.ts';
import type { RunStartRecord } from '../../reports/schema/record.ts';
import { REPO_ROOT } from './playwright.ts';
import { alive } from '../../fixtures/alive.ts';

interface Cli {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function wirespeed(args: string[], env: Record<string, string> = {}): Cli {
  const child = spawn(process.execPath, ['cli/wirespeed.js', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out, exited: new Promise((resolve) => child.once('exit', (c) => resolve(c))) };
}

const records = (dir: string): { kind: string }[] =>
  readFileSync(join(dir, 'records.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string });

// Issue 16: two runs on one lab used to share its CPUs silently. Now, while the lab is held, a run stops
// (exit 3, naming the holder) or waits; when the holder dies without giving the lab back (SIGKILL to a
// CLI whose watchdog died too), the waiting run takes its lease over, sweeps what it left, and starts.
// The runs are tiny (one scenario, skipped: the local lab has no SR-IOV), so nothing here waits on DPDK;
// what is proved is the reservation of the real CLI. Two reservations serialising, a lab given back to a
// waiter, heartbeats and all-or-none are proved in drivers/lease/reserve.test.ts.
test("while a run holds the lab an impatient run exits 3 naming it and a waiting one waits; when the holder dies the waiter takes its lease over, sweeps what it left, and runs", async () => {
  test.setTimeout(180_000);
  const base = await mkdtemp(join(REPO_ROOT, 'test-results', 'lease-'));
  const leaseFile = join(DEFAULT_LEASE_DIR, 'lease.json');
  const ghost = 'ghost16';
  // The holder's CLI (its pid is in the lease) and a process of its run (the run's tag in its command line).
  const holder = spawn('sleep', ['300'], { stdio: 'ignore', detached: true });
  const leftover = spawn('bash', ['-c', `exec -a wsp-${runTagOf(ghost)}-dut sleep 300`], { stdio: 'ignore', detached: true });
  const clis: Cli[] = [];
  try {
    const pidStart = processStart(holder.pid!);
    expect(pidStart, 'the holder runs').toBeDefined();
    mkdirSync(DEFAULT_LEASE_DIR, { recursive: true });
    writeFileSync(leaseFile, `${JSON.stringify({ ...thisHolder(ghost, 'local', join(base, ghost)), pid: holder.pid, pidStart })}\n`);

    const run = (name: string, extra: string[] = []): Cli => {
      const c = wirespeed(['run', '--lab', 'lab/local.yaml', '--quick', '--suite', 'smoke', '--datapath', 'sriov', '--grep', 'one short trial', '--out', join(base, name), ...extra]);
      clis.push(c);
      return c;
    };
    const c = run('rc');
    const b = run('rb', ['--wait-for-lab', '4m']);
    expect(await c.exited, c.output()).toBe(3);
    expect(c.output()).toMatch(new RegExp(`wirespeed: LabBusyError: this machine: lab local is held by run ${ghost} of lab local \\(pid ${holder.pid} on host \\S+, since \\S+, heartbeat \\d+ s ago\\)\\n {2}hint: wait for it to end, or queue behind it with --wait-for-lab 30m`));
    expect(existsSync(join(base, 'rc')), 'a run that did not get the lab writes nothing').toBe(false);
    await expect.poll(() => b.output(), { timeout: 60_000 }).toMatch(new RegExp(`this machine: lab local is held by run ${ghost} .*; waiting up to 4m for it \\(--wait-for-lab\\)`));
    expect(b.output()).not.toContain('wirespeed run rb:');

    holder.kill('SIGKILL');
    expect(await b.exited, b.output()).toBe(0);
    expect(b.output()).toMatch(new RegExp(`warning: took over the lease of run ${ghost} at this machine: its process ${holder.pid} on \\S+ is gone`));
    expect(b.output()).toContain(`swept what run ${ghost} left at this machine: process ${leftover.pid} sleep`);
    expect(b.output()).toContain('run rb: 1 skipped; exit code 0');
    expect(alive(leftover.pid!)).toBe(false);
    const bStart = records(join(base, 'rb'))[0] as RunStartRecord;
    expect(bStart.reservation?.leases).toEqual(['this machine']);
    expect(bStart.reservation?.tookOver).toEqual([
      expect.objectContaining({ where: 'this machine', runId: ghost, pid: holder.pid, reason: expect.stringMatching(/ is gone$/), swept: [`process ${leftover.pid} sleep`] }),
    ]);
    expect(existsSync(leaseFile), 'rb gave the lab back').toBe(false);
  } finally {
    for (const cli of clis) if (cli.child.exitCode === null) cli.child.kill('SIGINT');
    await Promise.all(clis.map((cli) => cli.exited));
    for (const p of [holder, leftover]) if (p.pid && alive(p.pid)) process.kill(p.pid, 'SIGKILL');
    // A lease this test wrote and no run took over.
    if (existsSync(leaseFile) && readFileSync(leaseFile, 'utf8').includes(`"${ghost}"`)) rmSync(leaseFile, { force: true });
    await rm(base, { recursive: true, force: true });
  }
});
