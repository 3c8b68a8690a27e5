/**
 * The host-stall probe. A busy-polling loop never sleeps, so a long gap between two of its iterations is
 * time the CPU was taken from it: a vCPU descheduled by the hypervisor, an interrupt storm, another
 * process on the core. Our generator's trial loop (and the DUT's main loop, where we build the DUT) keeps
 * a histogram of those gaps; no extra poller competes for the busy CPUs. Reports show the summary before
 * any throughput figure, so a reader knows what the host did to the measurement.
 */
import { bucketIndex, bucketLowerNs, bucketWidthNs, type LatencyHistogram } from './histogram.ts';
import { mergeHistograms } from './latency.ts';

/** Gaps between iterations of one polling loop, as its owner counted them. */
export interface LoopGaps {
  /** How long the loop was watched, seconds. */
  readonly observedS: number;
  readonly iterations: number;
  /** Gaps at least this long are in the histogram; shorter ones are ordinary iterations. */
  readonly thresholdNs: number;
  /** The gaps themselves, in the latency histogram's scheme (values in ns). */
  readonly gaps: LatencyHistogram;
}

/** A gap of 1 ms or more is a stall: a poller that loses 1 ms loses 1 ms of packets' worth of ring. */
export const STALL_NS = 1_000_000;

export interface StallSummary {
  readonly observedS: number;
  /** Gaps of at least `minNs`. */
  readonly minNs: number;
  readonly stalls: number;
  readonly perMinute: number;
  /** Median and largest stall, ns (NaN without stalls). */
  readonly p50Ns: number;
  readonly maxNs: number;
  /** Share of the observed time spent in stalls (bucket midpoints, within 1/32). */
  readonly stalledShare: number;
}

/** Sum of loop-gap records of one loop (several trials); they must share the threshold. */
export function mergeLoopGaps(list: readonly LoopGaps[]): LoopGaps | undefined {
  if (list.length === 0) return undefined;
  const thresholdNs = Math.max(...list.map((g) => g.thresholdNs));
  return {
    observedS: list.reduce((s, g) => s + g.observedS, 0),
    iterations: list.reduce((s, g) => s + g.iterations, 0),
    thresholdNs,
    gaps: mergeHistograms(...list.map((g) => g.gaps)),
  };
}

/** Stalls of at least `minNs` (default 1 ms): how many, how often, how long, what share of the time. */
export function summarizeStalls(g: LoopGaps, minNs: number = STALL_NS): StallSummary {
  let stalls = 0;
  let stalledNs = 0;
  const kept: [number, number][] = [];
  for (const [lowerNs, n] of g.gaps.buckets) {
    const idx = bucketIndex(lowerNs);
    if (bucketLowerNs(idx) < minNs) continue;
    stalls += n;
    stalledNs += n * Math.min(g.gaps.maxNs, bucketLowerNs(idx) + (bucketWidthNs(idx) - 1) / 2);
    kept.push([lowerNs, n]);
  }
  let p50Ns = Number.NaN;
  const rank = Math.ceil(stalls / 2);
  let seen = 0;
  for (const [lowerNs, n] of kept) {
    seen += n;
    if (seen >= rank) {
      const idx = bucketIndex(lowerNs);
      p50Ns = Math.min(g.gaps.maxNs, bucketLowerNs(idx) + (bucketWidthNs(idx) - 1) / 2);
      break;
    }
  }
  return {
    observedS: g.observedS,
    minNs,
    stalls,
    perMinute: g.observedS > 0 ? (stalls / g.observedS) * 60 : Number.NaN,
    p50Ns,
    maxNs: stalls > 0 ? g.gaps.maxNs : Number.NaN,
    stalledShare: g.observedS > 0 ? stalledNs / 1e9 / g.observedS : Number.NaN,
  };
}

/** One line for people: "stalls 4.1–30 ms (median–max), 12 per minute, 0.8 % of 95 s". */
export function describeStalls(s: StallSummary): string {
  const ms = (ns: number): string => (ns >= 10e6 ? (ns / 1e6).toFixed(0) : (ns / 1e6).toFixed(1));
  const of = `${s.observedS.toFixed(s.observedS >= 10 ? 0 : 1)} s watched`;
  if (s.stalls === 0) return `no stall ≥ ${ms(s.minNs)} ms in ${of}`;
  return (
    `stalls ${ms(s.p50Ns)}–${ms(s.maxNs)} ms (median–max), ${s.stalls} ≥ ${ms(s.minNs)} ms ` +
    `(${s.perMinute.toFixed(s.perMinute >= 10 ? 0 : 1)} per minute), ${(s.stalledShare * 100).toFixed(1)} % of ${of}`
  );
}

/**
 * Whether the host starved a polling loop badly enough to explain loss: a stall longer than the rings can
 * buffer at the rate (ring slots / packets per second per direction). Returns the reason in measured
 * figures, or undefined when no such stall was seen (loss is then the path's, not the host's).
 */
export function starvedBy(
  loops: readonly { readonly name: string; readonly gaps: LoopGaps | undefined }[],
  ringSlots: number,
  perDirectionPps: number,
): string | undefined {
  const absorbNs = (ringSlots / perDirectionPps) * 1e9;
  const worst = loops
    .filter((l): l is { name: string; gaps: LoopGaps } => l.gaps !== undefined && l.gaps.gaps.count > 0)
    .map((l) => ({ name: l.name, maxNs: l.gaps.gaps.maxNs }))
    .sort((a, b) => b.maxNs - a.maxNs)[0];
  if (worst === undefined || worst.maxNs <= absorbNs) return undefined;
  return (
    `the host starved the ${worst.name}'s poller: a stall of ${(worst.maxNs / 1e6).toFixed(1)} ms in the window, ` +
    `longer than the ${(absorbNs / 1e6).toFixed(1)} ms its ${ringSlots}-slot rings buffer at ${(perDirectionPps / 1e3).toFixed(0)} kpps per direction`
  );
}
