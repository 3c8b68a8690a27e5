/**
 * The Playwright reporter `wirespeed run` uses: drives the progress view from Playwright's test events and
 * the events our fixtures print (contract/progress-events.ts), and writes `<out>/run-summary.json`
 * (contract/run-summary.ts) with the exit code the CLI returns. The severity of each failure is the one the
 * worker reported from the thrown error's class, never guessed from the error's text.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestError, TestResult, TestStep } from '@playwright/test/reporter';
import type { Severity } from '../../core/errors.ts';
import { ENV } from '../../contract/env.ts';
import { decodeEvents, type FailureEvent } from '../../contract/progress-events.ts';
import { SUMMARY_FILE, type RunSummary } from '../../contract/run-summary.ts';
import { exitCodeFor, severityOfTest, stripAnsi } from './exit-status.ts';
import { ProgressView } from './progress-view.ts';

export default class WirespeedReporter implements Reporter {
  private readonly view = new ProgressView({ write: (t) => process.stdout.write(t) }, process.stdout.isTTY === true);
  private readonly summary: RunSummary = { exitCode: 0, counts: {}, scenarios: [], errors: [] };
  private readonly severities: Severity[] = [];
  private readonly scenarioOf = new Map<string, string>();
  /** Failures the worker reported per test (by test id), and outside tests (worker teardown), in order. */
  private readonly failureOf = new Map<string, FailureEvent>();
  private readonly workerFailures: FailureEvent[] = [];
  private ticker: NodeJS.Timeout | undefined;

  printsToStdio(): boolean {
    return true;
  }

  onBegin(_config: FullConfig, suite: Suite): void {
    this.view.begin(suite.allTests().length);
    if (process.stdout.isTTY) {
      // Keep elapsed/left moving while a long trial runs.
      this.ticker = setInterval(() => this.view.refresh(), 1000);
      this.ticker.unref();
    }
  }

  onTestBegin(test: TestCase): void {
    this.view.scenarioBegin(`${test.parent.project()?.name ?? ''} › ${test.title}`);
  }

  onStdOut(chunk: string | Buffer, test?: TestCase): void {
    const { events, text } = decodeEvents(chunk.toString());
    for (const e of events) {
      if (e.type === 'failure') {
        if (test) this.failureOf.set(test.id, e);
        else this.workerFailures.push(e);
        continue;
      }
      if (e.type === 'scenario' && test) this.scenarioOf.set(test.id, e.scenario);
      this.view.event(e);
    }
    if (!process.stdout.isTTY || text.trim() !== '') this.view.text(text);
  }

  onStdErr(chunk: string | Buffer): void {
    const text = chunk.toString();
    if (text.trim() !== '') process.stderr.write(text);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    // Playwright retries are not used for scenarios; the last result is the one that counts.
    const status = result.status;
    const firstError = result.errors[0]?.message;
    const skipReason = test.annotations.find((a) => a.type === 'skip')?.description ?? result.annotations?.find((a) => a.type === 'skip')?.description;
    const capability = [...test.annotations, ...(result.annotations ?? [])].find((a) => a.type === 'capability')?.description;
    const failure = this.failureOf.get(test.id);
    let severity: Severity | undefined;
    if (status === 'failed' || status === 'timedOut') {
      severity = severityOfTest({ status, declared: failure?.severity, expectFailed: result.steps.some(failedExpect) });
      this.severities.push(severity);
    }
    const detail =
      status === 'skipped'
        ? skipReason
        : status === 'passed'
          ? undefined
          : firstLine(firstError ?? (status === 'timedOut' ? `timed out after ${test.timeout} ms` : status));
    const scenario = this.scenarioOf.get(test.id) ?? test.annotations.find((a) => a.type === 'scenario')?.description;
    this.summary.counts[status] = (this.summary.counts[status] ?? 0) + 1;
    this.summary.scenarios.push({
      title: test.title,
      project: test.parent.project()?.name ?? '',
      scenario,
      status,
      severity,
      ...(severity === undefined || failure === undefined ? {} : { errorClass: failure.errorClass }),
      detail,
      ...(status === 'skipped' && capability !== undefined ? { capability } : {}),
      attachments: result.attachments.map((a) => a.name),
    });
    this.view.scenarioEnd({ title: `[${test.parent.project()?.name ?? ''}] ${test.title}`, scenario, status, durationMs: result.duration, detail });
  }

  onError(error: TestError): void {
    const msg = stripAnsi(error.message ?? error.value ?? 'unknown error');
    this.summary.errors.push(msg);
    // A worker fixture's teardown reports its failure just before Playwright reports the error.
    this.severities.push(this.workerFailures.shift()?.severity ?? 'internal');
    this.view.text(`error: ${msg}`);
  }

  async onEnd(result: FullResult): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    this.view.end();
    let code = exitCodeFor(this.severities);
    // Interrupted (Ctrl-C) or a global timeout with nothing else to blame.
    if (code === 0 && result.status === 'interrupted') code = 130;
    if (code === 0 && result.status === 'timedout') code = 5;
    if (code === 0 && result.status === 'failed') code = 70;
    this.summary.exitCode = code;
    const out = process.env[ENV.out];
    if (out) {
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, SUMMARY_FILE), `${JSON.stringify(this.summary, null, 2)}\n`);
    }
  }
}

/** An expect() that failed, at any depth of the test's steps. */
function failedExpect(step: TestStep): boolean {
  return (step.category === 'expect' && step.error !== undefined) || step.steps.some(failedExpect);
}

function firstLine(text: string): string {
  return stripAnsi(text).trim().split('\n')[0] ?? '';
}
