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
  /**
   * Live counter bins only (DirectionTimeline.live): what the load asked for in the interval, and how
   * far a bin's counts may be off by the counters moving in bursts. The generator may have held
   * packets back (attempted 0 in an outage) and sent them later; `received` counts arrivals.
   */
  readonly due?: number;
  readonly slackPackets?: number;
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
  const live = samples.some((s) => s.due !== undefined);
  // What the interval was asked to carry: with live bins, the load's due (the generator may have held it back).
  const asked = (s: FailoverSample): number => s.due ?? s.attempted;
  const lossOf = (s: FailoverSample): number => Math.max(0, s.attempted - s.received);
  const lossRatio = (s: FailoverSample): number => {
    const a = asked(s);
    const short = Math.max(0, a - s.received);
    return a > 0 && short > (s.slackPackets ?? 0) ? short / a : 0;
  };
  // Stamped bins count a packet in the bin it was sent in, so no bin receives more than it attempted;
  // live bins count arrivals, so a bin's in-flight packets arrive in the next: only the sum is a loss.
  // The interval holding the event belongs to "after": its loss may be the event's.
  const after = samples.filter((s) => s.tS + s.durationS > opts.eventTS);
  const before = samples.filter((s) => s.tS + s.durationS <= opts.eventTS);
  let lostPackets: number;
  let lostBeforeEventPackets: number;
  if (live) {
    // Packets in flight at the event's bin edge arrive after it: up to the last bin's slack is not loss before.
    const net = (xs: readonly FailoverSample[]) => xs.reduce((sum, s) => sum + s.attempted - s.received, 0);
    lostBeforeEventPackets = Math.max(0, net(before) - (before.at(-1)?.slackPackets ?? 0));
    lostPackets = Math.max(0, net(samples) - lostBeforeEventPackets);
  } else {
    lostPackets = after.reduce((sum, s) => sum + lossOf(s), 0);
    lostBeforeEventPackets = before.reduce((sum, s) => sum + lossOf(s), 0);
  }
  const since = (s: FailoverSample): number => Math.max(0, s.tS - opts.eventTS);

  let timeToFirstPacketS: number | null = 0;
  const outage = after.findIndex((s) => asked(s) > 0 && s.received === 0);
  if (outage >= 0) {
    const back = after.slice(outage).find((s) => s.received > 0);
    timeToFirstPacketS = back ? since(back) : null;
  }

  let timeToSteadyStateS: number | null = null;
  if (live) {
    // Live bins count arrivals between two counter reads, and the DUT forwards in bursts: in steady traffic a
    // bin reads up to a third short and the next as much over (real pktgen 23.06.1 through l3fwd at 100 kpps:
    // 3328 then 6272 packets where 5000 were due), far more than the steady share allows bin by bin. So a run
    // of bins is judged by the deficit it carries from bin to bin (a late arrival pays its bin's shortfall
    // back, a loss stays), against the jitter the same trial showed before the event, when the path was
    // steady by construction. The credit a surplus gives is capped at that jitter, so the backlog a generator
    // sends after an outage cannot hide a later loss.
    let jitter = Math.max(0, ...before.map((s) => s.slackPackets ?? 0));
    let drift = 0;
    for (const s of before) {
      drift += asked(s) - s.received;
      jitter = Math.max(jitter, Math.abs(drift));
    }
    const steadyFrom = (i: number): boolean => {
      let carried = 0;
      let askedSum = 0;
      for (const s of after.slice(i)) {
        carried = Math.max(-jitter, carried + asked(s) - s.received);
        askedSum += asked(s);
        if (carried > jitter + steady * askedSum) return false;
      }
      return true;
    };
    const first = after.findIndex((_, i) => steadyFrom(i));
    if (first === 0) timeToSteadyStateS = 0;
    else if (first > 0) timeToSteadyStateS = since(after[first]!);
  } else {
    let lastBad = -1;
    after.forEach((s, i) => {
      if (lossRatio(s) > steady) lastBad = i;
    });
    if (lastBad === -1) timeToSteadyStateS = 0;
    else if (lastBad < after.length - 1) timeToSteadyStateS = since(after[lastBad + 1]!);
  }

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
  /** Send times of those two packets (live bins: the edges of the bins that received nothing, see blockedMaxS). */
  readonly lastBeforeS: number;
  readonly firstAfterS: number;
  /**
   * Live counter bins only: the longest the outage can have been. blockedS is then the span of the bins
   * that received nothing (it was at least that long); the last packet before and the first after came
   * somewhere in the bins either side, so it was at most blockedMaxS. Absent when traffic never came back.
   */
  readonly blockedMaxS?: number;
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
 * windowStartS + i * binS, or at its measured edge for live bins. There is no gap between samples, so no
 * loss goes uncounted. With `windowS` (the counted window's real length) the last stamped bin is as long
 * as the part of it the window covered: a window closed early (an event that ended, the drain) leaves a
 * partial bin, whose rate would otherwise read low by the missing share. Live bins are as long as their
 * edges say.
 */
export function samplesFromTimelines(timelines: readonly DirectionTimeline[], windowStartS: number, windowS?: number): FailoverSample[] {
  const first = timelines[0];
  if (first === undefined) throw new ConfigError('no timeline', { where: 'samplesFromTimelines', hint: 'run the failover trial with timelineS set' });
  for (const t of timelines) {
    if (t.binS !== first.binS || t.attempted.length !== first.attempted.length || t.received.length !== first.attempted.length) {
      throw new ConfigError('timelines of the directions differ in bins', { where: 'samplesFromTimelines' });
    }
    if ((t.live === undefined) !== (first.live === undefined) || (t.live && t.live.edgesS.some((e, i) => e !== first.live!.edgesS[i]))) {
      throw new ConfigError('timelines of the directions differ in bin edges', { where: 'samplesFromTimelines' });
    }
  }
  const edges = first.live?.edgesS;
  const lengthOf = (i: number): number => {
    // Live bins are as long as their measured edges say.
    if (edges) return edges[i + 1]! - edges[i]!;
    const left = windowS === undefined ? first.binS : windowS - i * first.binS;
    // A window that ends on a bin boundary may read a hair short of it in floating point: a full bin.
    return left > 0 && left < first.binS * (1 - 1e-6) ? left : first.binS;
  };
  return first.attempted.map((_, i) => ({
    tS: windowStartS + (edges ? edges[i]! : i * first.binS),
    durationS: lengthOf(i),
    attempted: timelines.reduce((s, t) => s + (t.attempted[i] ?? 0), 0),
    received: timelines.reduce((s, t) => s + (t.received[i] ?? 0), 0),
    ...(edges
      ? { due: timelines.reduce((s, t) => s + (t.live!.due[i] ?? 0), 0), slackPackets: timelines.reduce((s, t) => s + t.live!.slackPackets, 0) }
      : {}),
  }));
}

/**
 * Per direction, the outage that holds or follows the event, from live counter bins (generators without
 * per-packet stamps): the run of bins with traffic due that received nothing. It lasted at least as long
 * as those bins (blockedS) and at most until the edges of the bins either side (blockedMaxS). Lost
 * packets are what the direction sent from the event's bin on and never received; a generator that holds
 * packets back during the outage and sends them after (pktgen) loses few, so lossDerivedS can be far
 * below blockedS: it is the loss, not the outage.
 */
export function liveOutages(dirs: readonly { readonly name: string; readonly timeline: DirectionTimeline; readonly ratePps: number }[], eventTS: number, windowStartS: number): DirectionOutage[] {
  return dirs.map((d) => {
    const where = 'liveOutages';
    if (!(d.ratePps > 0)) throw new ConfigError(`${d.name}: rate ${d.ratePps} pps must be > 0`, { where });
    const live = d.timeline.live;
    if (!live) throw new ConfigError(`${d.name}: the timeline has no live bins`, { where, hint: 'stamped timelines give per-direction gaps (directionOutages)' });
    const edge = (i: number): number => windowStartS + live.edgesS[i]!;
    const n = d.timeline.received.length;
    const from = Array.from({ length: n }, (_, i) => i).find((i) => edge(i + 1) > eventTS) ?? n;
    const lostPackets = Math.max(0, d.timeline.attempted.slice(from).reduce((s, a, i) => s + a - d.timeline.received[from + i]!, 0));
    const lossDerivedS = lostPackets / d.ratePps;
    const empty = (i: number): boolean => live.due[i]! > 0 && d.timeline.received[i] === 0;
    let first = -1;
    for (let i = from; i < n; i++) {
      if (empty(i)) {
        first = i;
        break;
      }
    }
    if (first < 0) return { name: d.name, lostPackets, blockedS: 0, lossDerivedS, lastBeforeS: eventTS, firstAfterS: eventTS };
    while (first > 0 && empty(first - 1)) first--;
    let last = first;
    while (last + 1 < n && empty(last + 1)) last++;
    // Back: a bin after the silence received something (the drain bin after the window may be silent too).
    const back = last + 1 < n && d.timeline.received[last + 1]! > 0;
    return {
      name: d.name,
      lostPackets,
      blockedS: edge(last + 1) - edge(first),
      lossDerivedS,
      lastBeforeS: edge(first),
      firstAfterS: edge(last + 1),
      ...(back && first > 0 ? { blockedMaxS: edge(last + 2) - edge(first - 1) } : {}),
    };
  });
}
