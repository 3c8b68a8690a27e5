/**
 * The JSON-lines control protocol of wsp-gen (drivers/loadgen/local-gen): request builders, strict reply
 * schemas, and the mapping of a trial reply to the shared TrialResult. Pure: no I/O here.
 * docs/local-generator.md describes the protocol for people.
 */
import { z } from 'zod';
import { ConfigError, MeasurementError } from '../../core/errors.ts';
import { bucketIndex, bucketLowerNs, type LatencyHistogram } from '../../method/histogram.ts';
import type { LoopGaps } from '../../method/host-stalls.ts';
import { trialFromDirections, type DirectionCounters, type TrialResult, type TrialSpec } from '../../method/trial.ts';

export const PROTOCOL_VERSION = 'wsp-gen/1';
export const MIN_FRAME_BYTES = 64;
export const MAX_FRAME_BYTES = 1518;
export const MAX_FLOWS = 65536;
/** The C side caps the number of sizes in a mix. */
export const MAX_MIX_SIZES = 8;
/** The C side keeps at most this many timeline bins per direction. */
export const MAX_TIMELINE_BINS = 8192;

const u64 = z.number().int().nonnegative();

const portSchema = z.strictObject({
  index: z.number().int(),
  port_id: z.number().int(),
  name: z.string(),
  driver: z.string(),
  mac: z.string(),
  dst_mac: z.string(),
  link_up: z.boolean(),
});

export const helloSchema = z.strictObject({
  event: z.literal('hello'),
  ok: z.literal(true),
  version: z.string(),
  dpdk: z.string(),
  pid: z.number().int(),
  tsc_hz: z.number().positive(),
  lcore: z.number().int(),
  cpu: z.number().int(),
  ports: z.array(portSchema).min(1).max(2),
});
export type Hello = z.infer<typeof helloSchema>;

export const fatalSchema = z.strictObject({ event: z.literal('fatal'), ok: z.literal(false), error: z.string() });

const latencySchema = z.strictObject({
  count: u64,
  min_ns: u64,
  max_ns: u64,
  sum_ns: u64,
  buckets: z.array(z.tuple([u64, u64])),
});

const gapSchema = z.strictObject({
  packets: u64,
  before_seq: u64,
  after_seq: u64,
  before_tx_s: z.number(),
  after_tx_s: z.number(),
  before_rx_s: z.number(),
  after_rx_s: z.number(),
});

const timelineSchema = z.strictObject({ attempted: z.array(u64), received: z.array(u64) });

const loopSchema = z.strictObject({
  iterations: u64,
  span_s: z.number().nonnegative(),
  threshold_ns: u64,
  count: u64,
  min_ns: u64,
  max_ns: u64,
  sum_ns: u64,
  buckets: z.array(z.tuple([u64, u64])),
});

const directionSchema = z.strictObject({
  name: z.string(),
  tx_port: z.number().int(),
  rx_port: z.number().int(),
  attempted: u64,
  sent: u64,
  unsent: u64,
  received: u64,
  lost: u64,
  reordered: u64,
  duplicated: u64,
  deficit: u64,
  warmup_attempted: u64,
  warmup_unsent: u64,
  /** The longest run of lost sequence numbers between two received packets; null when none. */
  gap: gapSchema.nullable(),
  timeline: timelineSchema.optional(),
  latency: latencySchema,
});
export type WireDirection = z.infer<typeof directionSchema>;

const replyBase = { id: z.union([z.number(), z.string()]).optional(), cmd: z.string() };

export const trialReplySchema = z.strictObject({
  ...replyBase,
  cmd: z.literal('trial'),
  ok: z.literal(true),
  aborted: z.boolean(),
  actual_s: z.number().nonnegative(),
  overrun_s: z.number().nonnegative(),
  drain_s: z.number().nonnegative(),
  window_start_unix_us: u64,
  tsc_hz: z.number().positive(),
  stray: u64,
  pps_per_dir: z.number().positive(),
  mix: z.array(z.tuple([z.number().int(), z.number().int()])).min(1),
  /** The host-stall probe: gaps of the trial loop of at least threshold_ns. */
  loop: loopSchema,
  /** Present when the request asked for a timeline. */
  timeline_ms: z.number().positive().optional(),
  directions: z.array(directionSchema).min(1).max(2),
});
export type TrialReply = z.infer<typeof trialReplySchema>;

const portStatsSchema = z.strictObject({
  index: z.number().int(),
  link_up: z.boolean(),
  ipackets: u64,
  opackets: u64,
  ibytes: u64,
  obytes: u64,
  imissed: u64,
  ierrors: u64,
  oerrors: u64,
  rx_nombuf: u64,
  /** Stops and starts of the port to get its link back after its peer went away (a restarted DUT). */
  relinks: u64,
});
export const statsReplySchema = z.strictObject({
  ...replyBase,
  cmd: z.literal('stats'),
  ok: z.literal(true),
  mbufs_free: u64,
  ports: z.array(portStatsSchema),
});
export type StatsReply = z.infer<typeof statsReplySchema>;

export const errorReplySchema = z.strictObject({ ...replyBase, ok: z.literal(false), error: z.string() });

/** Any line wsp-gen writes on stdout, told apart by `event`/`ok`/`cmd`; reply fields are checked later. */
export const anyLineSchema = z.looseObject({
  id: z.union([z.number(), z.string()]).optional(),
  event: z.string().optional(),
  cmd: z.string().optional(),
  ok: z.boolean(),
});
export type AnyLine = z.infer<typeof anyLineSchema>;

/** Parse one stdout line; null when it is not a protocol object (it is then logged, never trusted). */
export function parseLine(line: string): AnyLine | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  const r = anyLineSchema.safeParse(value);
  return r.success ? r.data : null;
}

export interface TrialTuning {
  /** Token bucket depth in µs of packets (default 200). */
  readonly depthUs?: number;
  /** Pay back tokens lost in a stall at up to this multiple of the rate on top (default 4). */
  readonly catchup?: number;
  /** Longest wait for in-flight packets after the window, ms (default 100). */
  readonly drainMs?: number;
  /** Stop draining once nothing arrived for this long, ms (default 20). */
  readonly quietMs?: number;
  /** Wait this long for the ports' links before a trial, ms (default 5000). */
  readonly linkWaitMs?: number;
}

/** Number of directions a spec sends on a session with `ports` ports. */
export function directionCount(spec: Pick<TrialSpec, 'direction'>): number {
  return spec.direction === 'bidirectional' ? 2 : 1;
}

/** Check a trial against what the generator can do; throws ConfigError naming the field. */
export function validateTrial(spec: TrialSpec, portCount: number, where: string): void {
  const bad = (what: string, hint: string): never => {
    throw new ConfigError(what, { where, hint });
  };
  if (!Number.isFinite(spec.loadPps) || spec.loadPps <= 0) bad(`loadPps ${spec.loadPps} is not a positive rate`, 'offer a load above 0 pps');
  if (spec.loadPps > 1e9) bad(`loadPps ${spec.loadPps} is beyond any generator`, 'offer at most 1e9 pps');
  if (!Number.isFinite(spec.durationS) || spec.durationS <= 0 || spec.durationS > 86400) {
    bad(`durationS ${spec.durationS} is not a usable trial duration`, 'use a duration in (0, 86400] s');
  }
  if (spec.warmupS !== undefined && (!Number.isFinite(spec.warmupS) || spec.warmupS < 0 || spec.warmupS > 3600)) {
    bad(`warmupS ${spec.warmupS} is not usable`, 'use 0..3600 s');
  }
  if (!Number.isInteger(spec.flows) || spec.flows < 1 || spec.flows > MAX_FLOWS) {
    bad(`flows ${spec.flows} is not a whole number in 1..${MAX_FLOWS}`, 'the generator varies source address and UDP port over that many flows');
  }
  const sizes = spec.profile.kind === 'fixed' ? [spec.profile.frameBytes] : spec.profile.mix.map((e) => e.frameBytes);
  for (const size of sizes) {
    if (!Number.isInteger(size) || size < MIN_FRAME_BYTES || size > MAX_FRAME_BYTES) {
      bad(`frame size ${size} B is outside ${MIN_FRAME_BYTES}..${MAX_FRAME_BYTES}`, 'frame sizes include the 4-byte FCS, as RFC 2544 counts them');
    }
  }
  if (spec.profile.kind === 'imix') {
    if (spec.profile.mix.length === 0 || spec.profile.mix.length > MAX_MIX_SIZES) bad(`IMIX ${spec.profile.name} has ${spec.profile.mix.length} sizes`, `use 1..${MAX_MIX_SIZES} sizes`);
    const total = spec.profile.mix.reduce((s, e) => s + e.weight, 0);
    for (const e of spec.profile.mix) {
      if (!Number.isInteger(e.weight) || e.weight < 1) bad(`IMIX ${spec.profile.name}: weight ${e.weight} is not a whole number ≥ 1`, 'weights are ratios such as 7:4:1');
    }
    if (total > 1024) bad(`IMIX ${spec.profile.name}: weights sum to ${total}`, 'keep the weights\' sum at most 1024 (reduce the ratio)');
  }
  if (spec.direction === 'bidirectional' && portCount < 2) {
    bad('bidirectional traffic needs two ports; this generator session has one', 'open the session on two ports, or use direction: unidirectional');
  }
  if (spec.timelineS !== undefined) {
    const bins = spec.durationS / spec.timelineS;
    if (!Number.isFinite(bins) || spec.timelineS <= 0 || bins > MAX_TIMELINE_BINS) {
      bad(`timelineS ${spec.timelineS} gives ${Number.isFinite(bins) ? Math.ceil(bins) : 'no'} bins over ${spec.durationS} s`, `use bins of at least ${spec.durationS / MAX_TIMELINE_BINS} s (at most ${MAX_TIMELINE_BINS} per trial)`);
    }
  }
  if (spec.latency !== undefined && spec.latency !== 'all') {
    const s = spec.latency.streamPps;
    if (!Number.isFinite(s) || s <= 0) bad(`latency streamPps ${s} is not a positive rate`, "use a rate above 0, or latency: 'all'");
  }
}

/** The `trial` request line for a spec (rates split evenly over the directions). */
export function trialRequest(id: number, spec: TrialSpec, tuning: TrialTuning = {}): Record<string, unknown> {
  const dirs = directionCount(spec);
  const req: Record<string, unknown> = {
    id,
    cmd: 'trial',
    pps_per_dir: spec.loadPps / dirs,
    duration_s: spec.durationS,
    warmup_s: spec.warmupS ?? 0,
    flows: spec.flows,
    direction: spec.direction,
  };
  if (spec.profile.kind === 'fixed') {
    req.frame = spec.profile.frameBytes;
  } else {
    req.sizes = spec.profile.mix.map((e) => e.frameBytes);
    req.weights = spec.profile.mix.map((e) => e.weight);
  }
  if (spec.latency === 'all') {
    req.latency = 'all';
  } else if (spec.latency !== undefined) {
    req.latency = 'sample';
    req.latency_pps_per_dir = spec.latency.streamPps / dirs;
  }
  if (tuning.depthUs !== undefined) req.depth_us = tuning.depthUs;
  if (tuning.catchup !== undefined) req.catchup = tuning.catchup;
  if (tuning.drainMs !== undefined) req.drain_ms = tuning.drainMs;
  if (tuning.quietMs !== undefined) req.quiet_ms = tuning.quietMs;
  if (tuning.linkWaitMs !== undefined) req.link_wait_ms = tuning.linkWaitMs;
  if (spec.timelineS !== undefined) req.timeline_ms = spec.timelineS * 1000;
  return req;
}

/** Merge the per-direction histograms (same bucket scheme) into one; checks the buckets are real buckets. */
export function mergeLatency(dirs: readonly WireDirection[]): LatencyHistogram {
  const counts = new Map<number, number>();
  let count = 0;
  let minNs = Infinity;
  let maxNs = 0;
  let sumNs = 0;
  for (const d of dirs) {
    const h = d.latency;
    if (h.count === 0) continue;
    let inBuckets = 0;
    for (const [lower, c] of h.buckets) {
      if (bucketLowerNs(bucketIndex(lower)) !== lower) throw new MeasurementError(`latency bucket lower bound ${lower} ns is not a log-linear-32 bucket`);
      counts.set(lower, (counts.get(lower) ?? 0) + c);
      inBuckets += c;
    }
    if (inBuckets !== h.count) throw new MeasurementError(`latency of ${d.name}: buckets hold ${inBuckets} samples, count says ${h.count}`);
    count += h.count;
    minNs = Math.min(minNs, h.min_ns);
    maxNs = Math.max(maxNs, h.max_ns);
    sumNs += h.sum_ns;
  }
  const buckets = [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([l, c]) => [l, c] as const);
  return { scheme: 'log-linear-32', buckets, count, minNs: count ? minNs : 0, maxNs, sumNs };
}

/**
 * A trial reply as the shared TrialResult. Throws MeasurementError when nothing was attempted or the
 * counters contradict each other: such figures must not reach a search. What the generator could not
 * attempt (its deficit) was requested all the same: it counts as loss.
 */
export function toTrialResult(spec: TrialSpec, reply: TrialReply, where = 'local generator'): TrialResult {
  if (reply.directions.length !== directionCount(spec)) {
    throw new MeasurementError(`asked for ${spec.direction} traffic, got ${reply.directions.length} direction(s)`, { where });
  }
  if (spec.timelineS !== undefined && reply.timeline_ms === undefined) {
    throw new MeasurementError('asked for a timeline, the reply has none', { where, hint: 'rebuild wsp-gen (npm run setup): the binary is older than the driver' });
  }
  const binS = reply.timeline_ms === undefined ? undefined : reply.timeline_ms / 1000;
  const directions: DirectionCounters[] = reply.directions.map((d) => ({
    name: d.name,
    requested: d.attempted + d.deficit,
    attempted: d.attempted,
    sent: d.sent,
    unsent: d.unsent,
    received: d.received,
    reordered: d.reordered,
    duplicated: d.duplicated,
    ...(d.gap === null
      ? {}
      : {
          gap: {
            packets: d.gap.packets,
            beforeSeq: d.gap.before_seq,
            afterSeq: d.gap.after_seq,
            beforeTxS: d.gap.before_tx_s,
            afterTxS: d.gap.after_tx_s,
            beforeRxS: d.gap.before_rx_s,
            afterRxS: d.gap.after_rx_s,
          },
        }),
    ...(d.timeline === undefined || binS === undefined ? {} : { timeline: { binS, attempted: d.timeline.attempted, received: d.timeline.received } }),
  }));
  const window = { startedAt: new Date(reply.window_start_unix_us / 1e3).toISOString(), actualDurationS: reply.actual_s };
  return trialFromDirections(spec, window, directions, where, spec.latency === undefined ? undefined : mergeLatency(reply.directions), loopGapsOf(reply));
}

/** The trial loop's gaps (the generator's host-stall probe) from a reply. */
export function loopGapsOf(reply: TrialReply): LoopGaps {
  const l = reply.loop;
  const inBuckets = l.buckets.reduce((s, [, c]) => s + c, 0);
  if (inBuckets !== l.count) throw new MeasurementError(`loop gaps: buckets hold ${inBuckets}, count says ${l.count}`);
  return {
    observedS: l.span_s,
    iterations: l.iterations,
    thresholdNs: l.threshold_ns,
    gaps: { scheme: 'log-linear-32', buckets: l.buckets.map(([a, b]) => [a, b] as const), count: l.count, minNs: l.min_ns, maxNs: l.max_ns, sumNs: l.sum_ns },
  };
}
