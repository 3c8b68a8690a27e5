/**
 * The error tree (STYLE: "Errors carry context"). Every error says what happened, where, and what to do.
 * Severity maps to the process exit code, documented in the README:
 *   0 ok · 1 a scenario failed (DUT/datapath did not meet its goal) · 2 bad input (ConfigError)
 *   3 lab or provisioning problem · 4 transport (SSH, API) · 5 timeout · 6 measurement invalid · 70 internal bug
 */
export const SEVERITIES = ['config', 'lab', 'transport', 'timeout', 'measurement', 'scenario', 'internal'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const EXIT_CODES: Record<Severity, number> = {
  scenario: 1,
  config: 2,
  lab: 3,
  transport: 4,
  timeout: 5,
  measurement: 6,
  internal: 70,
};

export interface ErrorContext {
  /** Where it happened: a file:line:col, a host, a node name, a datapath. */
  where?: string;
  /** What the user can do about it. */
  hint?: string;
  cause?: unknown;
}

const RECENT_KEPT = 64;
const recent: WirespeedError[] = [];

/**
 * The wirespeed errors made in this process lately, oldest first. A runner that sees only an error's
 * serialized form (Playwright hands fixtures and reporters message and stack, not the object) finds the
 * object here, and with it the severity its class declares.
 */
export function recentErrors(): readonly WirespeedError[] {
  return recent;
}

/** Base of all wirespeed errors; `message` already contains where and hint for plain printing. */
export abstract class WirespeedError extends Error {
  abstract readonly severity: Severity;
  readonly where: string | undefined;
  readonly hint: string | undefined;
  /** The message without where/hint decoration. */
  readonly what: string;

  constructor(what: string, ctx: ErrorContext = {}) {
    super(formatMessage(what, ctx), ctx.cause === undefined ? undefined : { cause: ctx.cause });
    this.name = new.target.name;
    this.what = what;
    this.where = ctx.where;
    this.hint = ctx.hint;
    recent.push(this);
    if (recent.length > RECENT_KEPT) recent.shift();
  }

  get exitCode(): number {
    return EXIT_CODES[this.severity];
  }
}

function formatMessage(what: string, ctx: ErrorContext): string {
  let msg = ctx.where ? `${ctx.where}: ${what}` : what;
  if (ctx.hint) msg += `\n  hint: ${ctx.hint}`;
  return msg;
}

/** Bad input: inventory, flags, goals, records. */
export class ConfigError extends WirespeedError {
  readonly severity = 'config' as const;
}

/** A command ran and exited badly. */
export class CommandFailedError extends WirespeedError {
  readonly severity = 'lab' as const;
  readonly host: string;
  readonly command: string;
  readonly exitCode_: number | null;
  readonly signal: string | null;
  readonly stderr: string;
  readonly stdout: string;

  constructor(args: {
    host: string;
    command: string;
    exitCode: number | null;
    signal: string | null;
    stdout: string;
    stderr: string;
    hint?: string;
  }) {
    const meaning = describeExit(args.exitCode, args.signal);
    const tail = trimOutput(args.stderr || args.stdout);
    super(`command failed (${meaning}): ${args.command}${tail ? `\n  output: ${tail}` : ''}`, {
      where: args.host,
      ...(args.hint === undefined ? {} : { hint: args.hint }),
    });
    this.host = args.host;
    this.command = args.command;
    this.exitCode_ = args.exitCode;
    this.signal = args.signal;
    this.stderr = args.stderr;
    this.stdout = args.stdout;
  }
}

/** Could not reach or keep talking to something (SSH, Kubernetes API, a control socket). */
export class TransportError extends WirespeedError {
  readonly severity = 'transport' as const;
  /** Every attempt's cause, in order, when retries were made. */
  readonly attempts: readonly string[];
  constructor(what: string, ctx: ErrorContext & { attempts?: readonly string[] } = {}) {
    const attempts = ctx.attempts ?? [];
    const listed = attempts.length
      ? `${what}\n${attempts.map((a, i) => `  attempt ${i + 1}: ${a}`).join('\n')}`
      : what;
    super(listed, ctx);
    this.attempts = attempts;
  }
}

/** Something did not happen in time. */
export class TimeoutError extends WirespeedError {
  readonly severity = 'timeout' as const;
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number, ctx: ErrorContext = {}) {
    super(`${what} (timed out after ${formatMs(timeoutMs)})`, ctx);
    this.timeoutMs = timeoutMs;
  }
}

/** Setting up the lab (datapath, hugepages, VFs, cluster objects) failed. */
export class ProvisionError extends WirespeedError {
  readonly severity = 'lab' as const;
}

/** A trial's figures cannot be trusted (a process died mid-trial, counters went backwards, ...). */
export class MeasurementError extends WirespeedError {
  readonly severity = 'measurement' as const;
}

/** A scenario ran and its expectation was not met. */
export class ScenarioFailedError extends WirespeedError {
  readonly severity = 'scenario' as const;
}

/** What an exit code or signal means, for people. */
export function describeExit(exitCode: number | null, signal: string | null): string {
  if (signal) return `killed by ${signal}`;
  if (exitCode === null) return 'no exit code';
  const known: Record<number, string> = {
    124: 'exit 124: timed out (timeout(1))',
    126: 'exit 126: not executable',
    127: 'exit 127: command not found',
    130: 'exit 130: interrupted (SIGINT)',
    137: 'exit 137: killed (SIGKILL, often the OOM killer or a timeout)',
    139: 'exit 139: segmentation fault (SIGSEGV)',
    141: 'exit 141: broken pipe (SIGPIPE)',
    143: 'exit 143: terminated (SIGTERM)',
  };
  return known[exitCode] ?? `exit ${exitCode}`;
}

/** Last lines of output, trimmed, for error messages. */
export function trimOutput(text: string, maxLines = 8, maxChars = 1200): string {
  const lines = text.trimEnd().split('\n');
  let out = lines.slice(-maxLines).join('\n  ');
  if (out.length > maxChars) out = '…' + out.slice(-maxChars);
  return out;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${ms} ms`;
}

/** Exit code for any thrown value: ours by severity, anything else is an internal bug. */
export function exitCodeOf(err: unknown): number {
  return err instanceof WirespeedError ? err.exitCode : EXIT_CODES.internal;
}
