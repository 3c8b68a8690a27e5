/**
 * The trial model shared by every generator, the search algorithms and the records.
 * Frame sizes include the 4-byte FCS, as RFC 2544 counts them.
 */
import type { LatencyHistogram } from './histogram.ts';

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
}

export interface DirectionCounters {
  /** Port pair, e.g. "p0->p1". */
  readonly name: string;
  /** Packets the generator tried to send in the window (= sent + unsent). */
  readonly attempted: number;
  /** Accepted by the TX ring. */
  readonly sent: number;
  /** Refused by the TX ring: counted as loss (the wire would have carried them). */
  readonly unsent: number;
  readonly received: number;
  readonly reordered: number;
  readonly duplicated: number;
}

export interface TrialResult {
  readonly spec: TrialSpec;
  /** Wall-clock start (ISO 8601). */
  readonly startedAt: string;
  /** Measured duration of the counted window. */
  readonly actualDurationS: number;
  readonly attempted: number;
  readonly sent: number;
  readonly unsent: number;
  readonly received: number;
  /** attempted - received (unsent included), never negative. */
  readonly lost: number;
  /** lost / attempted; 0 when nothing was attempted. */
  readonly lossRatio: number;
  readonly reordered: number;
  readonly duplicated: number;
  /** attempted / actualDurationS: the load the generator really offered. */
  readonly offeredPps: number;
  /** received / actualDurationS. */
  readonly receivedPps: number;
  readonly directions: readonly DirectionCounters[];
  readonly latency?: LatencyHistogram;
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
  return pps * (averageFrameBytes(profile) + 20) * 8;
}

/** Layer-2 bits per second (frame bytes with FCS). */
export function l2BitsPerSecond(pps: number, profile: TrafficProfile): number {
  return pps * averageFrameBytes(profile) * 8;
}

/** Short name used in scenario ids and tags: "64b", "1518b", "imix". */
export function profileTag(profile: TrafficProfile): string {
  return profile.kind === 'fixed' ? `${profile.frameBytes}b` : 'imix';
}
