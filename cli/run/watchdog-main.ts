/**
 * The run watchdog process (see cli/run/watchdog.ts). It waits for its stdin to end. After "done" it
 * exits. Without it the CLI died: it kills the Playwright runner's process group (runner and workers),
 * sweeps the run on every host of the lab (processes by the run's tag or inherited environment,
 * namespaces, hugepage files, DPDK runtime directories, sockets), gives back the leases the dead CLI
 * held, and appends a run-end record saying what happened and what it removed.
 */
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { open, stat } from 'node:fs/promises';
import { localShell } from '../../drivers/shell/local.ts';
import { sweepLines, sweepRunOn } from '../../drivers/host/sweep-run.ts';
import { releaseLeasesOf, sweepRunEverywhere } from '../../drivers/lease/reserve-lab.ts';
import { loadLab } from '../../lab/load.ts';
import { openRunStore, readRun, RECORDS_FILE } from '../../reports/store/jsonl.ts';
import type { WatchdogArgs } from './watchdog.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as WatchdogArgs;
const say = (line: string): void => {
  process.stderr.write(`wirespeed watchdog: ${line}\n`);
};
// Signals meant for the CLI's terminal or job are not meant for the watchdog: it must outlive the CLI.
for (const s of ['SIGINT', 'SIGHUP', 'SIGTERM', 'SIGPIPE'] as const) process.on(s, () => {});

const groups = new Set<number>();
let done = false;
let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buffer += chunk;
  let nl;
  while ((nl = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, nl).trim();
    buffer = buffer.slice(nl + 1);
    const pg = /^pg (\d+)$/.exec(line);
    if (pg) groups.add(Number(pg[1]));
    else if (line === 'done') done = true;
  }
});
process.stdin.on('close', () => {
  if (done) process.exit(0);
  cleanUp().then(
    () => process.exit(0),
    (err: unknown) => {
      say(`cleaning up run ${args.runId} failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
});

async function cleanUp(): Promise<void> {
  say(`the CLI (pid ${args.cliPid}) of run ${args.runId} died; stopping what it started`);
  for (const pg of groups) {
    try {
      process.kill(-pg, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  const problems: string[] = [];
  let swept: string[] = [];
  let released: string[] = [];
  const lab = await loadLab(args.lab, { checkFiles: false }).catch((err: unknown) => {
    problems.push(`lab ${args.lab} did not load (${(err as Error).message.split('\n')[0]}): swept this machine only`);
    return undefined;
  });
  try {
    const target = { runId: args.runId, runDir: args.runDir, envMark: args.envMark };
    // Twice: a worker killed mid-spawn can leave a child that appears after the first pass.
    for (let pass = 0; pass < 2; pass++) {
      const lines = lab ? await sweepRunEverywhere(lab, target) : sweepLines(await sweepRunOn(localShell(), target)).map((l) => `this machine: ${l}`);
      swept.push(...lines);
      if (lines.length === 0) break;
    }
    if (lab) released = await releaseLeasesOf(lab, { runId: args.runId, pid: args.cliPid, host: args.cliHost }).catch((err: unknown) => {
      problems.push(`leases not given back (${(err as Error).message.split('\n')[0]}): they go stale after 60 s`);
      return [];
    });
  } catch (err) {
    problems.push(`sweep stopped: ${(err as Error).message.split('\n')[0]}`);
  }
  swept = [...new Set(swept)];
  say(`run ${args.runId}: swept ${swept.length ? swept.join('; ') : 'nothing'}${released.length ? `; lab released at ${released.join(', ')}` : ''}`);
  for (const p of problems) say(p);
  await closeRecords(swept, problems);
}

/** Append run-end (aborted) unless the run already has one; records measured so far stay as they are. */
async function closeRecords(swept: readonly string[], problems: readonly string[]): Promise<void> {
  const file = join(args.runDir, RECORDS_FILE);
  if (!(await stat(file).catch(() => undefined))) return;
  const run = await readRun(args.runDir);
  if (run.records.some((r) => r.kind === 'run-end')) return;
  // A worker killed mid-write can leave half a line: end it, so the run-end is a line of its own.
  const fh = await open(file, 'r+');
  try {
    const { size } = await fh.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) await fh.write('\n', size);
    }
  } finally {
    await fh.close();
  }
  const results = run.records.filter((r) => r.kind === 'result');
  const count = (s: string): number => results.filter((r) => r.kind === 'result' && r.status === s).length;
  const store = await openRunStore(args.runId, { resultsDir: dirname(args.runDir) });
  try {
    await store.write({
      kind: 'run-end',
      endedAt: new Date().toISOString(),
      status: 'aborted',
      counts: { passed: count('passed'), failed: count('failed'), skipped: count('skipped') },
      error:
        `the wirespeed CLI (pid ${args.cliPid} on ${hostname()}) died; its watchdog stopped the runner and swept ` +
        `${swept.length ? swept.join('; ') : 'nothing'}${problems.length ? `; ${problems.join('; ')}` : ''}`,
    });
  } finally {
    await store.close();
  }
}
