/**
 * A ResultSink receives every validated record of a run (InfluxDB, ...). Sinks must never block or fail a lab
 * run: `write` only enqueues, network work is bounded by the sink's own timeouts, and problems are reported
 * through `status()` rather than thrown.
 */
import type { RunRecord } from '../schema/record.ts';

export interface SinkStatus {
  readonly name: string;
  /** Records (or points) delivered to the destination. */
  readonly delivered: number;
  /** Waiting in memory or spooled to disk for a later `wirespeed report --push`. */
  readonly pending: number;
  /** Last problem, already free of secrets, or undefined when healthy. */
  readonly lastError?: string;
}

export interface ResultSink {
  readonly name: string;
  /** Accept a validated record. Must not throw for destination problems; must return quickly. */
  write(record: RunRecord): void | Promise<void>;
  /** Try to deliver what is queued, waiting at most the sink's bounded time. */
  flush(): Promise<void>;
  /** Flush, spool anything undelivered and release resources. Idempotent. */
  close(): Promise<void>;
  status(): SinkStatus;
}
