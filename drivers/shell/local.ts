/**
 * Shell on this machine through child_process. Argv arrays run without a shell (no quoting at all);
 * scripts run under `sh -c`. Every child gets its own process group so a timeout or kill also reaches
 * what it started (a `sh -c` wrapper, a DPDK app's helpers).
 */
import { spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { readFile, writeFile, chmod } from 'node:fs/promises';
import { CommandFailedError } from '../../core/errors.ts';
import { checkResult } from './checked.ts';
import { OutputRing } from './output-ring.ts';
import { commandText, isScript } from './quote.ts';
import type { Command, ExecOptions, ExecResult, ProcessExit, Shell, SpawnedProcess, SpawnOptions } from './shell.ts';

/** Grace between TERM and KILL when a timeout or abort ends a command. */
const EXEC_KILL_GRACE_MS = 2000;

/** The local shell (stateless; one instance is as good as another). */
export function localShell(): Shell {
  return new LocalShell();
}

function toArgv(cmd: Command): string[] {
  return isScript(cmd) ? ['sh', '-c', cmd.script] : [...cmd];
}

function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // The group is gone already; fall back to the child itself in case it left its group.
    try {
      child.kill(sig);
    } catch {
      /* already gone */
    }
  }
}

class LocalShell implements Shell {
  readonly name = 'local';

  exec(cmd: Command, opts: ExecOptions = {}): Promise<ExecResult> {
    const argv = toArgv(cmd);
    const started = performance.now();
    return new Promise<ExecResult>((resolve, reject) => {
      if (opts.signal?.aborted) {
        reject(opts.signal.reason);
        return;
      }
      const child = spawnChild(argv[0]!, argv.slice(1), {
        cwd: opts.cwd,
        env: opts.env ? { ...process.env, ...opts.env } : process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      let aborted = false;
      let killTimer: NodeJS.Timeout | undefined;
      let spawnError: Error | undefined;
      const stop = (): void => {
        killGroup(child, 'SIGTERM');
        killTimer ??= setTimeout(() => killGroup(child, 'SIGKILL'), EXEC_KILL_GRACE_MS);
      };
      const timer =
        opts.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              stop();
            }, opts.timeoutMs);
      const onAbort = (): void => {
        aborted = true;
        stop();
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.stdin.on('error', () => {
        /* the command closed stdin early (EPIPE): what it read is what it gets */
      });
      child.on('error', (e) => {
        spawnError = e;
      });
      if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
      else child.stdin.end();
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        if (killTimer) clearTimeout(killTimer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (aborted) {
          reject(opts.signal?.reason);
          return;
        }
        const stderr = Buffer.concat(err).toString('utf8');
        const result: ExecResult = {
          exitCode: code,
          signal,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr,
          durationMs: performance.now() - started,
          timedOut,
        };
        if (spawnError) {
          // Like a shell would: 127 for a missing program, 126 for one that cannot be executed.
          const errno = (spawnError as NodeJS.ErrnoException).code;
          result.exitCode = errno === 'ENOENT' ? 127 : 126;
          result.signal = null;
          result.stderr = `${argv[0]}: ${errno === 'ENOENT' ? 'command not found' : spawnError.message}`;
        }
        resolve(result);
      });
    });
  }

  async run(cmd: Command, opts: ExecOptions = {}): Promise<ExecResult> {
    return checkResult(this.name, cmd, await this.exec(cmd, opts), opts.timeoutMs);
  }

  spawn(cmd: Command, opts: SpawnOptions = {}): Promise<SpawnedProcess> {
    const argv = toArgv(cmd);
    const child = spawnChild(argv[0]!, argv.slice(1), {
      cwd: opts.cwd,
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    return new Promise<SpawnedProcess>((resolve, reject) => {
      child.once('error', (e) =>
        reject(
          new CommandFailedError({
            host: this.name,
            command: commandText(cmd),
            exitCode: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 126,
            signal: null,
            stdout: '',
            stderr: e.message,
            hint: 'check the program is installed and in PATH (`wirespeed lab check`)',
          }),
        ),
      );
      child.once('spawn', () => resolve(new LocalProcess(child, commandText(cmd), opts)));
    });
  }

  async readFile(path: string): Promise<string> {
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      throw fileError(this.name, `cat ${path}`, e);
    }
  }

  async writeFile(path: string, content: string | Uint8Array, mode?: number): Promise<void> {
    try {
      await writeFile(path, content, mode === undefined ? {} : { mode });
      if (mode !== undefined) await chmod(path, mode); // writeFile's mode only applies when it creates the file
    } catch (e) {
      throw fileError(this.name, `write ${path}`, e);
    }
  }

  async close(): Promise<void> {}
}

function fileError(host: string, command: string, e: unknown): CommandFailedError {
  return new CommandFailedError({
    host,
    command,
    exitCode: 1,
    signal: null,
    stdout: '',
    stderr: e instanceof Error ? e.message : String(e),
  });
}

class LocalProcess implements SpawnedProcess {
  readonly pid: number;
  private readonly ring: OutputRing;
  private exit: ProcessExit | null = null;
  private readonly done: Promise<ProcessExit>;

  constructor(
    private readonly child: ChildProcess,
    readonly command: string,
    opts: SpawnOptions,
  ) {
    this.pid = child.pid!;
    this.ring = new OutputRing(opts.ringBytes);
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (s: string) => {
      this.ring.append(s);
      opts.onStdout?.(s);
    });
    child.stderr!.on('data', (s: string) => {
      this.ring.append(s);
      opts.onStderr?.(s);
    });
    child.stdin!.on('error', () => {
      /* EPIPE after the process exited: wait() reports the exit */
    });
    child.on('error', () => {
      /* a failed kill() of a process that is already gone: wait() reports the exit */
    });
    this.done = new Promise((resolve) => {
      child.once('close', (exitCode, signal) => {
        this.exit = { exitCode, signal };
        resolve(this.exit);
      });
    });
  }

  output(): string {
    return this.ring.text();
  }

  write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.child.stdin!.write(data, (e) => (e ? reject(e) : resolve()));
    });
  }

  endInput(): void {
    this.child.stdin!.end();
  }

  wait(): Promise<ProcessExit> {
    return this.done;
  }

  exited(): ProcessExit | null {
    return this.exit;
  }

  async kill(graceMs = 3000): Promise<ProcessExit> {
    if (this.exit) return this.exit;
    killGroup(this.child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(this.child, 'SIGKILL'), graceMs);
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
