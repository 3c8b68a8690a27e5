/**
 * A Shell into a pod's container over the exec subresource, so the drivers that run DPDK, VPP or host tools
 * on bare metal run unchanged inside pods. Exit codes come from the exec status channel.
 */
import { PassThrough } from 'node:stream';
import type { Cluster } from './cluster.ts';
import { checkResult } from '../shell/checked.ts';
import { OutputRing } from '../shell/output-ring.ts';
import { isScript, quote } from '../shell/quote.ts';
import type { Command, ExecOptions, ExecResult, ProcessExit, Shell, SpawnedProcess, SpawnOptions } from '../shell/shell.ts';

export function podShell(cluster: Cluster, namespace: string, pod: string, container: string): Shell {
  return new PodShell(cluster, namespace, pod, container);
}

class PodShell implements Shell {
  readonly name: string;
  constructor(
    private readonly cluster: Cluster,
    private readonly namespace: string,
    private readonly pod: string,
    private readonly container: string,
  ) {
    this.name = `pod ${namespace}/${pod} (container ${container})`;
  }

  async exec(cmd: Command, opts: ExecOptions = {}): Promise<ExecResult> {
    const started = Date.now();
    const r = await this.cluster.exec(this.namespace, this.pod, this.container, argvOf(cmd, opts), {
      ...(opts.stdin === undefined ? {} : { stdin: opts.stdin }),
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    });
    // A status without an exit code (e.g. the runtime could not start the command) still explains itself.
    const stderr = r.exitCode === null && r.statusMessage ? `${r.stderr}${r.statusMessage}\n` : r.stderr;
    return { exitCode: r.exitCode, signal: null, stdout: r.stdout, stderr, durationMs: Date.now() - started, timedOut: r.timedOut };
  }

  async run(cmd: Command, opts: ExecOptions = {}): Promise<ExecResult> {
    return checkResult(this.name, cmd, await this.exec(cmd, opts), opts.timeoutMs);
  }

  async spawn(cmd: Command, opts: SpawnOptions = {}): Promise<SpawnedProcess> {
    const ring = new OutputRing(opts.ringBytes ?? 256 * 1024);
    const stdin = new PassThrough();
    let pidLine = '';
    let pidResolve!: (pid: number) => void;
    const pidKnown = new Promise<number>((r) => (pidResolve = r));
    let gotPid = false;
    // The first stdout line is the shell's pid, so the process can be signalled by a second exec.
    const argv = ['sh', '-c', 'echo $$; exec "$@"', 'sh', ...argvOf(cmd, opts)];
    const stream = await this.cluster.execStream(this.namespace, this.pod, this.container, argv, {
      stdin,
      onStdout: (s) => {
        if (!gotPid) {
          pidLine += s;
          const nl = pidLine.indexOf('\n');
          if (nl < 0) return;
          gotPid = true;
          pidResolve(Number(pidLine.slice(0, nl)));
          s = pidLine.slice(nl + 1);
          if (!s) return;
        }
        ring.append(s);
        opts.onStdout?.(s);
      },
      onStderr: (s) => {
        ring.append(s);
        opts.onStderr?.(s);
      },
    });
    let exit: ProcessExit | null = null;
    const waited = stream.done.then((r) => {
      exit = { exitCode: r.exitCode, signal: r.exitCode !== null && r.exitCode > 128 ? signalName(r.exitCode - 128) : null };
      if (!gotPid) pidResolve(-1);
      return exit;
    });
    const pid = await pidKnown;
    const signal = async (sig: string) => {
      if (pid > 0) await this.exec(['kill', `-${sig}`, String(pid)]).catch(() => undefined);
    };
    const proc: SpawnedProcess = {
      pid,
      command: `${quote(argvOf(cmd, opts))} (in ${this.name})`,
      output: () => ring.text(),
      write: async (data) => {
        stdin.write(typeof data === 'string' ? data : Buffer.from(data));
      },
      endInput: () => stdin.end(),
      wait: () => waited,
      exited: () => exit,
      kill: async (graceMs = 3000) => {
        if (exit) return exit;
        await signal('TERM');
        const t = setTimeout(() => void signal('KILL'), graceMs);
        const r = await waited;
        clearTimeout(t);
        return r;
      },
      [Symbol.asyncDispose]: async () => {
        await proc.kill();
        stream.close();
      },
    };
    return proc;
  }

  async readFile(path: string): Promise<string> {
    return (await this.run(['cat', '--', path])).stdout;
  }

  async writeFile(path: string, content: string | Uint8Array, mode?: number): Promise<void> {
    const script = mode === undefined ? 'cat > "$1"' : 'cat > "$1" && chmod "$2" "$1"';
    await this.run(['sh', '-c', script, 'sh', path, ...(mode === undefined ? [] : [mode.toString(8)])], { stdin: content });
  }

  async close(): Promise<void> {}
}

/** argv for the exec API: a script runs under sh -c; env and cwd go through `env` and `cd`. */
function argvOf(cmd: Command, opts: { env?: Readonly<Record<string, string>>; cwd?: string }): string[] {
  const base = isScript(cmd) ? ['sh', '-c', cmd.script] : [...cmd];
  const env = Object.entries(opts.env ?? {});
  const withEnv = env.length ? ['env', ...env.map(([k, v]) => `${k}=${v}`), ...base] : base;
  return opts.cwd ? ['sh', '-c', 'cd "$1" && shift && exec "$@"', 'sh', opts.cwd, ...withEnv] : withEnv;
}

function signalName(n: number): string | null {
  return ({ 1: 'SIGHUP', 2: 'SIGINT', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 15: 'SIGTERM' } as Record<number, string>)[n] ?? null;
}
