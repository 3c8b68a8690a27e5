/**
 * What the CLI records once Playwright has ended: a skip record per skipped scenario, a failure record per
 * test that failed before its scenario wrote a result, then run-end.
 *
 * Every skipped scenario becomes a `skip` record with its reason, so summary.md, junit.xml and report.html
 * (all built from the records) count the same skips the run printed. The reporter sees every skip,
 * including tests skipped before any fixture ran; the workers cannot, so the CLI writes them from the run
 * summary once Playwright has ended (a skip measured nothing: there is nothing to lose before then).
 */
import { projectName, type MatrixEntry } from '../../contract/matrix.ts';
import type { RunSummary } from '../../contract/run-summary.ts';
import type { RecordDraft } from '../../reports/schema/record.ts';
import type { RecordStore } from '../../reports/store/jsonl.ts';

/** The skip records of a run: one per skipped scenario of its summary, in run order. */
export function skipRecordsOf(summary: RunSummary, matrix: readonly MatrixEntry[]): Extract<RecordDraft, { kind: 'skip' }>[] {
  return summary.scenarios
    .filter((s) => s.status === 'skipped')
    .map((s) => {
      // Projects are "<cell>" and "<cell>:throughput" (contract/matrix.ts).
      const cell = matrix.find((m) => s.project === projectName(m) || s.project.startsWith(`${projectName(m)}:`));
      return {
        kind: 'skip' as const,
        test: s.title,
        project: s.project,
        ...(s.scenario === undefined ? {} : { scenarioId: s.scenario }),
        ...(cell === undefined ? {} : { datapath: cell.datapath }),
        reason: s.detail?.trim() || 'skipped without a reason (test.skip() with no description)',
        ...(s.capability === undefined ? {} : { capability: s.capability }),
      };
    });
}

const FAILED = new Set(['failed', 'timedOut', 'interrupted']);

/**
 * The failure records of a run: one per failed test that never named its scenario (it failed in a fixture,
 * before the scenario fixture opened a result, which would otherwise record the failure itself).
 */
export function failureRecordsOf(summary: RunSummary, matrix: readonly MatrixEntry[]): Extract<RecordDraft, { kind: 'failure' }>[] {
  return summary.scenarios
    .filter((s) => FAILED.has(s.status) && s.scenario === undefined)
    .map((s) => {
      const cell = matrix.find((m) => s.project === projectName(m) || s.project.startsWith(`${projectName(m)}:`));
      return {
        kind: 'failure' as const,
        test: s.title,
        project: s.project,
        ...(cell === undefined ? {} : { datapath: cell.datapath }),
        error: s.detail?.trim() || (s.status === 'timedOut' ? 'timed out' : `test ${s.status}`),
        ...(s.errorClass ? { errorClass: s.errorClass } : {}),
        ...(s.severity ? { severity: s.severity } : {}),
      };
    });
}

/** How Playwright ended, as the CLI saw it. */
export interface PlaywrightEnd {
  readonly interrupted: boolean;
  readonly exitCode: number | null;
  readonly signal?: string | null;
}

/**
 * Write the skip records and the run-end record (counts from the reporter's summary; crashed without one).
 * `error` says what went wrong around the run (it lost its hold on the lab), before the reporter's absence.
 */
export async function writeRunEnd(store: RecordStore, summary: RunSummary | undefined, matrix: readonly MatrixEntry[], exit: PlaywrightEnd, opts: { error?: string } = {}): Promise<void> {
  for (const skip of summary === undefined ? [] : skipRecordsOf(summary, matrix)) await store.write(skip);
  for (const failure of summary === undefined ? [] : failureRecordsOf(summary, matrix)) await store.write(failure);
  const counts = summary?.counts ?? {};
  await store.write({
    kind: 'run-end',
    endedAt: new Date().toISOString(),
    status: exit.interrupted ? 'aborted' : summary === undefined ? 'crashed' : 'completed',
    counts: {
      passed: counts.passed ?? 0,
      failed: (counts.failed ?? 0) + (counts.timedOut ?? 0) + (counts.interrupted ?? 0),
      skipped: counts.skipped ?? 0,
    },
    ...(opts.error !== undefined
      ? { error: opts.error }
      : summary === undefined
        ? { error: `Playwright ended with ${exit.signal ?? `exit ${exit.exitCode}`} and no summary` }
        : {}),
  });
}
