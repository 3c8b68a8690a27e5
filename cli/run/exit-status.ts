/**
 * Which exit code a run ends with (README exit codes, core/errors.ts EXIT_CODES): a scenario that ran and
 * missed its goal is 1; a harness, lab, transport, timeout or measurement problem gets its own code, and
 * wins over scenario failures so that CI can tell "the DUT is slow" from "the lab is broken".
 */
import { EXIT_CODES, type Severity } from '../../core/errors.ts';

const BY_CLASS: Record<string, Severity> = {
  ScenarioFailedError: 'scenario',
  ConfigError: 'config',
  CommandFailedError: 'lab',
  ProvisionError: 'lab',
  TransportError: 'transport',
  TimeoutError: 'timeout',
  MeasurementError: 'measurement',
};

/** Severity of a failed test from its status and its first error message (as Playwright reports it). */
export function severityOf(status: string, errorMessage: string | undefined): Severity {
  if (status === 'timedOut') return 'timeout';
  const msg = stripAnsi(errorMessage ?? '');
  const named = /^\s*(?:Error:\s*)?([A-Z][A-Za-z]+Error)\b/.exec(msg);
  const cls = named?.[1];
  if (cls !== undefined && cls in BY_CLASS) return BY_CLASS[cls] as Severity;
  // A failed expect() is the scenario not meeting its expectation.
  if (/\bexpect\(/.test(msg) || /^\s*Error: expect/.test(msg)) return 'scenario';
  return 'internal';
}

/** Order in which problems decide the exit code: harness bugs and bad input first, a missed goal last. */
const PRIORITY: readonly Severity[] = ['internal', 'config', 'lab', 'transport', 'timeout', 'measurement', 'scenario'];

/** The exit code of a run from the severities of its failures (0 when there were none). */
export function exitCodeFor(severities: readonly Severity[]): number {
  for (const s of PRIORITY) if (severities.includes(s)) return EXIT_CODES[s];
  return 0;
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex -- that is what ANSI escapes are
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}
