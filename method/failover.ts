/**
 * Failover math from time-resolved counters: a constant load below NDR runs while an event is injected
 * (DUT restart, link flap, pod delete, ...). Blocked time = lost packets / offered rate: the "packet loss
 * duration" of CSIT's reconfiguration tests and the Loss-Derived Convergence Time of RFC 6412/6413.
 * Also the time to the first packet after the outage and the time back to steady state.
 *
 * Two views, both without dead time: contiguous counter bins over one long trial (loss per bin, time to
 * recover), and per direction the outage itself: the last packet delivered before it and the first after
 * it, by sequence number and send stamp. The latter is the blocked time: it does not depend on the bin
 * length, nor on whether the loss was spread over the bins.
 */
import { ConfigError } from '../core/errors.ts';
import type { DirectionTimeline, OutageGap } from './trial.ts';

/** Counters of one sampling interval. */
export interface FailoverSample {
  /** Start of the interval, seconds on the same clock as the event time. */
  readonly tS: number;
  /** Interval length, seconds. */
  readonly durationS: number;
  /** Packets the generator tried to send in the interval (sent + unsent). */
  readonly attempted: number;
  /** Packets received in the interval. */
  readonly received: number;
}

export interface FailoverOptions {
  readonly samples: readonly FailoverSample[];
  /** When the event was injected, seconds (same clock as the samples). */
  readonly eventTS: number;
  /** The constant offered load, pps. */
  readonly offeredPps: number;
  /** An interval is "steady" when its loss ratio is at most this. Default 0.001 (0.1 %). */
  readonly steadyLossRatio?: number;
}

export interface FailoverResult {
  /** Packets lost from the interval holding the event onwards. */
  readonly lostPackets: number;
  /** lostPackets / offeredPps: how long the path was effectively down. */
  readonly blockedTimeS: number;
  /** From the event to the start of the first interval with traffic after the outage; 0 when nothing stopped; null when traffic never came back. */
  readonly timeToFirstPacketS: number | null;
  /** From the event to the start of the first interval from which every interval is steady; null when it never settled. */
  readonly timeToSteadyStateS: number | null;
  /** Packets lost before the event (should be 0; non-zero means the load was not below NDR). */
  readonly lostBeforeEventPackets: number;
}

/** Blocked time, time to first packet and time to steady state from interval counters around an event. */
export function analyzeFailover(opts: FailoverOptions): FailoverResult {
  const where = 'analyzeFailover';
  const steady = opts.steadyLossRatio ?? 0.001;
  if (!(opts.offeredPps > 0)) throw new ConfigError(`offered rate ${opts.offeredPps} pps must be > 0`, { where });
  if (opts.samples.length === 0) throw new ConfigError('no samples', { where, hint: 'sample the counters at least every 100 ms during the event' });
  const samples = [...opts.samples].sort((a, b) => a.tS - b.tS);
  for (const s of samples) {
    if (!(s.durationS > 0) || s.attempted < 0 || s.received < 0) {
      throw new ConfigError(`bad sample at t=${s.tS} s: duration ${s.durationS}, attempted ${s.attempted}, received ${s.received}`, { where });
    }
  }
  const lossOf = (s: FailoverSample): number => Math.max(0, s.attempted - s.received);
  const lossRatio = (s: FailoverSample): number => (s.attempted > 0 ? lossOf(s) / s.attempted : 0);
  // The interval holding the event belongs to "after": its loss may be the event's.
  const after = samples.filter((s) => s.tS + s.durationS > opts.eventTS);
  const before = samples.filter((s) => s.tS + s.durationS <= opts.eventTS);
  const lostPackets = after.reduce((sum, s) => sum + lossOf(s), 0);
  const lostBeforeEventPackets = before.reduce((sum, s) => sum + lossOf(s), 0);
  const since = (s: FailoverSample): number => Math.max(0, s.tS - opts.eventTS);

  let timeToFirstPacketS: number | null = 0;
  const outage = after.findIndex((s) => s.attempted > 0 && s.received === 0);
  if (outage >= 0) {
    const back = after.slice(outage).find((s) => s.received > 0);
    timeToFirstPacketS = back ? since(back) : null;
  }

  let timeToSteadyStateS: number | null = null;
  let lastBad = -1;
  after.forEach((s, i) => {
    if (lossRatio(s) > steady) lastBad = i;
  });
  if (lastBad === -1) timeToSteadyStateS = 0;
  else if (lastBad < after.length - 1) timeToSteadyStateS = since(after[lastBad + 1]!);

  return { lostPackets, blockedTimeS: lostPackets / opts.offeredPps, timeToFirstPacketS, timeToSteadyStateS, lostBeforeEventPackets };
}

/** The outage one direction saw, on the event's clock (seconds). */
export interface DirectionOutage {
  readonly name: string;
  /** Sequence numbers lost in the outage. */
  readonly lostPackets: number;
  /** From the send time of the last packet delivered before the outage to that of the first after it. */
  readonly blockedS: number;
  /** lostPackets / the direction's rate: the loss-derived time (RFC 6412), for comparison. */
  readonly lossDerivedS: number;
  /** Send times of those two packets. */
  readonly lastBeforeS: number;
  readonly firstAfterS: number;
}

export interface DirectionOutageInput {
  readonly name: string;
  /** The direction's longest outage from the generator; absent when it lost nothing in order. */
  readonly gap?: OutageGap;
  /** The direction's offered rate, pps. */
  readonly ratePps: number;
}

/**
 * Per direction, the outage that holds or follows the event: gaps ending before the event are not the
 * event's (they count as loss before it), and a direction that lost nothing was never blocked.
 * `windowStartS` puts the gap's window-relative times on the event's clock.
 */
export function directionOutages(dirs: readonly DirectionOutageInput[], eventTS: number, windowStartS: number): DirectionOutage[] {
  return dirs.map((d) => {
    if (!(d.ratePps > 0)) throw new ConfigError(`${d.name}: rate ${d.ratePps} pps must be > 0`, { where: 'directionOutages' });
    const g = d.gap;
    if (g === undefined || windowStartS + g.afterTxS < eventTS) {
      return { name: d.name, lostPackets: 0, blockedS: 0, lossDerivedS: 0, lastBeforeS: eventTS, firstAfterS: eventTS };
    }
    return {
      name: d.name,
      lostPackets: g.packets,
      blockedS: Math.max(0, g.afterTxS - g.beforeTxS),
      lossDerivedS: g.packets / d.ratePps,
      lastBeforeS: windowStartS + g.beforeTxS,
      firstAfterS: windowStartS + g.afterTxS,
    };
  });
}

/**
 * Contiguous samples from per-direction timelines (summed over directions): bin i starts at
 * windowStartS + i * binS. There is no gap between samples, so no loss goes uncounted.
 */
/**
 * One sample per bin, the directions summed. With `windowS` (the counted window's real length) the last bin
 * is as long as the part of it the window covered: a window closed early (an event that ended, the drain)
 * leaves a partial bin, whose rate would otherwise read low by the missing share.
 */
export function samplesFromTimelines(timelines: readonly DirectionTimeline[], windowStartS: number, windowS?: number): FailoverSample[] {
  const first = timelines[0];
  if (first === undefined) throw new ConfigError('no timeline', { where: 'samplesFromTimelines', hint: 'run the failover trial with timelineS set' });
  for (const t of timelines) {
    if (t.binS !== first.binS || t.attempted.length !== first.attempted.length || t.received.length !== first.attempted.length) {
      throw new ConfigError('timelines of the directions differ in bins', { where: 'samplesFromTimelines' });
    }
  }
  const lengthOf = (i: number): number => {
    const left = windowS === undefined ? first.binS : windowS - i * first.binS;
    // A window that ends on a bin boundary may read a hair short of it in floating point: a full bin.
    return left > 0 && left < first.binS * (1 - 1e-6) ? left : first.binS;
  };
  return first.attempted.map((_, i) => ({
    tS: windowStartS + i * first.binS,
    durationS: lengthOf(i),
    attempted: timelines.reduce((s, t) => s + (t.attempted[i] ?? 0), 0),
    received: timelines.reduce((s, t) => s + (t.received[i] ?? 0), 0),
  }));
}
