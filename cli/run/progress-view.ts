/**
 * What `wirespeed run` shows while scenarios run. On a TTY: permanent lines for finished scenarios and a
 * status line rewritten in place (scenario, trial n, offered load, loss, estimated time left). Otherwise one
 * line per trial, so CI logs and pipes read well.
 */
import type { ProgressEvent } from '../../contract/progress-events.ts';
import { fmtDuration, fmtLoss, fmtPps } from '../../reports/model/format.ts';

export interface ProgressSink {
  write(text: string): void;
}

export interface ScenarioEnd {
  title: string;
  scenario: string | undefined;
  status: 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';
  durationMs: number;
  /** Skip reason or first line of the error. */
  detail: string | undefined;
}

const formatDuration = (ms: number): string => fmtDuration(Math.max(0, ms) / 1000);

const STATUS_MARK: Record<ScenarioEnd['status'], string> = {
  passed: 'ok  ',
  failed: 'FAIL',
  timedOut: 'TIME',
  skipped: 'skip',
  interrupted: 'INT ',
};

/** Live progress over Playwright's test events and our trial events. */
export class ProgressView {
  private total = 0;
  private finished = 0;
  private runStartMs = 0;
  /** Durations of scenarios that really ran (skips take no time and would skew the estimate). */
  private ranMs: number[] = [];
  private current: { title: string; scenario: string | undefined; startedMs: number } | undefined;
  private lastTrial: Extract<ProgressEvent, { type: 'trial' }> | undefined;
  private statusShown = false;
  private readonly results: { scenario: string; summary: string }[] = [];

  constructor(
    private readonly out: ProgressSink,
    private readonly tty: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  begin(totalScenarios: number): void {
    this.total = totalScenarios;
    this.runStartMs = this.now();
    this.line(`wirespeed: ${totalScenarios} scenario${totalScenarios === 1 ? '' : 's'} to run`);
  }

  scenarioBegin(title: string): void {
    this.current = { title, scenario: undefined, startedMs: this.now() };
    this.lastTrial = undefined;
    this.status();
  }

  event(e: ProgressEvent): void {
    switch (e.type) {
      case 'scenario':
        if (this.current) this.current.scenario = e.scenario;
        if (!this.tty) this.line(`start ${e.scenario}`);
        break;
      case 'trial':
        this.lastTrial = e;
        if (!this.tty) {
          this.line(
            `  ${e.scenario} trial ${e.n} [${e.phase}] offered ${fmtPps(e.loadPps)} for ${e.durationS}s: ` +
              `loss ${fmtLoss(e.lossRatio)}, received ${fmtPps(e.receivedPps)}  (left ~${this.etaText()})`,
          );
        }
        break;
      case 'result':
        this.results.push({ scenario: e.scenario, summary: e.summary });
        this.line(`  ${e.scenario}: ${e.summary}`);
        break;
      case 'failure':
        break; // for the exit code (the reporter), not for people: the test's end line shows the error
      default: {
        const never: never = e;
        throw new Error(`unknown progress event ${JSON.stringify(never)}`);
      }
    }
    this.status();
  }

  /** Ordinary output of a scenario (not an event): shown as is. */
  text(text: string): void {
    if (text.trim() === '') return;
    this.line(text.replace(/\n$/, ''));
  }

  scenarioEnd(end: ScenarioEnd): void {
    this.finished++;
    if (end.status !== 'skipped') this.ranMs.push(end.durationMs);
    const name = end.scenario ?? end.title;
    const detail = end.detail ? `: ${end.detail}` : '';
    this.line(`${STATUS_MARK[end.status]} ${name} (${formatDuration(end.durationMs)})${detail}`);
    this.current = undefined;
    this.lastTrial = undefined;
    this.status();
  }

  /** Redraw the status line (elapsed time moves during long trials). */
  refresh(): void {
    this.status();
  }

  end(): void {
    this.clearStatus();
  }

  /** Estimated time left: mean duration of scenarios that ran, times those still to come. */
  etaMs(): number | undefined {
    if (this.ranMs.length === 0) return undefined;
    const mean = this.ranMs.reduce((s, x) => s + x, 0) / this.ranMs.length;
    const inCurrent = this.current ? this.now() - this.current.startedMs : 0;
    const left = Math.max(0, this.total - this.finished) * mean - Math.min(inCurrent, mean);
    return Math.max(0, left);
  }

  summaries(): readonly { scenario: string; summary: string }[] {
    return this.results;
  }

  private etaText(): string {
    const eta = this.etaMs();
    return eta === undefined ? '?' : formatDuration(eta);
  }

  private line(text: string): void {
    this.clearStatus();
    this.out.write(`${text}\n`);
  }

  private clearStatus(): void {
    if (this.tty && this.statusShown) {
      this.out.write('\r\x1b[2K');
      this.statusShown = false;
    }
  }

  private status(): void {
    if (!this.tty) return;
    this.clearStatus();
    const parts = [`[${this.finished}/${this.total}]`, `elapsed ${formatDuration(this.now() - this.runStartMs)}`, `left ~${this.etaText()}`];
    if (this.current) parts.push(this.current.scenario ?? this.current.title);
    const t = this.lastTrial;
    if (t) parts.push(`trial ${t.n} ${t.phase}: ${fmtPps(t.loadPps)} loss ${fmtLoss(t.lossRatio)}`);
    const columns = (process.stdout.columns ?? 120) - 1;
    let s = parts.join('  ');
    if (s.length > columns) s = s.slice(0, columns);
    this.out.write(s);
    this.statusShown = true;
  }
}
