/**
 * The trial model shared by every generator, the search algorithms and the records.
 * Frame sizes include the 4-byte FCS, as RFC 2544 counts them.
 */
import { MeasurementError } from '../core/errors.ts';
import { l1Bps } from '../lab/line-rate.ts';
import type { LatencyHistogram } from './histogram.ts';
import type { LoopGaps } from './host-stalls.ts';

export interface ImixEntry {
  readonly frameBytes: number;
  readonly weight: number;
}

/** What is sent: one frame size, or an IMIX with its exact mix (recorded as such). */
export type TrafficProfile =
  | { readonly kind: 'fixed'; readonly frameBytes: number }
  | { readonly kind: 'imix'; readonly name: string; readonly mix: readonly ImixEntry[] };

/** The IMIX the issues name: 64/570/1518 bytes at 7:4:1. */
export const IMIX_7_4_1: TrafficProfile = {
  kind: 'imix',
  name: 'imix-7-4-1',
  mix: [
    { frameBytes: 64, weight: 7 },
    { frameBytes: 570, weight: 4 },
    { frameBytes: 1518, weight: 1 },
  ],
};

export type Direction = 'bidirectional' | 'unidirectional';

export interface TrialSpec {
  /** Offered load, aggregate over all directions, in packets per second. */
  readonly loadPps: number;
  readonly durationS: number;
  readonly profile: TrafficProfile;
  /** Number of distinct flows (UDP port / address combinations) per direction. */
  readonly flows: number;
  readonly direction: Direction;
  /** Traffic sent before the counted window starts (warms caches, fills ARP/FIB paths). */
  readonly warmupS?: number;
  /**
   * Latency measurement: 'all' stamps and measures every packet; a number is the rate (pps) of a separate
   * low-rate stamped stream sent alongside the load (CSIT's approach); absent means no latency.
   */
  readonly latency?: 'all' | { readonly streamPps: number };
  /**
   * Contiguous counters over the window in bins of this many seconds (no dead time between samples),
   * per direction: what failover measures. Generators that cannot must refuse the trial (ConfigError).
   */
  readonly timelineS?: number;
}

/**
 * The longest run of sequence numbers one direction lost between two packets it received: an outage.
 * Times are seconds from the start of the counted window: TX from the packets' stamps, RX when they came.
 */
export interface OutageGap {
  /** Sequence numbers missing between the two packets (lost, or not yet arrived reordered). */
  readonly packets: number;
  readonly beforeSeq: number;
  readonly afterSeq: number;
  /** Sent: the last packet before the outage, the first after it. */
  readonly beforeTxS: number;
  readonly afterTxS: number;
  /** Received: the same two packets. */
  readonly beforeRxS: number;
  readonly afterRxS: number;
}

/** Counters of one direction in contiguous bins of `binS` from the window start (TrialSpec.timelineS). */
export interface DirectionTimeline {
  readonly binS: number;
  /** Packets attempted in each bin (by send time). */
  readonly attempted: readonly number[];
  /** Packets received, in the bin they were sent in (their TX stamp): no smearing by queueing delay. */
  readonly received: readonly number[];
  /**
   * Set when the bins come from reads of live port counters instead of per-packet stamps (pktgen): then
   * `received` counts packets in the bin they ARRIVED in, and the bins are as long as the reads were
   * apart, not exactly binS.
   */
  readonly live?: LiveBins;
}

/** Bins from live counter reads: measured edges, and what the load asked for in each bin. */
export interface LiveBins {
  /** Bin edges, seconds from the window start (TrialResult.startedAt): one more than there are bins. */
  readonly edgesS: readonly number[];
  /**
   * Packets the load asked this direction for in each bin. A generator that blocks on a full TX ring and
   * sends the backlog later (pktgen) counts none of it as attempted while it waits: an outage shows as
   * bins where nothing was sent nor received, and only this says traffic was due.
   */
  readonly due: readonly number[];
  /** How far a bin's counts may be off: the counters move in bursts, so by up to a burst at either edge. */
  readonly slackPackets: number;
}

export interface DirectionCounters {
  /** Port pair, e.g. "p0->p1". */
  readonly name: string;
  /**
   * Packets due in the window at the requested load: attempted plus what the generator could not even
   * attempt (its deficit). Everything requested and not received is loss (MLRsearch draft: "duration
   * stretching is not fine").
   */
  readonly requested: number;
  /** Packets the generator tried to send in the window (= sent + unsent). */
  readonly attempted: number;
  /** Accepted by the TX ring. */
  readonly sent: number;
  /** Refused by the TX ring: counted as loss (the wire would have carried them). */
  readonly unsent: number;
  readonly received: number;
  readonly reordered: number;
  readonly duplicated: number;
  /** The direction's longest outage, when the generator tracks sequence numbers (absent: none seen). */
  readonly gap?: OutageGap;
  /** When the spec asked for a timeline. */
  readonly timeline?: DirectionTimeline;
}

export interface TrialResult {
  readonly spec: TrialSpec;
  /** Wall-clock start (ISO 8601). */
  readonly startedAt: string;
  /** Measured duration of the counted window. */
  readonly actualDurationS: number;
  /** Packets due at the requested load (attempted + the generator's deficit). */
  readonly requested: number;
  readonly attempted: number;
  readonly sent: number;
  readonly unsent: number;
  readonly received: number;
  /** requested - received (ring refusals and the generator's deficit included), never negative. */
  readonly lost: number;
  /** lost / requested. A trial with nothing attempted is invalid (MeasurementError), never lossless. */
  readonly lossRatio: number;
  readonly reordered: number;
  readonly duplicated: number;
  /** attempted / actualDurationS: the load the generator really offered. */
  readonly offeredPps: number;
  /** received / actualDurationS. */
  readonly receivedPps: number;
  readonly directions: readonly DirectionCounters[];
  readonly latency?: LatencyHistogram;
  /** The host-stall probe: gaps between the generator's polling-loop iterations during the trial. */
  readonly loopGaps?: LoopGaps;
  /** The same probe in the DUT's main loop, where the DUT has it (our l3fwd build), over the trial. */
  readonly dutLoopGaps?: LoopGaps;
  /** What the DUT itself counted over the trial (warm-up and drain included), where it reports counters. */
  readonly dut?: DutTrialCounters;
}

/** Drops the DUT attributes to a cause. */
export interface DutDrops {
  /** Its receive ring overflowed: it did not poll fast enough. */
  readonly rxMiss: number;
  /** Its transmit ring toward the generator was full. */
  readonly txError: number;
  /** No route for the destination (a routing DUT's configuration, not its speed). */
  readonly noRoute: number;
  /** Every other drop the DUT counted. */
  readonly other: number;
}

/**
 * The DUT's own counters (VPP's stats segment, DPDK telemetry): cumulative when read from the DUT, the
 * difference of two readings in a trial record. They tell where the generator's loss happened.
 */
export interface DutTrialCounters {
  /** Where the figures come from: "vpp stats segment", "dpdk telemetry". */
  readonly source: string;
  /** Packets the DUT received and sent on its ports together. */
  readonly rxPackets: number;
  readonly txPackets: number;
  readonly drops: DutDrops;
  /** The DUT's own names of the non-zero drop and error counters behind `drops` (e.g. VPP's `<node>/<reason>`). */
  readonly detail?: Readonly<Record<string, number>>;
}

/** The counters of a trial: `after - before` for each figure (a counter that went backwards reads 0: the DUT restarted). */
export function dutCountersDelta(before: DutTrialCounters, after: DutTrialCounters): DutTrialCounters {
  const d = (a: number, b: number) => Math.max(0, a - b);
  const detail: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.detail ?? {})) {
    const n = d(v, before.detail?.[k] ?? 0);
    if (n > 0) detail[k] = n;
  }
  return {
    source: after.source,
    rxPackets: d(after.rxPackets, before.rxPackets),
    txPackets: d(after.txPackets, before.txPackets),
    drops: {
      rxMiss: d(after.drops.rxMiss, before.drops.rxMiss),
      txError: d(after.drops.txError, before.drops.txError),
      noRoute: d(after.drops.noRoute, before.drops.noRoute),
      other: d(after.drops.other, before.drops.other),
    },
    ...(Object.keys(detail).length > 0 ? { detail } : {}),
  };
}

/**
 * A TrialResult from per-direction counters: the one place where loss is defined. Throws
 * MeasurementError when nothing was attempted (such a trial says nothing about the DUT) or when the
 * counters contradict each other.
 */
export function trialFromDirections(
  spec: TrialSpec,
  window: { readonly startedAt: string; readonly actualDurationS: number },
  directions: readonly DirectionCounters[],
  where: string,
  latency?: LatencyHistogram,
  loopGaps?: LoopGaps,
): TrialResult {
  const bad = (what: string): never => {
    throw new MeasurementError(what, { where, hint: 'such a trial says nothing about the DUT: the generator or its counters failed' });
  };
  if (!(window.actualDurationS > 0)) bad(`the counted window is empty (${window.actualDurationS} s)`);
  for (const d of directions) {
    if (d.sent + d.unsent !== d.attempted) bad(`${d.name}: sent ${d.sent} + unsent ${d.unsent} ≠ attempted ${d.attempted}`);
    if (d.received > d.sent) bad(`${d.name}: received ${d.received}, more than were sent (${d.sent})`);
    if (d.requested < d.attempted) bad(`${d.name}: attempted ${d.attempted}, more than the ${d.requested} requested`);
  }
  const sum = (k: 'requested' | 'attempted' | 'sent' | 'unsent' | 'received' | 'reordered' | 'duplicated'): number =>
    directions.reduce((s, d) => s + d[k], 0);
  const attempted = sum('attempted');
  if (attempted === 0) bad(`nothing was attempted in ${window.actualDurationS.toFixed(3)} s at ${spec.loadPps} pps requested`);
  const requested = sum('requested');
  const received = sum('received');
  const lost = Math.max(0, requested - received);
  const result: TrialResult = {
    spec,
    startedAt: window.startedAt,
    actualDurationS: window.actualDurationS,
    requested,
    attempted,
    sent: sum('sent'),
    unsent: sum('unsent'),
    received,
    lost,
    lossRatio: lost / requested,
    reordered: sum('reordered'),
    duplicated: sum('duplicated'),
    offeredPps: attempted / window.actualDurationS,
    receivedPps: received / window.actualDurationS,
    directions: [...directions],
  };
  return { ...result, ...(latency === undefined ? {} : { latency }), ...(loopGaps === undefined ? {} : { loopGaps }) };
}

/** Packets due in `durationS` at `loadPps` split over `directions` (for generators that report no deficit). */
export function packetsDue(loadPps: number, durationS: number, directions: number): number {
  return Math.round((loadPps / directions) * durationS);
}

/**
 * The one thing the search algorithms call (CSIT's MLRsearch "measurer"): run a trial at a load for a
 * duration and report what happened. Implemented by generator drivers; tests inject a DUT model.
 */
export type Measure = (durationS: number, loadPps: number, signal?: AbortSignal) => Promise<TrialResult>;

/** Average frame size of a profile in bytes (with FCS). */
export function averageFrameBytes(profile: TrafficProfile): number {
  if (profile.kind === 'fixed') return profile.frameBytes;
  const total = profile.mix.reduce((s, e) => s + e.weight, 0);
  return profile.mix.reduce((s, e) => s + e.frameBytes * e.weight, 0) / total;
}

/** Layer-1 bits per second for a packet rate: 20 bytes of preamble, SFD and inter-frame gap per frame. */
export function l1BitsPerSecond(pps: number, profile: TrafficProfile): number {
  return l1Bps(pps, averageFrameBytes(profile));
}

/** Layer-2 bits per second (frame bytes with FCS). */
export function l2BitsPerSecond(pps: number, profile: TrafficProfile): number {
  return pps * averageFrameBytes(profile) * 8;
}

/** Short name used in scenario ids and tags: "64b", "1518b", "imix". */
export function profileTag(profile: TrafficProfile): string {
  return profile.kind === 'fixed' ? `${profile.frameBytes}b` : 'imix';
}
