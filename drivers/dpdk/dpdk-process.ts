/**
 * One long-running DPDK application (l3fwd, testpmd, ...) under a run's runtime: started through a
 * Shell, ready when its telemetry socket answers and its log shows it is forwarding, stopped with
 * TERM then KILL, and its hugepage files and runtime directory removed whatever way it ended.
 */
import { describeExit, ProvisionError, trimOutput } from '../../core/errors.ts';
import type { ProcessExit, Shell, SpawnedProcess } from '../shell/shell.ts';
import type { DpdkRuntime } from './runtime.ts';
import { openTelemetry, type TelemetryClient } from './telemetry.ts';

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
}

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

/** Start a DPDK application and wait until it is ready; on failure nothing of it is left behind. */
export async function startDpdkProcess(spec: DpdkProcessSpec): Promise<DpdkProcess> {
  const { shell, runtime, prefix, label } = spec;
  const where = `${label} on ${shell.name}`;
  const timeoutMs = spec.startTimeoutMs ?? 30_000;
  await runtime.prepare();
  // A crashed earlier run with the same prefix leaves hugepage files that EAL would try to reuse.
  await runtime.cleanupPrefix(prefix);

  let seen = '';
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => (readyResolve = r));
  const watch = (chunk: string) => {
    if (!spec.readyPattern) return;
    seen = (seen + chunk).slice(-8192);
    if (spec.readyPattern.test(seen)) readyResolve();
  };
  if (!spec.readyPattern) readyResolve();

  // stdbuf: DPDK apps printf to a pipe, fully buffered; a crash would lose the lines that explain it.
  const proc = await shell.spawn(['stdbuf', '-oL', '-eL', ...spec.argv], {
    env: runtime.env(),
    onStdout: watch,
    onStderr: watch,
  });
  let exitInfo: ProcessExit | null = null;
  const exitedP = proc.wait().then((e) => {
    exitInfo = e;
    spec.onExit?.(e);
    return e;
  });

  const describeDeath = (): string => {
    const e = proc.exited() ?? exitInfo;
    const how = e ? describeExit(e.exitCode, e.signal) : 'still running';
    return `${label} exited (${how})\n  last output: ${trimOutput(proc.output(), 12)}`;
  };

  let stopped: Promise<ProcessExit> | null = null;
  const stop = (graceMs = 3000): Promise<ProcessExit> => {
    stopped ??= (async () => {
      await telemetry?.close().catch(() => undefined);
      const e = await proc.kill(graceMs);
      await runtime.cleanupPrefix(prefix);
      return e;
    })();
    return stopped;
  };

  let telemetry: TelemetryClient | undefined;
  const died = exitedP.then((): never => {
    throw new ProvisionError(`${label} did not start: ${describeDeath()}`, {
      where,
      hint: 'read the EAL/application lines above; "Address already in use" means a stale socket, "Cannot get hugepage" a full hugepage pool',
    });
  });
  died.catch(() => undefined);
  const telemetryP = openTelemetry(shell, runtime.telemetrySocket(prefix), { waitMs: timeoutMs, label });
  telemetryP.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ProvisionError(`${label} not ready after ${timeoutMs} ms\n  last output: ${trimOutput(proc.output(), 12)}`, { where })), timeoutMs);
    });
    telemetry = await Promise.race([telemetryP, died, timedOut]);
    await Promise.race([ready, died, timedOut]);
  } catch (err) {
    // The helper may still connect after we gave up: close it then, so no process is left.
    void telemetryP.then((t) => t.close()).catch(() => undefined);
    await stop(1000).catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
  const tel = telemetry;
  return {
    label,
    prefix,
    pid: proc.pid,
    process: proc,
    telemetry: tel,
    log: () => proc.output(),
    exited: () => proc.exited(),
    describeDeath,
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop();
    },
  };
}
