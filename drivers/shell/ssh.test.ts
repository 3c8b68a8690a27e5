import { test, expect } from '@playwright/test';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandFailedError, ConfigError, TransportError } from '../../core/errors.ts';
import { freePort, generateKey, startSshd, type Sshd } from '../../fixtures/sshd/sshd.ts';
import { localShell } from './local.ts';
import { createNetns, createVethPair } from './netns.ts';
import { quote } from './quote.ts';
import type { Shell } from './shell.ts';
import { sshShell } from './ssh.ts';
import { alive } from '../../fixtures/alive.ts';

let sshd: Sshd;
let sh: Shell;

test.describe.configure({ mode: 'serial' });
test.beforeAll(async () => {
  sshd = await startSshd();
  sh = sshShell({ host: sshd.host, port: sshd.port, user: sshd.user, keyPath: sshd.keyPath, knownHostsPath: sshd.knownHostsPath });
});
test.afterAll(async () => {
  await sh?.close();
  await sshd?.stop();
  expect(existsSync(sshd.dir)).toBe(false);
});

test('stdout, stderr and exit codes come back; env, cwd and stdin reach the command', async () => {
  expect(sh.name).toBe(`${sshd.user}@127.0.0.1:${sshd.port}`);
  const r = await sh.exec({ script: 'echo out; echo err >&2; exit 3' });
  expect(r).toMatchObject({ exitCode: 3, signal: null, stdout: 'out\n', stderr: 'err\n', timedOut: false });
  expect((await sh.run(['sh', '-c', 'echo "$SSH_CONNECTION"'])).stdout).toMatch(/^127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+\n$/);
  expect((await sh.run(['sh', '-c', 'echo "$A|$B"'], { env: { A: 'x y', B: "it's" } })).stdout).toBe("x y|it's\n");
  expect((await sh.run(['pwd'], { cwd: '/usr/share' })).stdout).toBe('/usr/share\n');
  expect((await sh.run(['cat'], { stdin: 'line1\nline2' })).stdout).toBe('line1\nline2');
});

test('run throws CommandFailedError naming user@host:port and the command', async () => {
  const e = await sh.run(['ls', '/nonexistent-wsp']).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(CommandFailedError);
  const err = e as CommandFailedError;
  expect(err.host).toBe(sh.name);
  expect(err.command).toBe('ls /nonexistent-wsp');
  expect(err.message).toContain(`${sh.name}: command failed (exit 2): ls /nonexistent-wsp`);
  expect(err.stderr).toContain('No such file or directory');
});

test('hostile arguments travel as data through the remote shell', async () => {
  const canary = `/tmp/wsp-ssh-canary-${process.pid}`;
  const hostile = [`$(touch ${canary})`, `\`touch ${canary}\``, `'; touch ${canary}; '`, `a\nb`, '*', '"$HOME"', '; ls', ''];
  const r = await sh.run(['printf', '%s\\0', ...hostile]);
  expect(r.stdout.split('\0').slice(0, -1)).toEqual(hostile);
  expect(existsSync(canary)).toBe(false);
});

test('a timeout kills the remote command and its children, not just the channel', async () => {
  const pidFile = join(sshd.dir, 'sleeper.pid');
  const r = await sh.exec({ script: `sleep 300 & echo $! > ${quote([pidFile])}; wait` }, { timeoutMs: 500 });
  expect(r.timedOut).toBe(true);
  expect(r.signal).toBe('SIGTERM');
  const sleeper = Number(readFileSync(pidFile, 'utf8'));
  // sshd runs on this machine, so its processes are visible here.
  await expect.poll(() => alive(sleeper)).toBe(false);
  const e = await sh.run(['sleep', '300'], { timeoutMs: 300 }).catch((x: unknown) => x);
  expect((e as CommandFailedError).message).toContain('timed out after 300 ms');
});

test('spawn returns the remote pid; kill ends the remote process', async () => {
  const lines: string[] = [];
  const p = await sh.spawn({ script: 'echo started; exec sleep 300' }, { onStdout: (s) => lines.push(s) });
  // The pid is that of the shell which then execs sleep; its cmdline reads empty while the exec runs.
  await expect.poll(() => lines.join('')).toBe('started\n');
  await expect.poll(() => readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0')[0]).toBe('sleep');
  expect(await p.kill()).toEqual({ exitCode: null, signal: 'SIGTERM' });
  expect(alive(p.pid)).toBe(false);

  const q = await sh.spawn(['cat']);
  await q.write('echo\n');
  await expect.poll(() => q.output()).toBe('echo\n');
  q.endInput();
  expect(await q.wait()).toEqual({ exitCode: 0, signal: null });
});

test('readFile and writeFile', async () => {
  const f = join(sshd.dir, 'remote file.txt');
  await sh.writeFile(f, 'a\n$(b)\n', 0o640);
  expect(readFileSync(f, 'utf8')).toBe('a\n$(b)\n');
  expect(await sh.readFile(f)).toBe('a\n$(b)\n');
  await expect(sh.readFile(join(sshd.dir, 'missing'))).rejects.toThrow(/No such file/);
});

test('a pinned fingerprint and hashed known_hosts entries are accepted', async () => {
  const pinned = sshShell({ host: sshd.host, port: sshd.port, user: sshd.user, keyPath: sshd.keyPath, hostKeySha256: sshd.hostKeySha256 });
  expect((await pinned.run(['echo', 'pinned'])).stdout).toBe('pinned\n');
  await pinned.close();

  const hashedFile = join(sshd.dir, 'known_hosts_hashed');
  writeFileSync(hashedFile, readFileSync(sshd.knownHostsPath));
  await localShell().run(['ssh-keygen', '-q', '-H', '-f', hashedFile]);
  rmSync(`${hashedFile}.old`, { force: true });
  expect(readFileSync(hashedFile, 'utf8')).toMatch(/^\|1\|/);
  const hashed = sshShell({ host: sshd.host, port: sshd.port, user: sshd.user, keyPath: sshd.keyPath, knownHostsPath: hashedFile });
  expect((await hashed.run(['echo', 'hashed'])).stdout).toBe('hashed\n');
  await hashed.close();
});

test('a host key mismatch is refused at once, saying so and what to do', async () => {
  const otherKey = join(sshd.dir, 'other_host_key');
  await generateKey(otherKey);
  const wrong = join(sshd.dir, 'known_hosts_wrong');
  const pub = readFileSync(`${otherKey}.pub`, 'utf8').split(/\s+/);
  writeFileSync(wrong, `[127.0.0.1]:${sshd.port} ${pub[0]} ${pub[1]}\n`);
  const bad = sshShell({ host: sshd.host, port: sshd.port, user: sshd.user, keyPath: sshd.keyPath, knownHostsPath: wrong, retries: 3, backoffMs: 10 });
  const e = await bad.run(['echo', 'never']).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(TransportError);
  const err = e as TransportError;
  expect(err.attempts).toHaveLength(1); // not retried: a wrong key does not fix itself
  expect(err.attempts[0]).toContain(`host key mismatch: [127.0.0.1]:${sshd.port} presented ssh-ed25519 key ${sshd.hostKeySha256}`);
  expect(err.message).toContain('`echo never`');
  expect(err.message).toContain(`${sshd.user}@127.0.0.1:${sshd.port}`);
  expect(err.hint).toContain('intercepting');

  const pinnedWrong = sshShell({
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    keyPath: sshd.keyPath,
    hostKeySha256: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  });
  const e2 = (await pinnedWrong.run(['true']).catch((x: unknown) => x)) as TransportError;
  expect(e2.attempts[0]).toContain('but the inventory pins SHA256:AAAA');

  const unknownFile = join(sshd.dir, 'known_hosts_empty');
  writeFileSync(unknownFile, '');
  const unknown = sshShell({ host: sshd.host, port: sshd.port, user: sshd.user, keyPath: sshd.keyPath, knownHostsPath: unknownFile });
  const e3 = (await unknown.run(['true']).catch((x: unknown) => x)) as TransportError;
  expect(e3.attempts[0]).toContain(`[127.0.0.1]:${sshd.port} is not in ${unknownFile}`);
  expect(e3.hint).toContain('ssh-keyscan');
});

test('a key the server does not accept fails once with the user and key', async () => {
  const stranger = join(sshd.dir, 'stranger');
  await generateKey(stranger);
  const s = sshShell({ host: sshd.host, port: sshd.port, user: sshd.user, keyPath: stranger, knownHostsPath: sshd.knownHostsPath, backoffMs: 10 });
  const e = (await s.run(['true']).catch((x: unknown) => x)) as TransportError;
  expect(e).toBeInstanceOf(TransportError);
  expect(e.attempts).toEqual([`authentication failed for ${sshd.user} with key ${stranger}`]);
});

test('an unreachable host fails naming the host, the command and every attempt', async () => {
  const port = await freePort();
  const s = sshShell({ host: '127.0.0.1', port, keyPath: sshd.keyPath, hostKeySha256: sshd.hostKeySha256, retries: 2, backoffMs: 20 });
  const e = await s.run(['uname', '-a']).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(TransportError);
  const err = e as TransportError;
  expect(err.attempts).toEqual([1, 2, 3].map(() => `connect ECONNREFUSED 127.0.0.1:${port}`));
  expect(err.message).toBe(
    `root@127.0.0.1:${port}: cannot run \`uname -a\`: SSH connection to root@127.0.0.1:${port} failed (3 attempts)\n` +
      [1, 2, 3].map((i) => `  attempt ${i}: connect ECONNREFUSED 127.0.0.1:${port}`).join('\n') +
      `\n  hint: check that 127.0.0.1 is up, sshd listens on port ${port} and no firewall is in the way (\`ssh -p ${port} root@127.0.0.1\`)`,
  );
  expect(err.exitCode).toBe(4);
});

test('more concurrent commands than the server allows sessions: another connection is opened', async () => {
  await using limited = await startSshd({ extraConfig: ['MaxSessions 2'] });
  const s = sshShell({ host: limited.host, port: limited.port, user: limited.user, keyPath: limited.keyPath, knownHostsPath: limited.knownHostsPath });
  try {
    const procs = await Promise.all([1, 2, 3, 4, 5].map(() => s.spawn(['sleep', '300'])));
    expect(new Set(procs.map((p) => p.pid)).size).toBe(5);
    expect((await s.run(['echo', 'still room'])).stdout).toBe('still room\n');
    for (const p of procs) expect((await p.kill()).signal).toBe('SIGTERM');
    for (const p of procs) expect(alive(p.pid)).toBe(false);
  } finally {
    await s.close();
  }
});

test('a dropped connection fails the running command with a TransportError; the next command reconnects', async () => {
  const s = sshShell({ host: sshd.host, port: sshd.port, user: sshd.user, keyPath: sshd.keyPath, knownHostsPath: sshd.knownHostsPath });
  try {
    const p = await s.spawn(['sleep', '300']);
    const pidFile = join(sshd.dir, 'inflight.pid');
    const running = s.exec({ script: `echo $$ > ${quote([pidFile])}; exec sleep 300` });
    await expect.poll(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n')).toBe(true);
    const inflight = Number(readFileSync(pidFile, 'utf8'));
    // Walk up from the remote process to the sshd process serving this connection, and kill it.
    let pid = p.pid;
    for (;;) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = /\((.*)\)/.exec(stat)![1];
      if (comm === 'sshd') break;
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    }
    process.kill(pid, 'SIGKILL');
    const e = await running.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TransportError);
    expect((e as TransportError).message).toContain(`lost the SSH connection to ${s.name} while running`);
    expect((e as TransportError).hint).toContain(`pid ${inflight}`);
    expect(await p.wait()).toEqual({ exitCode: null, signal: null });
    // Both still run (own session, no SIGHUP) until the shell reconnects and kills them.
    expect(alive(p.pid) && alive(inflight)).toBe(true);
    expect((await s.run(['echo', 'back'])).stdout).toBe('back\n');
    await expect.poll(() => alive(p.pid) || alive(inflight)).toBe(false);
  } finally {
    await s.close();
  }
});

test('the same over sshd inside a network namespace', async () => {
  const id = process.pid % 100000;
  const octet = (process.pid % 60) * 4;
  const host = `198.19.77.${octet + 2}`;
  await using ns = await createNetns(localShell(), `wsp-h1s-${id}`);
  await using _veth = await createVethPair(
    localShell(),
    { name: `wsh${id}`, addresses: [`198.19.77.${octet + 1}/30`] },
    { name: `wsn${id}`, netns: ns.name, addresses: [`${host}/30`] },
  );
  await using inner = await startSshd({ netns: ns.name, listenAddress: host });
  const s = sshShell({ host, port: inner.port, user: inner.user, keyPath: inner.keyPath, knownHostsPath: inner.knownHostsPath });
  try {
    // Inside the namespace, only lo and its veth end exist.
    const links = await s.run(['ip', '-o', 'link', 'show']);
    expect(links.stdout).toContain(`wsn${id}@`);
    expect(links.stdout.trim().split('\n')).toHaveLength(2);
    const t = await s.exec(['sleep', '300'], { timeoutMs: 300 });
    expect(t.timedOut).toBe(true);
    expect((await s.exec({ script: 'exit 7' })).exitCode).toBe(7);
  } finally {
    await s.close();
  }
});

test('a key file that is not a usable private key is refused at once, naming the node, the file and what to do', () => {
  const notAKey = 'fixtures/labs/invalid/keys/not-a-key';
  let err: unknown;
  try {
    sshShell({ host: '192.0.2.1', keyPath: notAKey, hostKeySha256: `SHA256:${'A'.repeat(43)}`, node: 'dut' });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  const e = err as ConfigError;
  expect(e.where).toBe('node dut (root@192.0.2.1:22)');
  expect(e.what).toBe(`SSH key "${notAKey}" is not a private key wirespeed can use: Unsupported key format`);
  expect(e.hint).toContain(`\`ssh-keygen -y -f ${notAKey}\``);
  const encrypted = 'fixtures/labs/invalid/keys/encrypted_ed25519';
  expect(() => sshShell({ host: '192.0.2.1', keyPath: encrypted, hostKeySha256: `SHA256:${'A'.repeat(43)}` })).toThrow(/no passphrase given\n  hint: wirespeed runs unattended/);
});
