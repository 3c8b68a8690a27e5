import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runLeftovers } from '../../drivers/datapath/local/leftovers.ts';
import { runTagOf } from '../../drivers/dpdk/runtime.ts';
import { DEFAULT_LEASE_DIR } from '../../drivers/lease/file-lease.ts';
import { localShell } from '../../drivers/shell/local.ts';
import { ENV } from '../../contract/env.ts';
import { REPO_ROOT } from './playwright.ts';
import { processesMentioning } from './sweep.ts';

/** Processes whose environment carries `NAME=value` (the Playwright runner, its workers, what they start). */
async function processesWithEnv(entry: string): Promise<number[]> {
  const pids: number[] = [];
  for (const p of await readdir('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    const env = await readFile(`/proc/${p}/environ`, 'latin1').catch(() => '');
    if (env.split('\0').includes(entry)) pids.push(Number(p));
  }
  return pids;
}

// Issue 16: a CI job timeout kills the CLI with SIGKILL. Its runner, workers, DUT and generator used to
// run on for the remaining scenarios; now the run's watchdog stops them and sweeps the run.
test('SIGKILL to `wirespeed run` mid-trial: runner, workers, DUT and generator die, the run is swept, the lab released, the records closed', async () => {
  test.setTimeout(240_000);
  const base = await mkdtemp(join(REPO_ROOT, 'test-results', 'kill-'));
  const runId = 'kill16';
  const outDir = join(base, runId);
  const marker = `wsp-${runTagOf(runId)}-`;
  const mark = `${ENV.out}=${outDir}`;
  const child = spawn(
    process.execPath,
    ['cli/wirespeed.js', 'run', '--lab', 'lab/local.yaml', '--quick', '--datapath', 'veth', '--suite', 'smoke', '--out', outDir],
    { cwd: REPO_ROOT, env: { ...process.env, WIRESPEED_TRIAL_S: '60' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<string | null>((resolve) => child.once('exit', (_c, sig) => resolve(sig)));
  let runner: number[] = [];
  try {
    await expect.poll(() => output, { timeout: 120_000 }).toMatch(/start 1n-local-2p-veth-l3fwd-64b-smoke/);
    // DUT and generator are up (they carry the run's DPDK prefix) and the runner and its worker run.
    await expect.poll(async () => (await processesMentioning(marker)).length, { timeout: 60_000 }).toBeGreaterThan(0);
    runner = await processesWithEnv(mark);
    expect(runner.length, 'the Playwright runner and its worker').toBeGreaterThanOrEqual(2);
    const lease = JSON.parse(readFileSync(join(DEFAULT_LEASE_DIR, 'lease.json'), 'utf8')) as { runId: string; pid: number };
    expect(lease).toMatchObject({ runId, pid: child.pid });

    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // No timings: poll with a generous deadline until nothing of the run is left.
    await expect
      .poll(
        async () => [
          ...(await processesMentioning(marker)).map((p) => `process ${p} (tag)`),
          ...(await processesWithEnv(mark)).map((p) => `process ${p} (environment)`),
          ...(await runLeftovers({ shell: localShell(), runId, dirs: [join(outDir, 'sock'), join(outDir, 'rt')] })),
          ...(existsSync(join(DEFAULT_LEASE_DIR, 'lease.json')) ? [`lease ${readFileSync(join(DEFAULT_LEASE_DIR, 'lease.json'), 'utf8').trim()}`] : []),
        ],
        { timeout: 90_000, intervals: [500] },
      )
      .toEqual([]);
    const lines = (await readFile(join(outDir, 'records.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { kind: string; status?: string; error?: string });
    expect(lines[0]?.kind).toBe('run-start');
    expect(lines.at(-1)).toMatchObject({ kind: 'run-end', status: 'aborted' });
    expect(lines.at(-1)?.error).toMatch(new RegExp(`^the wirespeed CLI \\(pid ${child.pid} on \\S+\\) died; its watchdog stopped the runner and swept .*process \\d+ `));
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const p of [...runner, ...(await processesMentioning(marker))]) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await rm(base, { recursive: true, force: true });
  }
});
