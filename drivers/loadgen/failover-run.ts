/**
 * A failover measurement: one trial at a constant load, counted in contiguous bins (no dead time between
 * samples), while an event is injected part-way through. The analysis is method/failover.ts: blocked time
 * per direction from the packets either side of the outage, loss and recovery from the bins.
 *
 * An event may outlast the planned window (a pod deleted, its replacement scheduled and started): with a
 * generator that can end a window early (`measureUntil`), the trial is asked for `maxDurationS` and its
 * window closes once the event has finished and the plan's after-window (`durationS - eventAtS`) has
 * passed, so the recovery is inside the one contiguous measurement whatever the event takes.
 *
 * Generators without per-packet stamps (pktgen) count the trial in bins of live port-counter reads
 * (DirectionTimeline.live): the blocked time per direction is then the run of bins that received
 * nothing, bounded by the bins either side (method/failover.ts liveOutages). The loss-derived time
 * (lost / offered, CSIT's "packet loss duration") is kept beside it but is no outage figure for such a
 * generator: pktgen blocks on a full TX ring and sends the backlog when the path is back, so it loses a
 * ring's worth where the path was down for the whole outage (measured: 224 packets, 4.5 ms, for a
 * 0.65 s DUT restart at 100 kpps).
 */
import { MeasurementError } from '../../core/errors.ts';
import { analyzeFailover, directionOutages, liveOutages, samplesFromTimelines, type DirectionOutage, type FailoverResult, type FailoverSample } from '../../method/failover.ts';
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
  /**
   * A trial that says when its counted window opened (GeneratorSession.measureOpened): the event is
   * timed from then. Without it, from the call plus the warm-up (right for a generator whose window
   * opens within milliseconds; pktgen rebuilds its packet pools first, for a second or more).
   */
  readonly measureOpened?: (spec: TrialSpec, opened: () => void, signal?: AbortSignal) => Promise<TrialResult>;
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
  /**
   * How the blocked time was measured: by the send stamps of the packets either side of the outage
   * (to the packet), or by live counter bins (at least blockedS, at most the direction's blockedMaxS).
   */
  readonly blockedBy: 'send-stamps' | 'live-bins';
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
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (delayS: number) => {
    timer = setTimeout(() => {
      injected = o.inject();
      injected.then(
        // The event is over: watch the after-window the plan gives every event, then close the window.
        () => {
          if (measuring) endTimer = setTimeout(() => ending.abort(), afterS * 1000);
        },
        () => ending.abort(),
      );
    }, delayS * 1000);
  };
  const opened = o.measureOpened;
  if (!opened || until) schedule(warmupS + o.eventAtS);
  let trial: TrialResult;
  try {
    trial = until
      ? await until(spec, ending.signal, o.signal)
      : opened
        ? await opened(spec, () => {
            if (measuring && timer === undefined) schedule(o.eventAtS);
          }, o.signal)
        : await o.measure(spec, o.signal);
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
  return { trial, event, ...analyzeFailoverTrial(trial, event, { loadPps: o.loadPps, ...(o.steadyLossRatio === undefined ? {} : { steadyLossRatio: o.steadyLossRatio }) }) };
}

/** What a failover trial says about the event: bins, outage per direction, recovery (runFailover's analysis). */
export function analyzeFailoverTrial(
  trial: TrialResult,
  event: InjectedEvent,
  o: { readonly loadPps: number; readonly steadyLossRatio?: number },
): Omit<FailoverRun, 'trial' | 'event'> {
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
  const live = trial.directions.every((d) => d.timeline?.live !== undefined);
  const directions = live
    ? liveOutages(trial.directions.map((d) => ({ name: d.name, timeline: d.timeline!, ratePps: perDirection })), eventTS, 0)
    : directionOutages(
        trial.directions.map((d) => ({ name: d.name, ratePps: perDirection, ...(d.gap === undefined ? {} : { gap: d.gap }) })),
        eventTS,
        0,
      );
  return { eventTS, samples, analysis, directions, blockedS: Math.max(0, ...directions.map((d) => d.blockedS)), blockedBy: live ? 'live-bins' : 'send-stamps' };
}
