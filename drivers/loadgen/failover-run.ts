/**
 * A failover measurement: one trial at a constant load, counted in contiguous bins (no dead time between
 * samples), while an event is injected part-way through. The analysis is method/failover.ts: blocked time
 * per direction from the packets either side of the outage, loss and recovery from the bins.
 *
 * An event may outlast the planned window (a pod deleted, its replacement scheduled and started): with a
 * generator that can end a window early (`measureUntil`), the trial is asked for `maxDurationS` and its
 * window closes once the event has finished and the plan's after-window (`durationS - eventAtS`) has
 * passed, so the recovery is inside the one contiguous measurement whatever the event takes.
 */
import { MeasurementError } from '../../core/errors.ts';
import { analyzeFailover, directionOutages, samplesFromTimelines, type DirectionOutage, type FailoverResult, type FailoverSample } from '../../method/failover.ts';
import type { TrialResult, TrialSpec } from '../../method/trial.ts';

/** What an injected event did, in wall-clock milliseconds (Date.now()'s epoch, sub-ms precision). */
export interface InjectedEvent {
  /** Injection began (the first command was started). */
  readonly startMs: number;
  /** Injection finished (e.g. the link is up again, the DUT restarted). */
  readonly endMs: number;
  /** For outages the event itself makes: when the path went down and back up, each bracketed by the start and the end of the command that did it. */
  readonly downMs?: readonly [number, number];
  readonly upMs?: readonly [number, number];
}

/** How long a window is held open for an event that outlasts the plan (a pod replacement: seconds to a minute). */
export const DEFAULT_MAX_DURATION_S = 180;

/** Wall-clock now in ms with sub-ms precision, on the same clock as the generator's window start. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface FailoverRunOptions {
  /** One trial on the generator (not the datapath's measurer: the DUT may go away on purpose). */
  readonly measure: (spec: TrialSpec, signal?: AbortSignal) => Promise<TrialResult>;
  /** A trial whose window closes when `end` fires (GeneratorSession.measureUntil); without it the window is fixed. */
  readonly measureUntil?: (spec: TrialSpec, end: AbortSignal, signal?: AbortSignal) => Promise<TrialResult>;
  /** With measureUntil: the longest the window is held open for a slow event (default 180 s). */
  readonly maxDurationS?: number;
  readonly base: Omit<TrialSpec, 'loadPps' | 'durationS' | 'timelineS' | 'warmupS'>;
  readonly loadPps: number;
  /** The planned counted window (an event that outlasts it extends it, see maxDurationS). */
  readonly durationS: number;
  /** When to inject, seconds into the counted window. */
  readonly eventAtS: number;
  /** Bin length of the contiguous counters. */
  readonly binS: number;
  readonly warmupS?: number;
  /** An interval is steady when it loses at most this share (default 0.1 %). */
  readonly steadyLossRatio?: number;
  readonly inject: () => Promise<InjectedEvent>;
  readonly signal?: AbortSignal;
}

export interface FailoverRun {
  readonly trial: TrialResult;
  readonly event: InjectedEvent;
  /** Event start, seconds from the counted window's start (the clock of samples and outages). */
  readonly eventTS: number;
  readonly samples: readonly FailoverSample[];
  readonly analysis: FailoverResult;
  readonly directions: readonly DirectionOutage[];
  /** The longest blocked time of any direction (0 when nothing stopped). */
  readonly blockedS: number;
}

/** Run the trial, inject the event on time, and analyse the counters. */
export async function runFailover(o: FailoverRunOptions): Promise<FailoverRun> {
  const warmupS = o.warmupS ?? 0.5;
  const until = o.measureUntil;
  const afterS = o.durationS - o.eventAtS;
  const durationS = until ? Math.max(o.durationS, o.maxDurationS ?? DEFAULT_MAX_DURATION_S) : o.durationS;
  const spec: TrialSpec = { ...o.base, loadPps: o.loadPps, durationS, warmupS, timelineS: o.binS };
  const ending = new AbortController();
  let endTimer: ReturnType<typeof setTimeout> | undefined;
  let injected: Promise<InjectedEvent> | undefined;
  // The window opens after the warm-up (and a link check of a few ms): the event's real time is taken
  // from its own timestamps against the window start the generator reports, never from this timer.
  let measuring = true;
  const timer = setTimeout(() => {
    injected = o.inject();
    injected.then(
      // The event is over: watch the after-window the plan gives every event, then close the window.
      () => {
        if (measuring) endTimer = setTimeout(() => ending.abort(), afterS * 1000);
      },
      () => ending.abort(),
    );
  }, (warmupS + o.eventAtS) * 1000);
  let trial: TrialResult;
  try {
    trial = until ? await until(spec, ending.signal, o.signal) : await o.measure(spec, o.signal);
  } catch (err) {
    await injected?.catch(() => undefined);
    throw err;
  } finally {
    measuring = false;
    clearTimeout(timer);
    clearTimeout(endTimer);
  }
  if (injected === undefined) {
    throw new MeasurementError(`the trial ended before the event was due (${o.eventAtS} s into ${o.durationS} s)`, {
      where: 'failover',
      hint: 'the generator returned early: read its log; or give the event more room in the window',
    });
  }
  const event = await injected;
  const timelines = trial.directions.map((d) => d.timeline);
  if (timelines.some((t) => t === undefined)) {
    throw new MeasurementError('the generator returned no timeline: it cannot count contiguously', {
      where: 'failover',
      hint: 'failover needs a generator that supports TrialSpec.timelineS (the local generator does)',
    });
  }
  const windowStartMs = Date.parse(trial.startedAt);
  const eventTS = (event.startMs - windowStartMs) / 1000;
  const samples = samplesFromTimelines(timelines as NonNullable<(typeof timelines)[number]>[], 0, trial.actualDurationS);
  const analysis = analyzeFailover({
    samples,
    eventTS,
    offeredPps: o.loadPps,
    ...(o.steadyLossRatio === undefined ? {} : { steadyLossRatio: o.steadyLossRatio }),
  });
  const perDirection = o.loadPps / trial.directions.length;
  const directions = directionOutages(
    trial.directions.map((d) => ({ name: d.name, ratePps: perDirection, ...(d.gap === undefined ? {} : { gap: d.gap }) })),
    eventTS,
    0,
  );
  return { trial, event, eventTS, samples, analysis, directions, blockedS: Math.max(0, ...directions.map((d) => d.blockedS)) };
}
