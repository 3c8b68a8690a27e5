/**
 * Which exit code a run ends with (README exit codes, core/errors.ts EXIT_CODES): a scenario that ran and
 * missed its goal is 1; a harness, lab, transport, timeout or measurement problem gets its own code, and
 * wins over scenario failures so that CI can tell "the DUT is slow" from "the lab is broken".
 * The severity of each failure is the one its error declared, reported by the worker (contract/failure.ts).
 */
import { EXIT_CODES, type Severity } from '../../core/errors.ts';

/** What the reporter knows about a failed test. */
export interface FailedTest {
  /** Playwright's status: failed, timedOut, interrupted. */
  readonly status: string;
  /** The severity its error declared (the worker's failure event), if the error was ours. */
  readonly declared: Severity | undefined;
  /** An expect() step failed: the scenario's expectation was not met. */
  readonly expectFailed: boolean;
}

/** Severity of a failed test: declared by its error; else a timeout, a missed expectation, or a harness bug. */
export function severityOfTest(t: FailedTest): Severity {
  if (t.declared !== undefined) return t.declared;
  if (t.status === 'timedOut') return 'timeout';
  if (t.expectFailed) return 'scenario';
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
