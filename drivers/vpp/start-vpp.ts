/**
 * Start VPP with a startup.conf under a private run dir, wait until its CLI answers; stop kills it and
 * removes what it leaves behind. Measured with v25.06 killed by SIGKILL: its CLI, API and stats sockets
 * (and the memif sockets it listened on) stay in the run dir, and the API segment stays in /dev/shm as
 * <prefix>-vpe-api and <prefix>-global_vm; a next VPP on the same paths fails to bind while they exist.
 * Both are removed before a start and after a stop, whatever way VPP ended.
 */
import { describeExit, ProvisionError, TimeoutError, trimOutput } from '../../core/errors.ts';
import type { ProcessExit, Shell, SpawnedProcess } from '../shell/shell.ts';
import { vppApiPrefix, vppStartupConf, type VppStartupSpec } from './vpp-startup.ts';
import { Vppctl } from './vppctl.ts';

export interface RunningVpp {
  readonly vppctl: Vppctl;
  /** `show version`'s version, e.g. "25.06-release". */
  readonly version: string;
  readonly process: SpawnedProcess;
  readonly runDir: string;
  /** The stats segment socket (statseg socket-name). */
  readonly statsSocket: string;
  /** Last lines of VPP's output. */
  log(): string;
  /** null while it runs. */
  exited(): ProcessExit | null;
  /** "vpp (dut) exited (killed by SIGKILL)" plus the last lines, for error messages. */
  describeDeath(): string;
  /** TERM, KILL after the grace time, then remove the run dir and the API segment. Idempotent. */
  stop(): Promise<void>;
}

export interface StartVppOptions {
  /** The vpp binary (default `vpp` on PATH). */
  readonly binary?: string;
  /** The vppctl binary (default `vppctl` on PATH). */
  readonly vppctlBinary?: string;
  /** Name of the config file in the run dir; name it after the run so a sweep finds the process by its command line. */
  readonly confName?: string;
  /** For messages: "vpp (dut)". */
  readonly label?: string;
  readonly startTimeoutMs?: number;
  /** Environment of the VPP process. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Remove what a VPP of this spec leaves behind: the run dir and the API segment in /dev/shm. */
export async function removeVppLeftovers(shell: Shell, spec: Pick<VppStartupSpec, 'runDir' | 'apiPrefix'>): Promise<void> {
  const prefix = vppApiPrefix(spec);
  await shell.run(['rm', '-rf', '--', spec.runDir], { timeoutMs: 10_000 });
  // find with -name needs no shell: the prefix never meets a glob expansion.
  await shell.run(['find', '/dev/shm', '-maxdepth', '1', '-name', `${prefix}-*`, '-delete'], { timeoutMs: 10_000 });
}

/** Write startup.conf, spawn `vpp -c`, poll `show version` on the private CLI socket. */
export async function startVpp(shell: Shell, spec: VppStartupSpec, opts: StartVppOptions = {}): Promise<RunningVpp> {
  const label = opts.label ?? 'vpp';
  await removeVppLeftovers(shell, spec);
  await shell.run(['mkdir', '-p', spec.runDir]);
  const conf = `${spec.runDir}/${opts.confName ?? 'startup.conf'}`;
  await shell.writeFile(conf, vppStartupConf(spec));
  const proc = await shell.spawn([opts.binary ?? 'vpp', '-c', conf], opts.env ? { env: opts.env } : {});
  const vppctl = new Vppctl(shell, { socket: `${spec.runDir}/cli.sock`, ...(opts.vppctlBinary ? { binary: opts.vppctlBinary } : {}) });
  const describeDeath = (): string => {
    const e = proc.exited();
    return `${label} exited (${e ? describeExit(e.exitCode, e.signal) : 'still running'})\n  last output: ${trimOutput(proc.output(), 12)}`;
  };
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      if (!proc.exited()) await proc.kill(5000);
      await removeVppLeftovers(shell, spec);
    })());
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (proc.exited()) throw new ProvisionError(`${label} did not start: ${describeDeath()}`, { where: shell.name, hint: 'read its last lines above: a bad startup.conf line, a missing plugin, or a CPU it may not use' });
      const version = await vppctl.version().catch(() => undefined);
      if (version) {
        return {
          vppctl,
          version,
          process: proc,
          runDir: spec.runDir,
          statsSocket: `${spec.runDir}/stats.sock`,
          log: () => proc.output(),
          exited: () => proc.exited(),
          describeDeath,
          stop,
        };
      }
      if (Date.now() > deadline) throw new TimeoutError(`waiting for the ${label} CLI socket`, timeoutMs, { where: shell.name, hint: `see ${spec.runDir}/vpp.log` });
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}
