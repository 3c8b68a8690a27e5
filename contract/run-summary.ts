/**
 * `run-summary.json`: what the `wirespeed run` reporter (cli/run/reporter.ts) writes into the run directory
 * at the end of the Playwright run, and the CLI and tests read back: per-scenario status, the severity of
 * each failure, and the exit code.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Severity } from '../core/errors.ts';

export const SUMMARY_FILE = 'run-summary.json';

export interface ScenarioSummary {
  readonly title: string;
  readonly project: string;
  readonly scenario: string | undefined;
  readonly status: string;
  /** What failed, as the error's class declared it; undefined when it passed or was skipped. */
  readonly severity: Severity | undefined;
  /** The class of the error that failed it ("ProvisionError"), when the worker reported one. */
  readonly errorClass?: string | undefined;
  /** Skip reason or first line of the error. */
  readonly detail: string | undefined;
  /** The capability the lab lacks, when a gate skipped it (the test's `capability` annotation). */
  readonly capability?: string | undefined;
  /** Names of the files attached to the test (commands.txt, dut.log on failure). */
  readonly attachments: string[];
}

export interface RunSummary {
  exitCode: number;
  counts: Record<string, number>;
  scenarios: ScenarioSummary[];
  /** Errors outside any test (config, global setup, worker teardown). */
  errors: string[];
}

/** The summary in a run directory, or undefined when the reporter wrote none (Playwright crashed). */
export async function readRunSummary(outDir: string): Promise<RunSummary | undefined> {
  try {
    return JSON.parse(await readFile(join(outDir, SUMMARY_FILE), 'utf8')) as RunSummary;
  } catch {
    return undefined;
  }
}
