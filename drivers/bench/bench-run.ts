/**
 * What every local benchmark does around its measuring (bench:local, bench:duts, bench:vpp-vswitch,
 * bench:pktgen): one run directory and DPDK runtime, everything started torn down also on Ctrl-C, the
 * leftovers listed, and above all: what was measured is printed even when a later step fails. A bench
 * measures into its own state; `runBench` prints that state's table after the measuring, whether it ended
 * or failed part-way, then the failure (what, where: the step that was running, hint) and exits non-zero.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { exitCodeOf, WirespeedError } from '../../core/errors.ts';
import { createDpdkRuntime, type DpdkRuntime } from '../dpdk/runtime.ts';
import type { RunningDatapath } from '../datapath/datapath.ts';
import { runLeftovers } from '../datapath/local/leftovers.ts';
import { localShell } from '../shell/local.ts';
import type { Shell } from '../shell/shell.ts';

export interface BenchContext {
  readonly name: string;
  readonly shell: Shell;
  readonly runId: string;
  readonly runDir: string;
  readonly runtime: DpdkRuntime;
  readonly startedAt: Date;
  /** The 1-minute load average when the bench started, for the table's header. */
  readonly loadBefore: string;
  /** A progress line on stderr. */
  log(line: string): void;
  /** Logs the step and remembers it: a failure names the step it happened in. */
  step(label: string): void;
  /** Runs fn with `close` registered for Ctrl-C; closes after, also when fn throws. */
  withLive<T>(close: () => Promise<unknown>, fn: () => Promise<T>): Promise<T>;
  /** Brings a datapath up, runs fn on it, brings it down (also on Ctrl-C). */
  withDatapath<T>(up: () => Promise<RunningDatapath>, fn: (dp: RunningDatapath) => Promise<T>): Promise<T>;
  /** Opens a generator (anything with close()), runs fn with it, closes it (also on Ctrl-C). */
  withGenerator<G extends { close(): Promise<unknown> }, T>(open: () => Promise<G>, fn: (gen: G) => Promise<T>): Promise<T>;
}

/** What a bench prints once it stopped measuring. */
export interface BenchReport {
  /** The table and its header, on stdout. */
  readonly lines: readonly string[];
  /** Written to results/<run>/<file> (the figures a reader can reprocess). */
  readonly json?: { readonly file: string; readonly data: unknown };
  /** Lines on stderr after the table: goals met or missed. */
  readonly verdict?: readonly string[];
  /** The exit code when the measuring completed (1: a goal was missed). */
  readonly exitCode: number;
}

export interface BenchDefinition {
  /** `bench:local` */
  readonly name: string;
  /** Run ids are `<prefix><time>`; short, because socket paths under the run dir are limited. */
  readonly runIdPrefix: string;
  /** Checks before anything starts (a missing program): throw a ConfigError/ProvisionError. */
  readonly preflight?: () => Promise<void> | void;
  /** Measures, keeping every figure in the bench's own state as soon as it is measured. */
  measure(ctx: BenchContext): Promise<void>;
  /** The report of what is in the state; `failure` set when measuring stopped early. */
  report(ctx: BenchContext, failure?: BenchFailure): BenchReport;
  /** Directories (under the run dir) removed after the run; their leftovers are listed first. */
  readonly scratchDirs?: readonly string[];
  /** Remove the whole run directory after printing (a bench that keeps no JSON). */
  readonly removeRunDir?: boolean;
}

/** Why the measuring stopped before its end. */
export interface BenchFailure {
  readonly what: string;
  /** The step that was running (or the error's own where). */
  readonly where: string;
  readonly hint: string;
  readonly exitCode: number;
}

/** Everything printed and the exit code, for a caller other than a process (tests). */
export interface BenchOutcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  readonly runDir: string;
}

export interface BenchHost {
  readonly shell?: Shell;
  /** Where results/<run> goes (default: the current directory). */
  readonly resultsDir?: string;
  readonly out?: (text: string) => void;
  readonly err?: (text: string) => void;
  /** Ctrl-C handling; off for a bench run inside a test. */
  readonly signals?: boolean;
}

/** Runs a bench definition: measure, tear down, print what was measured, then the failure if any. */
export async function executeBench(def: BenchDefinition, host: BenchHost = {}): Promise<BenchOutcome> {
  let stdout = '';
  let stderr = '';
  const out = (t: string) => {
    stdout += t;
    host.out?.(t);
  };
  const err = (t: string) => {
    stderr += t;
    host.err?.(t);
  };
  const shell = host.shell ?? localShell();
  const runId = `${def.runIdPrefix}${Date.now().toString(36)}`;
  const runDir = resolve(host.resultsDir ?? 'results', runId);
  const live = new Set<() => Promise<unknown>>();
  let currentStep = 'before the first step';
  let interrupted = false;
  const log = (line: string) => err(`bench: ${line}\n`);

  const withLive = async <T>(close: () => Promise<unknown>, fn: () => Promise<T>): Promise<T> => {
    if (interrupted) throw new Error('interrupted');
    live.add(close);
    try {
      return await fn();
    } finally {
      live.delete(close);
      await close();
    }
  };
  const runtime = createDpdkRuntime({ shell, runDir, runId });
  const ctx: BenchContext = {
    name: def.name,
    shell,
    runId,
    runDir,
    runtime,
    startedAt: new Date(),
    loadBefore: loadavg()[0]!.toFixed(1),
    log,
    step(label) {
      currentStep = label;
      log(label);
    },
    withLive,
    async withDatapath(up, fn) {
      if (interrupted) throw new Error('interrupted');
      const dp = await up();
      return withLive(() => dp.down(), () => fn(dp));
    },
    async withGenerator(open, fn) {
      if (interrupted) throw new Error('interrupted');
      const gen = await open();
      return withLive(() => gen.close(), () => fn(gen));
    },
  };

  const onSignal = (sig: NodeJS.Signals) => {
    interrupted = true;
    log(`${sig}: tearing down`);
    void (async () => {
      for (const f of [...live].reverse()) await f().catch(() => undefined); // generator, datapath, runtime
      await runtime.cleanup().catch(() => undefined);
      process.exit(130);
    })();
  };
  if (host.signals !== false) for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, onSignal);

  let failure: BenchFailure | undefined;
  try {
    await def.preflight?.();
    await mkdir(runDir, { recursive: true });
    await def.measure(ctx);
  } catch (e) {
    failure = failureOf(e, currentStep, def.name);
  } finally {
    if (host.signals !== false) for (const sig of ['SIGINT', 'SIGTERM'] as const) process.off(sig, onSignal);
    await runtime.cleanup().catch((e: unknown) => log(`runtime cleanup: ${String(e)}`));
    const scratch = (def.scratchDirs ?? []).map((d) => join(runDir, d));
    const left = await runLeftovers({ shell, runId, dirs: [runtime.runtimeDir, ...scratch] }).catch((e: unknown) => [`(could not list leftovers: ${String(e)})`]);
    if (left.length > 0) log(`LEFT BEHIND:\n  ${left.join('\n  ')}`);
    for (const d of scratch) await rm(d, { recursive: true, force: true });
  }

  let exitCode: number;
  try {
    const report = def.report(ctx, failure);
    out(report.lines.join('\n') + '\n');
    if (report.json && !def.removeRunDir) {
      await writeFile(join(runDir, report.json.file), JSON.stringify(failure ? { ...(report.json.data as object), failure } : report.json.data, null, 2));
      log(`figures in ${join(runDir, report.json.file)}`);
    }
    if (!failure) for (const v of report.verdict ?? []) log(v);
    exitCode = failure ? failure.exitCode : report.exitCode;
  } catch (e) {
    // The report itself failed: say so, and what stopped the measuring, rather than nothing.
    err(`${def.name}: could not print the figures: ${e instanceof Error ? e.message : String(e)}\n`);
    exitCode = failure?.exitCode ?? exitCodeOf(e);
  }
  if (failure) err(describeFailure(def.name, failure));
  if (def.removeRunDir) await rm(runDir, { recursive: true, force: true });
  return { stdout, stderr, exitCode, runDir };
}

/** As a process: prints as it goes and exits with the outcome's code. */
export function runBench(def: BenchDefinition): void {
  executeBench(def, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }).then(
    (o) => process.exit(o.exitCode),
    (e: unknown) => {
      process.stderr.write(`${def.name} failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(exitCodeOf(e));
    },
  );
}

function failureOf(e: unknown, step: string, name: string): BenchFailure {
  const exitCode = Math.max(1, exitCodeOf(e));
  const rerun = `the table above has what was measured before it; repeat the missing rows alone (e.g. npm run ${name} -- --kinds <the failed one>)`;
  if (e instanceof WirespeedError) {
    return { what: e.what, where: e.where ? `${step} (${e.where})` : step, hint: e.hint ? `${e.hint}; ${rerun}` : rerun, exitCode };
  }
  return { what: e instanceof Error ? e.message : String(e), where: step, hint: rerun, exitCode };
}

function describeFailure(name: string, f: BenchFailure): string {
  return `${name} FAILED during ${f.where}:\n  ${f.what.split('\n').join('\n  ')}\n  hint: ${f.hint}\n`;
}

/** A markdown table: header cells, then one row of cells each. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** The cells of round `round`, rotated so that none always runs first (after a quiet pause) or last. */
export function rotated<T>(cells: readonly T[], round: number): T[] {
  return cells.map((_, i) => cells[(i + round) % cells.length]!);
}

export const mpps = (pps: number | undefined): string => (pps === undefined || !Number.isFinite(pps) ? 'n/a' : (pps / 1e6).toFixed(3));
export const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : 'n/a');
