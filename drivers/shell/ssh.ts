/**
 * Shell over SSH (ssh2): key auth, host key checked against known_hosts or a pinned fingerprint,
 * keepalive, bounded retries with backoff whose every cause is reported. One connection per shell,
 * opened on first use and reopened after it drops.
 *
 * Every command runs as `setsid -w sh -c 'echo $$; cd …; exec …'`: the first stdout line is the
 * remote pid, and the command leads its own process group, so a timeout or kill reaches the remote
 * command and its children (closing the channel alone would leave them running).
 */
import { readFileSync } from 'node:fs';
import ssh2, { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { CommandFailedError, ConfigError, TransportError } from '../../core/errors.ts';
import { checkResult } from './checked.ts';
import { verifyHostKey } from './known-hosts.ts';
import { OutputRing } from './output-ring.ts';
import { commandText, envPrefix, isScript, quote } from './quote.ts';
import type { Command, ExecOptions, ExecResult, ProcessExit, Shell, SpawnedProcess, SpawnOptions } from './shell.ts';

export interface SshShellOptions {
  host: string;
  port?: number;
  user?: string;
  /** Private key file (OpenSSH format, unencrypted). */
  keyPath: string;
  /** known_hosts file; one of knownHostsPath or hostKeySha256 is required. */
  knownHostsPath?: string;
  /** Pinned host key fingerprint, `SHA256:…` as `ssh-keygen -lf` prints it. */
  hostKeySha256?: string;
  keepaliveIntervalMs?: number;
  connectTimeoutMs?: number;
  /** Extra connection attempts after the first (default 3). */
  retries?: number;
  /** First backoff between attempts, doubled each time (default 250 ms). */
  backoffMs?: number;
  /** The inventory node this shell serves, named in errors. */
  node?: string;
}

/** Grace between TERM and KILL when a timeout or abort ends a remote command. */
const EXEC_KILL_GRACE_MS = 2000;

/** A Shell on user@host:port over SSH; connects on first use. */
export function sshShell(opts: SshShellOptions): Shell {
  return new SshShell(opts);
}

/** The remote command line: pid first, then cwd, env and the command, in its own session. */
function remoteCommand(cmd: Command, env?: Readonly<Record<string, string>>, cwd?: string): string {
  const argv = isScript(cmd) ? ['sh', '-c', cmd.script] : [...cmd];
  const inner = 'echo $$; cd -- "$1" || exit 126; shift; exec "$@"';
  return quote(['setsid', '-w', 'sh', '-c', inner, 'wsp', cwd ?? '.', ...envPrefix(env), ...argv]);
}

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 15: 'SIGTERM' };
const SETSID_SIGNALLED = /setsid: child \d+ did not exit normally[^\n]*\n?$/;

/**
 * `setsid -w` exits with the raw wait status and a note on stderr when its child was killed by a
 * signal; turn that back into the signal the child died of, as the local shell reports it.
 */
function normalizeExit(exit: ProcessExit, stderr: string): { exit: ProcessExit; stderr: string } {
  if (exit.exitCode !== null && SETSID_SIGNALLED.test(stderr)) {
    const n = exit.exitCode & 0x7f;
    return { exit: { exitCode: null, signal: SIGNALS[n] ?? `signal ${n}` }, stderr: stderr.replace(SETSID_SIGNALLED, '') };
  }
  return { exit, stderr };
}

/**
 * Exit status per channel, recorded from the moment the channel exists: ssh2 may parse a fast command's
 * exit-status in the same chunk as the exec reply, before any later listener is attached.
 */
const exits = new WeakMap<ClientChannel, ProcessExit>();

function recordExit(stream: ClientChannel): void {
  stream.on('exit', (code: number | null, sig?: string) => {
    exits.set(stream, { exitCode: code ?? null, signal: sig ? (sig.startsWith('SIG') ? sig : `SIG${sig}`) : null });
  });
}

/** Split the pid line off a channel's stdout. */
class PidReader {
  private buf = '';
  pid: number | undefined;
  constructor(private readonly onPid: (pid: number) => void) {}
  /** Feed stdout text; returns what belongs to the command. */
  feed(s: string): string {
    if (this.pid !== undefined) return s;
    this.buf += s;
    const nl = this.buf.indexOf('\n');
    if (nl < 0) return '';
    this.pid = Number(this.buf.slice(0, nl));
    const rest = this.buf.slice(nl + 1);
    this.buf = '';
    this.onPid(this.pid);
    return rest;
  }
}

class SshShell implements Shell {
  readonly name: string;
  /** Open connections; another is opened when the server refuses more sessions (MaxSessions, default 10). */
  private clients: Client[] = [];
  private connecting: Promise<Client> | undefined;
  private growing: Promise<Client> | undefined;
  /** Remote pids whose connection dropped while they ran: killed once a connection is back (or on close). */
  private readonly orphans = new Set<number>();
  private readonly key: Buffer;

  constructor(private readonly opts: SshShellOptions) {
    this.name = `${opts.user ?? 'root'}@${opts.host}:${opts.port ?? 22}`;
    if (opts.knownHostsPath === undefined && opts.hostKeySha256 === undefined) {
      throw new ConfigError(`ssh shell ${this.name} has neither knownHosts nor hostKeySha256`, {
        hint: 'the host key must be verified: add one of them to the inventory',
      });
    }
    const where = opts.node === undefined ? this.name : `node ${opts.node} (${this.name})`;
    try {
      this.key = readFileSync(opts.keyPath);
    } catch (e) {
      throw new ConfigError(`cannot read SSH key ${JSON.stringify(opts.keyPath)}: ${(e as Error).message}`, {
        where,
        hint: 'check the key path in the inventory (relative to the inventory file)',
      });
    }
    // Parsed here so that a wrong file fails now, naming the file, not at connect as "Unsupported key format".
    const parsed = ssh2.utils.parseKey(this.key);
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (parsed instanceof Error || !key || !key.isPrivateKey()) {
      const reason = parsed instanceof Error ? parsed.message : key ? `it is a public key (${key.type})` : 'no key in the file';
      throw new ConfigError(`SSH key ${JSON.stringify(opts.keyPath)} is not a private key wirespeed can use: ${reason}`, {
        where,
        hint: /encrypted|passphrase/i.test(reason)
          ? `wirespeed runs unattended and needs a key without a passphrase: \`${quote(['ssh-keygen', '-p', '-N', '', '-f', opts.keyPath])}\` removes it`
          : `give the private key (not the .pub), unencrypted, in OpenSSH or PEM format (ed25519, ecdsa or rsa); \`${quote(['ssh-keygen', '-y', '-f', opts.keyPath])}\` prints its public key when it is one`,
      });
    }
  }

  /** The first open connection (or a new one); `fresh` always opens another. */
  private connection(cmd: string, fresh = false): Promise<Client> {
    if (!fresh && this.clients[0]) return Promise.resolve(this.clients[0]);
    let pending: Promise<Client>;
    if (fresh) {
      // Several commands finding every connection full share one new connection.
      this.growing ??= this.connectWithRetries().finally(() => {
        this.growing = undefined;
      });
      pending = this.growing;
    } else {
      this.connecting ??= this.connectWithRetries().finally(() => {
        this.connecting = undefined;
      });
      pending = this.connecting;
    }
    return pending.catch((e: unknown) => {
      if (e instanceof ConnectFailure) {
        throw new TransportError(`cannot run \`${cmd}\`: SSH connection to ${this.name} failed (${e.attempts.length} attempt${e.attempts.length > 1 ? 's' : ''})`, {
          where: this.name,
          attempts: e.attempts,
          ...(e.hint === undefined ? {} : { hint: e.hint }),
        });
      }
      throw e;
    });
  }

  private async connectWithRetries(): Promise<Client> {
    const attempts: string[] = [];
    const tries = (this.opts.retries ?? 3) + 1;
    let backoffMs = this.opts.backoffMs ?? 250;
    for (let i = 0; i < tries; i++) {
      const r = await this.connectOnce();
      if (r.client) {
        this.clients.push(r.client);
        if (this.orphans.size) void this.reapOrphans();
        return r.client;
      }
      attempts.push(r.reason);
      if (r.permanent) throw new ConnectFailure(attempts, r.hint);
      if (i + 1 < tries) {
        await new Promise((res) => setTimeout(res, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 5000);
      }
    }
    throw new ConnectFailure(
      attempts,
      `check that ${this.opts.host} is up, sshd listens on port ${this.opts.port ?? 22} and no firewall is in the way (\`ssh -p ${this.opts.port ?? 22} ${this.name.split(':')[0]}\`)`,
    );
  }

  private connectOnce(): Promise<{ client?: Client; reason: string; permanent?: boolean; hint?: string }> {
    const port = this.opts.port ?? 22;
    let knownHosts: { text: string; file: string } | undefined;
    if (this.opts.knownHostsPath !== undefined) {
      try {
        knownHosts = { text: readFileSync(this.opts.knownHostsPath, 'utf8'), file: this.opts.knownHostsPath };
      } catch (e) {
        return Promise.resolve({ reason: `cannot read known_hosts: ${(e as Error).message}`, permanent: true, hint: 'check knownHosts in the inventory' });
      }
    }
    return new Promise((resolve) => {
      const client = new Client();
      let hostKeyProblem: { reason: string; mismatch: boolean } | undefined;
      let settled = false;
      const done = (r: { client?: Client; reason: string; permanent?: boolean; hint?: string }): void => {
        if (settled) return;
        settled = true;
        resolve(r);
      };
      const config: ConnectConfig = {
        host: this.opts.host,
        port,
        username: this.opts.user ?? 'root',
        privateKey: this.key,
        readyTimeout: this.opts.connectTimeoutMs ?? 10_000,
        keepaliveInterval: this.opts.keepaliveIntervalMs ?? 10_000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer): boolean => {
          const v = verifyHostKey({
            host: this.opts.host,
            port,
            key,
            ...(knownHosts ? { knownHosts } : {}),
            ...(this.opts.hostKeySha256 === undefined ? {} : { pinnedSha256: this.opts.hostKeySha256 }),
          });
          if (!v.ok) hostKeyProblem = v;
          return v.ok;
        },
      };
      client.once('ready', () => {
        client.on('close', () => {
          this.clients = this.clients.filter((c) => c !== client);
        });
        done({ client, reason: 'ok' });
      });
      client.on('error', (e: Error & { level?: string }) => {
        if (hostKeyProblem) {
          done({
            reason: `refused: ${hostKeyProblem.reason}`,
            permanent: true,
            hint: hostKeyProblem.mismatch
              ? `if ${this.opts.host} was reinstalled, check its new key on the console (\`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\`) and update knownHosts/hostKeySha256 in the inventory; otherwise someone may be intercepting the connection: do not proceed`
              : `check the host's fingerprint out of band, then add it: \`ssh-keyscan -p ${port} ${this.opts.host} >> ${this.opts.knownHostsPath ?? 'known_hosts'}\` or set hostKeySha256`,
          });
        } else if (e.level === 'client-authentication') {
          done({
            reason: `authentication failed for ${this.opts.user ?? 'root'} with key ${this.opts.keyPath}`,
            permanent: true,
            hint: `install the public key with \`${quote(['ssh-copy-id', '-i', `${this.opts.keyPath}.pub`, '-p', String(this.opts.port ?? 22), `${this.opts.user ?? 'root'}@${this.opts.host}`])}\``,
          });
        } else {
          done({ reason: e.message || String(e) });
        }
        client.end();
      });
      client.on('close', () => done({ reason: 'connection closed before it was ready' }));
      client.connect(config);
    });
  }

  private async channel(cmd: Command, remote: string): Promise<ClientChannel> {
    return this.openChannel(commandText(cmd), remote);
  }

  /** A session channel on any open connection; a new connection when all are full (sshd MaxSessions). */
  private async openChannel(text: string, remote: string): Promise<ClientChannel> {
    const tryOn = (client: Client): Promise<{ stream?: ClientChannel; err?: Error }> =>
      new Promise((resolve) => {
        // ssh2 never answers a channel request on a connection that closes meanwhile: watch for that.
        const onClose = (): void => resolve({ err: new Error('the connection closed') });
        client.once('close', onClose);
        try {
          client.exec(remote, (err, stream) => {
            client.removeListener('close', onClose);
            if (!err) recordExit(stream);
            resolve(err ? { err } : { stream });
          });
        } catch (err) {
          client.removeListener('close', onClose);
          resolve({ err: err as Error }); // "Not connected": the connection dropped meanwhile
        }
      });
    let last: Error | undefined;
    for (let round = 0; round < 8; round++) {
      for (const client of [...this.clients]) {
        const r = await tryOn(client);
        if (r.stream) return r.stream;
        last = r.err;
      }
      const r = await tryOn(await this.connection(text, this.clients.length > 0));
      if (r.stream) return r.stream;
      last = r.err ?? last;
    }
    throw new TransportError(`cannot run \`${text}\` on ${this.name}: ${last?.message ?? 'no channel'}`, {
      where: this.name,
      hint: 'the server refused a new session even on a new connection: check sshd MaxSessions/MaxStartups and the host',
      cause: last,
    });
  }

  /** A command lost with its connection keeps running remotely (it has its own session): remember it. */
  orphaned(pid: number | undefined): void {
    if (pid !== undefined) this.orphans.add(pid);
  }

  /** Kill the process groups of commands whose connection dropped (best effort). */
  private async reapOrphans(): Promise<void> {
    const pids = [...this.orphans];
    this.orphans.clear();
    for (const pid of pids) await this.signal(pid, 'KILL');
  }

  /** Signal the remote process group of `pid`. */
  async signal(pid: number, sig: 'TERM' | 'KILL'): Promise<void> {
    try {
      const stream = await this.openChannel(`kill -${sig} -- -${pid}`, quote(['kill', `-${sig}`, '--', `-${pid}`]));
      await new Promise<void>((resolve) => {
        stream.on('error', () => resolve());
        stream.on('close', () => resolve()).resume();
        stream.stderr.resume();
      });
    } catch {
      // The connection is gone: sshd hangs up the session and the command gets SIGHUP.
    }
  }

  async exec(cmd: Command, opts: ExecOptions = {}): Promise<ExecResult> {
    if (opts.signal?.aborted) throw opts.signal.reason;
    const started = performance.now();
    const stream = await this.channel(cmd, remoteCommand(cmd, opts.env, opts.cwd));
    return new Promise<ExecResult>((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      let exitCode: number | null = null;
      let signal: string | null = null;
      let sent: 'TERM' | 'KILL' | undefined;
      let timedOut = false;
      let aborted = false;
      const timers: NodeJS.Timeout[] = [];
      const pidReader = new PidReader(() => {
        if (timedOut || aborted) void stop();
      });
      const stop = async (): Promise<void> => {
        if (pidReader.pid === undefined) return; // killed as soon as the pid arrives
        if (sent) return;
        sent = 'TERM';
        await this.signal(pidReader.pid, 'TERM');
        timers.push(
          setTimeout(() => {
            sent = 'KILL';
            void this.signal(pidReader.pid!, 'KILL');
            // If even that does not end the channel, stop waiting for it.
            timers.push(setTimeout(() => stream.close(), EXEC_KILL_GRACE_MS));
          }, EXEC_KILL_GRACE_MS),
        );
      };
      if (opts.timeoutMs !== undefined) {
        timers.push(
          setTimeout(() => {
            timedOut = true;
            void stop();
          }, opts.timeoutMs),
        );
      }
      const onAbort = (): void => {
        aborted = true;
        void stop();
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      stream.on('error', () => {
        /* a channel error ends in 'close', which reports it */
      });
      stream.setEncoding('utf8');
      stream.stderr.setEncoding('utf8');
      stream.on('data', (s: string) => (stdout += pidReader.feed(s)));
      stream.stderr.on('data', (s: string) => (stderr += s));
      stream.on('close', () => {
        ({ exitCode, signal } = exits.get(stream) ?? { exitCode: null, signal: null });
        for (const t of timers) clearTimeout(t);
        opts.signal?.removeEventListener('abort', onAbort);
        if (aborted) return reject(opts.signal?.reason);
        const norm = normalizeExit({ exitCode, signal }, stderr);
        ({ exitCode, signal } = norm.exit);
        stderr = norm.stderr;
        if (exitCode === null && signal === null && !sent) {
          this.orphaned(pidReader.pid);
          return reject(
            new TransportError(`lost the SSH connection to ${this.name} while running \`${commandText(cmd)}\``, {
              where: this.name,
              hint: `it may still run on the host (pid ${pidReader.pid ?? 'unknown'}); wirespeed kills it when it reconnects. Check the network and the host, then retry`,
            }),
          );
        }
        resolve({ exitCode, signal, stdout, stderr, durationMs: performance.now() - started, timedOut });
      });
      if (opts.stdin !== undefined) stream.end(opts.stdin);
      else stream.end();
    });
  }

  async run(cmd: Command, opts: ExecOptions = {}): Promise<ExecResult> {
    return checkResult(this.name, cmd, await this.exec(cmd, opts), opts.timeoutMs);
  }

  async spawn(cmd: Command, opts: SpawnOptions = {}): Promise<SpawnedProcess> {
    const stream = await this.channel(cmd, remoteCommand(cmd, opts.env, opts.cwd));
    return new Promise<SpawnedProcess>((resolve, reject) => {
      let proc: SshProcess | undefined;
      let early = '';
      const reader = new PidReader((pid) => {
        proc = new SshProcess(this, stream, pid, commandText(cmd), opts);
        resolve(proc);
      });
      stream.on('error', () => {
        /* a channel error ends in 'close', which reports it */
      });
      stream.setEncoding('utf8');
      stream.stderr.setEncoding('utf8');
      stream.on('data', (s: string) => {
        const rest = reader.feed(s);
        if (proc && rest) proc.stdout(rest);
      });
      stream.stderr.on('data', (s: string) => (proc ? proc.stderr(s) : (early += s)));
      stream.on('close', () => {
        const exitCode = exits.get(stream)?.exitCode ?? null;
        if (!proc) {
          reject(
            new CommandFailedError({
              host: this.name,
              command: commandText(cmd),
              exitCode,
              signal: null,
              stdout: '',
              stderr: early,
              hint: 'the remote side could not start it: `setsid` (util-linux) and `sh` must be installed',
            }),
          );
        }
      });
    });
  }

  async readFile(path: string): Promise<string> {
    return (await this.run(['cat', '--', path])).stdout;
  }

  async writeFile(path: string, content: string | Uint8Array, mode?: number): Promise<void> {
    await this.run(['sh', '-c', 'cat > "$1"', 'sh', path], { stdin: content });
    if (mode !== undefined) await this.run(['chmod', mode.toString(8), '--', path]);
  }

  async close(): Promise<void> {
    if (this.orphans.size && this.clients.length) await this.reapOrphans();
    const all = this.clients;
    this.clients = [];
    await Promise.all(
      all.map(
        (c) =>
          new Promise<void>((resolve) => {
            c.once('close', () => resolve());
            c.end();
          }),
      ),
    );
  }
}

class ConnectFailure extends Error {
  constructor(
    readonly attempts: string[],
    readonly hint: string | undefined,
  ) {
    super(attempts.join('; '));
  }
}

class SshProcess implements SpawnedProcess {
  private readonly ring: OutputRing;
  private exit: ProcessExit | null = null;
  private readonly done: Promise<ProcessExit>;
  private stderrTail = '';

  constructor(
    private readonly shell: SshShell,
    private readonly stream: ClientChannel,
    readonly pid: number,
    readonly command: string,
    private readonly opts: SpawnOptions,
  ) {
    this.ring = new OutputRing(opts.ringBytes);
    this.done = new Promise((resolve) => {
      stream.on('close', () => {
        this.exit = normalizeExit(exits.get(stream) ?? { exitCode: null, signal: null }, this.stderrTail).exit;
        if (this.exit.exitCode === null && this.exit.signal === null) shell.orphaned(pid);
        resolve(this.exit);
      });
    });
  }

  stdout(s: string): void {
    this.ring.append(s);
    this.opts.onStdout?.(s);
  }

  stderr(s: string): void {
    this.stderrTail = (this.stderrTail + s).slice(-200);
    this.ring.append(s);
    this.opts.onStderr?.(s);
  }

  output(): string {
    return this.ring.text();
  }

  write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.write(data, (e?: Error | null) => (e ? reject(e) : resolve()));
    });
  }

  endInput(): void {
    this.stream.end();
  }

  wait(): Promise<ProcessExit> {
    return this.done;
  }

  exited(): ProcessExit | null {
    return this.exit;
  }

  async kill(graceMs = 3000): Promise<ProcessExit> {
    if (this.exit) return this.exit;
    await this.shell.signal(this.pid, 'TERM');
    const timer = setTimeout(() => {
      void this.shell.signal(this.pid, 'KILL').then(() => setTimeout(() => this.stream.close(), 1000).unref());
    }, graceMs);
    try {
      return await this.done;
    } finally {
      clearTimeout(timer);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.kill();
  }
}
