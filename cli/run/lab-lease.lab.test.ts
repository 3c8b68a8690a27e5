import { test, expect } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_LEASE_DIR } from '../../drivers/lease/file-lease.ts';
import { thisHolder } from '../../drivers/lease/lease.ts';
import { reserveRunLab, type RunReservation } from '../../drivers/lease/reserve-lab.ts';
import { loadLab } from '../../lab/load.ts';
import type { RunStartRecord } from '../../reports/schema/record.ts';
import { REPO_ROOT } from './playwright.ts';

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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Issue 16: two runs on one lab used to share its CPUs silently. Now a run takes over a dead run's lease
// (sweeping what it left); while the lab is held, another run stops (exit 3) or waits and starts when the
// lab is given back. The holder in the second part is this test, through the very reservation a run
// takes, so that how long a run lasts on a loaded machine cannot decide what the waiting run sees.
test("a run takes over a dead run's lease and sweeps it; while the lab is held an impatient run exits 3 and a waiting one starts once it is given back", async () => {
  test.setTimeout(280_000);
  const base = await mkdtemp(join(REPO_ROOT, 'test-results', 'lease-'));
  const leaseFile = join(DEFAULT_LEASE_DIR, 'lease.json');
  const ghost = 'ghost16';
  const leftover = spawn('bash', ['-c', `exec -a wsp-${ghost}-dut sleep 300`], { stdio: 'ignore', detached: true });
  const clis: Cli[] = [];
  let held: RunReservation | undefined;
  try {
    // The lease a run killed with SIGKILL (and no watchdog) leaves behind: its pid is gone.
    const deadPid = Number(spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim());
    mkdirSync(DEFAULT_LEASE_DIR, { recursive: true });
    writeFileSync(leaseFile, `${JSON.stringify({ ...thisHolder(ghost, 'local', join(base, ghost)), pid: deadPid })}\n`);

    const run = (name: string, extra: string[] = []): Cli => {
      const c = wirespeed(['run', '--lab', 'lab/local.yaml', '--quick', '--suite', 'smoke', '--datapath', 'veth', '--frame-size', '64', '--out', join(base, name), ...extra], { WIRESPEED_TRIAL_S: '2' });
      clis.push(c);
      return c;
    };
    const a = run('ra');
    await expect.poll(() => a.output(), { timeout: 60_000 }).toContain('wirespeed run ra: lab local');
    expect(a.output()).toMatch(new RegExp(`warning: took over the lease of run ${ghost} at this machine: its process ${deadPid} on \\S+ is gone`));
    expect(a.output()).toContain(`swept what run ${ghost} left at this machine: process ${leftover.pid} sleep`);
    await expect.poll(() => alive(leftover.pid!)).toBe(false);
    expect(await a.exited, a.output()).not.toBe(3);
    const aStart = records(join(base, 'ra'))[0] as RunStartRecord;
    expect(aStart.reservation?.leases).toEqual(['this machine']);
    expect(aStart.reservation?.tookOver).toEqual([
      expect.objectContaining({ where: 'this machine', runId: ghost, pid: deadPid, reason: expect.stringMatching(/ is gone$/), swept: expect.arrayContaining([`process ${leftover.pid} sleep`]) }),
    ]);
    expect(existsSync(leaseFile), 'ra gave the lab back').toBe(false);

    held = await reserveRunLab(await loadLab('lab/local.yaml'), { runId: 'holder16', runDir: join(base, 'holder16'), waitForLabMs: 0 });
    const c = run('rc');
    expect(await c.exited, c.output()).toBe(3);
    expect(c.output()).toMatch(new RegExp(`wirespeed: LabBusyError: this machine: lab local is held by run holder16 of lab local \\(pid ${process.pid} on host \\S+, since \\S+, heartbeat \\d+ s ago\\)\\n {2}hint: wait for it to end, or queue behind it with --wait-for-lab 30m`));
    expect(existsSync(join(base, 'rc')), 'a run that did not get the lab writes nothing').toBe(false);
    const b = run('rb', ['--wait-for-lab', '4m']);
    await expect.poll(() => b.output(), { timeout: 60_000 }).toMatch(/this machine: lab local is held by run holder16 .*; waiting up to 4m for it \(--wait-for-lab\)/);
    expect(b.output()).not.toContain('wirespeed run rb:');
    const givenBackAt = Date.now();
    await held.release();
    held = undefined;

    expect(await b.exited, b.output()).not.toBe(3);
    const bStart = records(join(base, 'rb'))[0] as RunStartRecord;
    expect(bStart.reservation?.tookOver).toEqual([]);
    expect(Date.parse(bStart.startedAt)).toBeGreaterThanOrEqual(givenBackAt);
    expect(existsSync(leaseFile), 'the last run gave the lab back').toBe(false);
  } finally {
    await held?.release();
    for (const c of clis) if (c.child.exitCode === null) c.child.kill('SIGINT');
    await Promise.all(clis.map((c) => c.exited));
    if (leftover.pid && alive(leftover.pid)) process.kill(leftover.pid, 'SIGKILL');
    await rm(base, { recursive: true, force: true });
  }
});
