import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvisionError } from '../../core/errors.ts';
import { startSshd } from '../../fixtures/sshd/sshd.ts';
import { localShell } from '../shell/local.ts';
import { sshShell } from '../shell/ssh.ts';
import { fileLease } from './file-lease.ts';
import { thisHolder, type LeaseHolder } from './lease.ts';
import { LabBusyError, reserveLab } from './reserve.ts';

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wsp-lease-'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

const slot = (where = 'this machine') => fileLease({ shell: localShell(), where, dir });
const leaseFile = (): string => join(dir, 'lease.json');
const holderOf = (run: string, over: Partial<LeaseHolder> = {}): LeaseHolder => ({ ...thisHolder(run, 'local', `/results/${run}`), ...over });

/** A pid that is certainly not running: a process that has exited. */
function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return Number(r.stdout.toString().trim());
}

test('a second run stops at once with the lab exit code, naming the holder; it waits when told to and gets the lab when the first releases', async () => {
  const lines: string[] = [];
  const a = await reserveLab([slot()], { lab: 'local', holder: holderOf('run-a'), waitForLabMs: 0 });
  expect(JSON.parse(readFileSync(leaseFile(), 'utf8'))).toMatchObject({ runId: 'run-a', lab: 'local', host: hostname(), pid: process.pid, runDir: '/results/run-a' });

  const busy = await reserveLab([slot()], { lab: 'local', holder: holderOf('run-b'), waitForLabMs: 0 }).catch((e: unknown) => e);
  expect(busy).toBeInstanceOf(LabBusyError);
  const e = busy as LabBusyError;
  expect(e.exitCode).toBe(3);
  expect(e.holder.runId).toBe('run-a');
  expect(e.what).toMatch(new RegExp(`^lab local is held by run run-a of lab local \\(pid ${process.pid} on host ${hostname()}, since \\S+, heartbeat \\d+ s ago\\)$`));
  expect(e.where).toBe('this machine');
  expect(e.hint).toContain('--wait-for-lab');

  // B queues (polling fast); it must print who it waits for and get the lab only after A lets go.
  const events: string[] = [];
  const b = reserveLab([slot()], {
    lab: 'local',
    holder: holderOf('run-b'),
    waitForLabMs: 120_000,
    pollMs: 50,
    print: (l) => {
      lines.push(l);
      events.push('b waits');
    },
  }).then((r) => {
    events.push('b holds');
    return r;
  });
  await expect.poll(() => events.length, { timeout: 30_000 }).toBeGreaterThan(0);
  expect(lines[0]).toMatch(/^this machine: lab local is held by run run-a .*; waiting up to 2m for it \(--wait-for-lab\)$/);
  events.push('a releases');
  await a.release();
  const held = await b;
  expect(events.filter((x) => x !== 'b waits')).toEqual(['a releases', 'b holds']);
  expect(JSON.parse(readFileSync(leaseFile(), 'utf8'))).toMatchObject({ runId: 'run-b' });
  await held.release();
  expect(existsSync(leaseFile())).toBe(false);
});

test('a waiting run that never gets the lab stops after --wait-for-lab with the holder named', async () => {
  const a = await reserveLab([slot()], { lab: 'local', holder: holderOf('run-a'), waitForLabMs: 0 });
  try {
    const err = await reserveLab([slot()], { lab: 'local', holder: holderOf('run-b'), waitForLabMs: 300, pollMs: 50 }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(LabBusyError);
    expect((err as LabBusyError).hint).toMatch(/^waited 0.3 s \(--wait-for-lab\)/);
  } finally {
    await a.release();
  }
});

test('a stale lease is taken over with a warning: its process gone on this host, a reused pid, or no heartbeat', async () => {
  const cases: { name: string; holder: LeaseHolder; ageS: number; reason: RegExp }[] = [
    { name: 'dead pid', holder: holderOf('dead-run', { pid: deadPid() }), ageS: 0, reason: /^its process \d+ on .* is gone$/ },
    { name: 'reused pid', holder: holderOf('old-run', { pidStart: '1' }), ageS: 0, reason: /the pid now belongs to another process/ },
    { name: 'silent', holder: holderOf('far-run', { host: 'elsewhere.example' }), ageS: 600, reason: /^no heartbeat for \d+ s \(stale after 60 s\)$/ },
  ];
  for (const c of cases) {
    writeFileSync(leaseFile(), `${JSON.stringify(c.holder)}\n`);
    const t = new Date(Date.now() - c.ageS * 1000);
    utimesSync(leaseFile(), t, t);
    const lines: string[] = [];
    const r = await reserveLab([slot()], { lab: 'local', holder: holderOf('new-run'), waitForLabMs: 0, print: (l) => lines.push(l) });
    expect(r.tookOver, c.name).toHaveLength(1);
    expect(r.tookOver[0]!.previous.runId).toBe(c.holder.runId);
    expect(r.tookOver[0]!.reason, c.name).toMatch(c.reason);
    expect(lines.join('\n')).toContain(`warning: took over the lease of run ${c.holder.runId} at this machine: `);
    expect(JSON.parse(readFileSync(leaseFile(), 'utf8')).runId).toBe('new-run');
    await r.release();
  }
  // A fresh lease of another host is not stale.
  writeFileSync(leaseFile(), `${JSON.stringify(holderOf('live-run', { host: 'elsewhere.example' }))}\n`);
  await expect(reserveLab([slot()], { lab: 'local', holder: holderOf('new-run'), waitForLabMs: 0 })).rejects.toBeInstanceOf(LabBusyError);
});

test('heartbeats refresh the lease; a run whose lease is taken from it is told, and its release leaves the new holder alone', async () => {
  const lost: string[] = [];
  const r = await reserveLab([slot()], { lab: 'local', holder: holderOf('run-a'), waitForLabMs: 0, heartbeatMs: 50, onLost: (w) => lost.push(w) });
  const first = JSON.parse(readFileSync(leaseFile(), 'utf8')) as LeaseHolder;
  await expect.poll(() => (JSON.parse(readFileSync(leaseFile(), 'utf8')) as LeaseHolder).heartbeatAt, { timeout: 30_000 }).not.toBe(first.heartbeatAt);
  // Someone takes it as a run would after this one stalled past the stale bound: a compare-and-swap under
  // the lease's lock (a plain write could land under a heartbeat in flight and be overwritten by it).
  const other = slot();
  for (let taken = false; !taken; ) {
    const view = await other.read();
    taken = view !== undefined && (await other.replace(view, holderOf('thief', { host: 'elsewhere.example' }))).kind === 'replaced';
  }
  await expect.poll(() => lost.length, { timeout: 30_000 }).toBe(1);
  expect(lost[0]).toMatch(/^the lease at this machine is now held by run thief /);
  expect(r.lost()).toBe(lost[0]);
  await r.release();
  expect(JSON.parse(readFileSync(leaseFile(), 'utf8')).runId).toBe('thief');
});

test('all or none: a run that finds one part held gives back the parts it took', async () => {
  const dirB = mkdtempSync(join(tmpdir(), 'wsp-lease-b-'));
  try {
    const partB = () => fileLease({ shell: localShell(), where: 'node b', dir: dirB });
    const other = await reserveLab([partB()], { lab: 'lab', holder: holderOf('other'), waitForLabMs: 0 });
    await expect(reserveLab([slot('node a'), partB()], { lab: 'lab', holder: holderOf('mine'), waitForLabMs: 0 })).rejects.toBeInstanceOf(LabBusyError);
    expect(existsSync(leaseFile()), 'node a was given back').toBe(false);
    await other.release();
  } finally {
    rmSync(dirB, { recursive: true, force: true });
  }
});

test('a lease file that is not a wirespeed lease is reported, not overwritten', async () => {
  writeFileSync(leaseFile(), 'hello\n');
  const err = await reserveLab([slot()], { lab: 'local', holder: holderOf('run-a'), waitForLabMs: 0 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ProvisionError);
  expect((err as ProvisionError).message).toContain('it holds something that is not a wirespeed lease: "hello"');
  expect((err as ProvisionError).hint).toBe(`if no wirespeed run is going on there, remove it: \`rm ${dir}/lease.json\``);
  expect(readFileSync(leaseFile(), 'utf8')).toBe('hello\n');
});

test('over SSH the lease file on the node serialises runs the same way', async () => {
  await using sshd = await startSshd();
  const remote = () => fileLease({ shell: sshShell({ host: sshd.host, port: sshd.port, user: sshd.user, keyPath: sshd.keyPath, knownHostsPath: sshd.knownHostsPath }), where: 'node dut', dir, ownsShell: true });
  const a = await reserveLab([remote()], { lab: 'hw', holder: holderOf('run-a'), waitForLabMs: 0 });
  const err = await reserveLab([remote()], { lab: 'hw', holder: holderOf('run-b'), waitForLabMs: 0 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(LabBusyError);
  expect((err as LabBusyError).what).toMatch(/^lab hw is held by run run-a /);
  expect((err as LabBusyError).where).toBe('node dut');
  await a.release();
  const b = await reserveLab([remote()], { lab: 'hw', holder: holderOf('run-b'), waitForLabMs: 0 });
  expect(JSON.parse(readFileSync(leaseFile(), 'utf8')).runId).toBe('run-b');
  await b.release();
});
