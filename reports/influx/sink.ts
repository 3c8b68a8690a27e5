/**
 * The InfluxDB ResultSink: records become points (points.ts), queued and sent in batches by a background
 * flush. A batch that still fails after bounded retries is spooled to the run directory, and for a cool-down
 * the following batches go straight to the spool, so a dead database costs the run at most one bounded wait.
 * Nothing here throws into the run; problems show in status() and the onError callback, without secrets.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { safeParseRecord } from '../schema/parse-record.ts';
import type { RunRecord } from '../schema/record.ts';
import { RECORDS_FILE } from '../store/jsonl.ts';
import type { ResultSink, SinkStatus } from '../store/sink.ts';
import { describeInflux, redact, type InfluxConfig } from './config.ts';
import { deliver } from './deliver.ts';
import { createLineWriter, type LineWriter } from './line-writer.ts';
import { recordToPoints, runTagsOf, toLineProtocol, type RunTags } from './points.ts';
import { appendSpool } from './spool.ts';

export interface InfluxSinkOptions {
  /** Run directory: where undelivered points are spooled. */
  readonly spoolDir: string;
  /** Told about delivery problems (already free of secrets). */
  readonly onError?: (message: string) => void;
  /** After a batch is spooled, skip the database for this long. Default 30 s. */
  readonly coolDownMs?: number;
  /** For tests: the writer to use. */
  readonly writer?: LineWriter;
}

export class InfluxSink implements ResultSink {
  readonly name = 'influxdb';
  readonly #writer: LineWriter;
  readonly #queue: string[] = [];
  #runTags: RunTags | undefined;
  #delivered = 0;
  #spooled = 0;
  #lastError: string | undefined;
  #downUntilMs = 0;
  #flushing: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    readonly config: InfluxConfig,
    private readonly options: InfluxSinkOptions,
  ) {
    this.#writer = options.writer ?? createLineWriter(config);
    this.#timer = setInterval(() => void this.flush(), config.flushIntervalMs);
    this.#timer.unref(); // never keeps a finished run alive
  }

  /** Human description, safe to print. */
  describe(): string {
    return describeInflux(this.config);
  }

  write(record: RunRecord): void {
    if (record.kind === 'run-start') this.#runTags = runTagsOf(record);
    // A scenario worker's sink never sees run-start (the parent writes it): take the tags from the file.
    this.#runTags ??= this.#runTagsFromDisk();
    const lines = recordToPoints(record, this.#runTags).map(toLineProtocol);
    if (this.#closed) {
      // Late records still reach the database later, through the spool.
      void this.#spool(lines);
      return;
    }
    this.#queue.push(...lines);
    if (this.#queue.length >= this.config.batchSize) void this.flush();
  }

  flush(): Promise<void> {
    const run = this.#flushing.then(() => this.#drain());
    this.#flushing = run.catch((err: unknown) => this.#report(`influx sink: ${String(err)}`));
    return this.#flushing;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.flush();
    await this.#writer.close();
  }

  status(): SinkStatus {
    return {
      name: this.name,
      delivered: this.#delivered,
      pending: this.#queue.length + this.#spooled,
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
    };
  }

  /** Points spooled to disk so far (for `wirespeed report --push`). */
  get spooled(): number {
    return this.#spooled;
  }

  #runTagsFromDisk(): RunTags | undefined {
    try {
      const first = readFileSync(join(this.options.spoolDir, RECORDS_FILE), 'utf8').split('\n', 1)[0] ?? '';
      const r = safeParseRecord(JSON.parse(first));
      return r.ok && r.record.kind === 'run-start' ? runTagsOf(r.record) : undefined;
    } catch {
      return undefined;
    }
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.config.batchSize);
      if (Date.now() < this.#downUntilMs) {
        await this.#spool(batch);
        continue;
      }
      const r = await deliver(this.#writer, batch, this.config);
      if (r.ok) {
        this.#delivered += batch.length;
        continue;
      }
      this.#report(`InfluxDB ${this.describe()} did not take ${batch.length} points, spooled to ${this.options.spoolDir}: ${r.errors.at(-1) ?? ''}`);
      this.#downUntilMs = Date.now() + (this.options.coolDownMs ?? 30_000);
      await this.#spool(batch);
    }
  }

  async #spool(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    await appendSpool(this.options.spoolDir, lines);
    this.#spooled += lines.length;
  }

  #report(message: string): void {
    const safe = redact(message, this.config);
    this.#lastError = safe;
    this.options.onError?.(safe);
  }
}
