/**
 * One long-running DPDK application under a run's runtime (STYLE: "one mechanism, one piece of code"):
 * started through a Shell with its stale hugepage files removed first, ready when the application says so,
 * its death noticed at once, stopped with an optional quit request, then TERM, then KILL, and its hugepage
 * files, runtime directory and listening sockets removed whatever way it ended.
 *
 * `startManagedDpdkProcess` is the mechanism (the local generator, which is ready when it says hello on
 * stdout, uses it directly); `startDpdkProcess` adds readiness by telemetry socket and log line for the DUTs
 * (l3fwd, testpmd) and hands out their telemetry client.
 */
import { describeExit, ProvisionError, trimOutput } from '../../core/errors.ts';
import type { ProcessExit, Shell, SpawnedProcess } from '../shell/shell.ts';
import type { DpdkRuntime } from './runtime.ts';
import { openTelemetry, type TelemetryClient } from './telemetry.ts';

export interface ManagedDpdkProcessSpec {
  readonly shell: Shell;
  readonly runtime: DpdkRuntime;
  /** The EAL file prefix the argv uses (from `runtime.prefix(role)`). */
  readonly prefix: string;
  /** For messages: "l3fwd (dut)". */
  readonly label: string;
  /** Full argv: program, EAL args, `--`, application args. */
  readonly argv: readonly string[];
  /**
   * Resolves when the application is ready (its hello line, its telemetry socket); rejects with the reason
   * when it will not be. Raced with the process's death and the start timeout.
   */
  readonly ready: (proc: SpawnedProcess) => Promise<void>;
  readonly onStdout?: (chunk: string) => void;
  readonly onStderr?: (chunk: string) => void;
  /** Default 30 s: EAL init with hugepages plus port setup, on a contended machine. */
  readonly startTimeoutMs?: number;
  /** Called once when it exits, whoever caused it. */
  readonly onExit?: (exit: ProcessExit) => void;
  /** Ask it to quit by itself before TERM (a quit request on its control channel); it gets the grace time. */
  readonly quit?: (proc: SpawnedProcess) => Promise<void>;
  /** Written to its stdin right after the start (commands of an interactive application, read at its prompt). */
  readonly input?: string;
  /** Files it creates and does not remove when it dies (a listening vhost or memif socket): removed after it. */
  readonly ownedFiles?: readonly string[];
  /** Last output for messages (default: the process's combined output). */
  readonly lastOutput?: () => string;
  /** Hint of the error when it does not start. */
  readonly startHint?: string;
}

export interface ManagedDpdkProcess extends AsyncDisposable {
  readonly label: string;
  readonly prefix: string;
  readonly pid: number;
  readonly process: SpawnedProcess;
  /** Resolves when it exits, however. */
  readonly exit: Promise<ProcessExit>;
  /** Last lines of its output. */
  log(): string;
  /** null while it runs. */
  exited(): ProcessExit | null;
  /** "l3fwd (dut) exited (exit 139: segmentation fault)" plus the last log lines, for error messages. */
  describeDeath(): string;
  /** Quit request (if any) and up to graceMs for it, TERM, KILL after graceMs, then its files go. Idempotent. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

/** Start a DPDK application and wait until it is ready; on failure nothing of it is left behind. */
export async function startManagedDpdkProcess(spec: ManagedDpdkProcessSpec): Promise<ManagedDpdkProcess> {
  const { shell, runtime, prefix, label } = spec;
  const where = `${label} on ${shell.name}`;
  const timeoutMs = spec.startTimeoutMs ?? 30_000;
  await runtime.prepare();
  // A crashed earlier run with the same prefix leaves hugepage files that EAL would try to reuse.
  await runtime.cleanupPrefix(prefix);
  const removeFiles = async (): Promise<void> => {
    await runtime.cleanupPrefix(prefix);
    // A server socket outlives a crashed process, and the next bind fails with "Address already in use".
    if (spec.ownedFiles?.length) await shell.exec(['rm', '-f', '--', ...spec.ownedFiles]).catch(() => undefined);
  };

  let proc: SpawnedProcess;
  try {
    // stdbuf: DPDK apps printf to a pipe, fully buffered; a crash would lose the lines that explain it.
    proc = await shell.spawn(['stdbuf', '-oL', '-eL', ...spec.argv], {
      env: runtime.env(),
      ...(spec.onStdout ? { onStdout: spec.onStdout } : {}),
      ...(spec.onStderr ? { onStderr: spec.onStderr } : {}),
    });
  } catch (err) {
    await removeFiles().catch(() => undefined);
    throw new ProvisionError(`could not start ${spec.argv[0]}`, { where, hint: spec.startHint ?? 'is it installed? `npm run setup` builds what wirespeed needs', cause: err });
  }
  const lastOutput = spec.lastOutput ?? (() => proc.output());
  if (spec.input !== undefined) await proc.write(spec.input).catch(() => undefined); // its death is reported below
  let exitInfo: ProcessExit | null = null;
  const exit = proc.wait().then((e) => {
    exitInfo = e;
    spec.onExit?.(e);
    return e;
  });

  const describeDeath = (): string => {
    const e = proc.exited() ?? exitInfo;
    const how = e ? describeExit(e.exitCode, e.signal) : 'still running';
    const tail = trimOutput(lastOutput(), 12);
    return `${label} ${e ? 'exited' : 'is'} (${how})${tail ? `\n  last output: ${tail}` : ', no output'}`;
  };

  // Not ready yet: what it said last goes on the first line, the one progress lines and summaries keep
  // (an l3fwd whose vhost-user server port waits for its client says so, and nothing after it).
  const describeStuck = (): string => {
    if (proc.exited() ?? exitInfo) return describeDeath();
    const last = lastOutput().trimEnd().split('\n').pop()?.trim();
    return last ? `${label} is still running; its last line: ${last.length > 200 ? `${last.slice(0, 200)}…` : last}\n  last output: ${trimOutput(lastOutput(), 12)}` : `${label} is still running and printed nothing`;
  };

  let stopped: Promise<ProcessExit> | null = null;
  const stop = (graceMs = 3000): Promise<ProcessExit> => {
    stopped ??= (async () => {
      try {
        if (!proc.exited() && spec.quit) {
          await spec.quit(proc).catch(() => undefined);
          await Promise.race([exit, sleep(graceMs)]);
        }
        return proc.exited() ?? (await proc.kill(graceMs));
      } finally {
        await removeFiles();
      }
    })();
    return stopped;
  };

  const died = exit.then((): never => {
    throw new ProvisionError(`${label} did not start: ${describeDeath()}`, {
      where,
      hint: spec.startHint ?? 'read the EAL/application lines above; "Address already in use" means a stale socket, "Cannot get hugepage" a full hugepage pool',
    });
  });
  died.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    const readyP = spec.ready(proc);
    readyP.catch(() => undefined);
    await Promise.race([
      readyP,
      died,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ProvisionError(`${label} not ready after ${timeoutMs} ms: ${describeStuck()}`, { where })), timeoutMs);
      }),
    ]);
  } catch (err) {
    await stop(1000).catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
  const managed: ManagedDpdkProcess = {
    label,
    prefix,
    pid: proc.pid,
    process: proc,
    exit,
    log: lastOutput,
    exited: () => proc.exited() ?? exitInfo,
    describeDeath,
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop();
    },
  };
  return managed;
}

export interface DpdkProcessSpec {
  readonly shell: Shell;
  readonly runtime: DpdkRuntime;
  /** The EAL file prefix the argv uses (from `runtime.prefix(role)`). */
  readonly prefix: string;
  /** For messages: "l3fwd (dut)". */
  readonly label: string;
  /** Full argv: program, EAL args, `--`, application args. */
  readonly argv: readonly string[];
  /** Output that means the process is up and forwarding (checked on the combined output). */
  readonly readyPattern?: RegExp;
  /** Default 30 s: EAL init with hugepages plus port setup, on a contended machine. */
  readonly startTimeoutMs?: number;
  /** Called once when it exits, whoever caused it. */
  readonly onExit?: (exit: ProcessExit) => void;
  /** Written to its stdin right after the start. */
  readonly input?: string;
  /** Ask it to quit by itself before TERM; it gets the grace time. */
  readonly quit?: (proc: SpawnedProcess) => Promise<void>;
}

/** A DUT-like DPDK application: a managed process that answers on its telemetry socket. */
export interface DpdkProcess extends AsyncDisposable {
  readonly label: string;
  readonly prefix: string;
  readonly pid: number;
  readonly process: SpawnedProcess;
  readonly telemetry: TelemetryClient;
  /** Last lines of its output. */
  log(): string;
  /** null while it runs. */
  exited(): ProcessExit | null;
  /** "l3fwd (dut) exited (exit 139: segmentation fault)" plus the last log lines, for error messages. */
  describeDeath(): string;
  /** TERM, KILL after graceMs, then remove its hugepage files and runtime dir. Idempotent. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

/** Start a DPDK application; ready when its telemetry socket answers and its log shows `readyPattern`. */
export async function startDpdkProcess(spec: DpdkProcessSpec): Promise<DpdkProcess> {
  const { shell, runtime, prefix, label } = spec;
  const timeoutMs = spec.startTimeoutMs ?? 30_000;
  let seen = '';
  let readyResolve!: () => void;
  const logReady = new Promise<void>((r) => (readyResolve = r));
  const watch = (chunk: string): void => {
    if (!spec.readyPattern) return;
    seen = (seen + chunk).slice(-8192);
    if (spec.readyPattern.test(seen)) readyResolve();
  };
  if (!spec.readyPattern) readyResolve();
  let telemetry: TelemetryClient | undefined;
  let telemetryP: Promise<TelemetryClient> | undefined;
  let managed: ManagedDpdkProcess;
  try {
    managed = await startManagedDpdkProcess({
      shell,
      runtime,
      prefix,
      label,
      argv: spec.argv,
      startTimeoutMs: timeoutMs,
      ...(spec.onExit ? { onExit: spec.onExit } : {}),
      ...(spec.input === undefined ? {} : { input: spec.input }),
      ...(spec.quit ? { quit: spec.quit } : {}),
      onStdout: watch,
      onStderr: watch,
      ready: async () => {
        telemetryP = openTelemetry(shell, runtime.telemetrySocket(prefix), { waitMs: timeoutMs, label });
        telemetry = await telemetryP;
        await logReady;
      },
    });
  } catch (err) {
    // The helper may still connect after we gave up: close it then, so no process is left.
    void telemetryP?.then((t) => t.close()).catch(() => undefined);
    throw err;
  }
  const tel = telemetry!;
  const stop = async (graceMs = 3000): Promise<ProcessExit> => {
    await tel.close().catch(() => undefined);
    return managed.stop(graceMs);
  };
  return {
    label,
    prefix,
    pid: managed.pid,
    process: managed.process,
    telemetry: tel,
    log: () => managed.log(),
    exited: () => managed.exited(),
    describeDeath: () => managed.describeDeath(),
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop();
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
