/**
 * Progress events that scenario fixtures print on the worker's stdout for the `wirespeed run` reporter.
 * Playwright forwards worker stdout to the reporter (onStdOut), so no extra channel or file is needed;
 * each event is one line behind a marker so ordinary output passes through untouched.
 */
import { z } from 'zod';
import { SEVERITIES } from '../core/errors.ts';

export const EVENT_MARKER = '@@wirespeed-event ';

const scenarioEvent = z.object({
  type: z.literal('scenario'),
  scenario: z.string(),
  suite: z.string(),
  datapath: z.string(),
  frame: z.string(),
});

const trialEvent = z.object({
  type: z.literal('trial'),
  scenario: z.string(),
  /** 1-based trial number within the scenario. */
  n: z.number().int().positive(),
  /** What the trial was for: 'search', 'mrr', 'latency 50%', 'failover', 'soak', 'smoke'. */
  phase: z.string(),
  loadPps: z.number().nonnegative(),
  durationS: z.number().nonnegative(),
  lossRatio: z.number().min(0).max(1),
  receivedPps: z.number().nonnegative(),
});

const resultEvent = z.object({
  type: z.literal('result'),
  scenario: z.string(),
  /** One-line human summary, e.g. "NDR 4.210 Mpps  PDR 4.480 Mpps  MRR 5.020 Mpps". */
  summary: z.string(),
});

/**
 * Why a test (or, outside any test, a worker fixture's teardown) failed, as the thrown error declared it
 * (core/errors.ts severity): the CLI's exit code follows from it, never from the error's text.
 */
const failureEvent = z.object({
  type: z.literal('failure'),
  severity: z.enum(SEVERITIES),
  /** The error's class, for run-summary.json: "ProvisionError". */
  errorClass: z.string(),
});

export const progressEvent = z.discriminatedUnion('type', [scenarioEvent, trialEvent, resultEvent, failureEvent]);
export type ProgressEvent = z.infer<typeof progressEvent>;
export type FailureEvent = z.infer<typeof failureEvent>;

/** One line for the worker's stdout. */
export function encodeEvent(event: ProgressEvent): string {
  return `${EVENT_MARKER}${JSON.stringify(event)}\n`;
}

/** Split a stdout chunk into events and the remaining ordinary text; malformed marker lines stay text. */
export function decodeEvents(chunk: string): { events: ProgressEvent[]; text: string } {
  const events: ProgressEvent[] = [];
  const rest: string[] = [];
  for (const line of chunk.split('\n')) {
    if (!line.startsWith(EVENT_MARKER)) {
      rest.push(line);
      continue;
    }
    try {
      const parsed = progressEvent.safeParse(JSON.parse(line.slice(EVENT_MARKER.length)));
      if (parsed.success) events.push(parsed.data);
      else rest.push(line);
    } catch {
      rest.push(line);
    }
  }
  return { events, text: rest.join('\n') };
}
