import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandFailedError } from '../../core/errors.ts';
import { localShell } from './local.ts';
import { alive } from '../../fixtures/alive.ts';

test('exec returns stdout, stderr and the exit code without throwing', async () => {
  const r = await localShell().exec({ script: 'echo out; echo err >&2; exit 3' });
  expect(r).toMatchObject({ exitCode: 3, signal: null, stdout: 'out\n', stderr: 'err\n', timedOut: false });
  expect(r.durationMs).toBeGreaterThan(0);
});

test('argv runs without a shell; env, cwd and stdin are passed', async () => {
  const sh = localShell();
  expect((await sh.run(['echo', '$HOME', '*'])).stdout).toBe('$HOME *\n');
  expect((await sh.run(['sh', '-c', 'echo "$WSP_X"'], { env: { WSP_X: 'a b' } })).stdout).toBe('a b\n');
  expect((await sh.run(['pwd'], { cwd: '/usr' })).stdout).toBe('/usr\n');
  expect((await sh.run(['cat'], { stdin: 'fed\nin' })).stdout).toBe('fed\nin');
});

test('run throws CommandFailedError with host, command, exit meaning and stderr', async () => {
  const err = await localShell()
    .run(['sh', '-c', 'echo "no such device" >&2; exit 137'])
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CommandFailedError);
  const e = err as CommandFailedError;
  expect(e.host).toBe('local');
  expect(e.command).toBe(`sh -c 'echo "no such device" >&2; exit 137'`);
  expect(e.exitCode_).toBe(137);
  expect(e.message).toContain('exit 137: killed (SIGKILL');
  expect(e.message).toContain('no such device');
});

test('a missing program is exit 127 for exec and a CommandFailedError with a hint for run', async () => {
  const r = await localShell().exec(['wsp-no-such-program']);
  expect(r.exitCode).toBe(127);
  expect(r.stderr).toContain('command not found');
  const e = await localShell().run(['wsp-no-such-program']).catch((x: unknown) => x);
  expect((e as CommandFailedError).message).toContain('exit 127: command not found');
  expect((e as CommandFailedError).hint).toContain('not installed');
});

test('a timeout kills the command and everything it started', async () => {
  const sh = localShell();
  // The child ignores TERM, so KILL must follow; its own child (sleep) must die with the group.
  const r = await sh.exec({ script: "trap '' TERM; sleep 30 & echo $!; wait" }, { timeoutMs: 300 });
  expect(r.timedOut).toBe(true);
  expect(r.signal).toBe('SIGKILL');
  const sleeper = Number(r.stdout.trim());
  expect(sleeper).toBeGreaterThan(0);
  await expect.poll(() => alive(sleeper)).toBe(false);
  const e = await sh.run(['sleep', '30'], { timeoutMs: 200 }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(CommandFailedError);
  expect((e as CommandFailedError).message).toContain('timed out after 200 ms');
});

test('an abort signal stops the command and rejects', async () => {
  const ac = new AbortController();
  const p = localShell().exec(['sleep', '30'], { signal: ac.signal });
  setTimeout(() => ac.abort(new Error('stop now')), 100);
  await expect(p).rejects.toThrow('stop now');
});

test('spawn: pid, streamed output, ring buffer, stdin, wait', async () => {
  const chunks: string[] = [];
  const p = await localShell().spawn({ script: 'while read l; do echo "got $l"; done; echo bye >&2; exit 4' }, {
    onStdout: (c) => chunks.push(c),
    ringBytes: 12,
  });
  expect(alive(p.pid)).toBe(true);
  await p.write('one\n');
  await expect.poll(() => chunks.join('')).toBe('got one\n');
  await p.write('two\n');
  p.endInput();
  expect(await p.wait()).toEqual({ exitCode: 4, signal: null });
  expect(p.exited()).toEqual({ exitCode: 4, signal: null });
  expect(chunks.join('')).toBe('got one\ngot two\n');
  expect(p.output()).toBe('got two\nbye\n'.slice(-12));
});

test('spawn + kill: TERM first, KILL when TERM is ignored; dispose kills', async () => {
  const sh = localShell();
  const polite = await sh.spawn(['sleep', '30']);
  expect(await polite.kill()).toEqual({ exitCode: null, signal: 'SIGTERM' });
  expect(alive(polite.pid)).toBe(false);

  const stubborn = await sh.spawn({ script: "trap '' TERM; echo ready; while :; do sleep 0.1; done" });
  await expect.poll(() => stubborn.output()).toContain('ready');
  expect((await stubborn.kill(200)).signal).toBe('SIGKILL');

  let pid = 0;
  {
    await using p = await sh.spawn(['sleep', '30']);
    pid = p.pid;
  }
  expect(alive(pid)).toBe(false);
});

test('spawn of a missing program rejects with CommandFailedError', async () => {
  await expect(localShell().spawn(['wsp-no-such-program'])).rejects.toBeInstanceOf(CommandFailedError);
});

test('readFile and writeFile with mode', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsp-local-'));
  try {
    const sh = localShell();
    const f = join(dir, 'a.txt');
    await sh.writeFile(f, 'héllo\n', 0o600);
    expect(await sh.readFile(f)).toBe('héllo\n');
    expect(statSync(f).mode & 0o777).toBe(0o600);
    await expect(sh.readFile(join(dir, 'missing'))).rejects.toThrow(/ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
