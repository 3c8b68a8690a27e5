/**
 * Zod schemas mirroring method/trial.ts and method/histogram.ts, so a TrialResult read back from a
 * record file is checked field by field. `satisfies` ties each schema to the contract type.
 */
import { z } from 'zod';
import type { LatencyHistogram } from '../../method/histogram.ts';
import type { LoopGaps } from '../../method/host-stalls.ts';
import type { DirectionCounters, DirectionTimeline, DutTrialCounters, OutageGap, TrafficProfile, TrialResult, TrialSpec } from '../../method/trial.ts';

const count = z.number().int().nonnegative();
const finiteNonNeg = z.number().nonnegative().finite();

export const latencyHistogramSchema = z.strictObject({
  scheme: z.literal('log-linear-32'),
  buckets: z.array(z.tuple([finiteNonNeg, count])),
  count,
  minNs: finiteNonNeg,
  maxNs: finiteNonNeg,
  sumNs: finiteNonNeg,
});

export const imixEntrySchema = z.strictObject({
  frameBytes: z.number().int().min(64, 'frameBytes must be at least 64 (Ethernet minimum, FCS included)').max(16384),
  weight: z.number().positive(),
});

export const trafficProfileSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('fixed'),
    frameBytes: z.number().int().min(64, 'frameBytes must be at least 64 (Ethernet minimum, FCS included)').max(16384),
  }),
  z.strictObject({ kind: z.literal('imix'), name: z.string().min(1), mix: z.array(imixEntrySchema).min(1) }),
]);

export const trialSpecSchema = z.strictObject({
  loadPps: finiteNonNeg,
  durationS: z.number().positive().finite(),
  profile: trafficProfileSchema,
  flows: z.number().int().positive(),
  direction: z.enum(['bidirectional', 'unidirectional']),
  warmupS: finiteNonNeg.exactOptional(),
  latency: z.union([z.literal('all'), z.strictObject({ streamPps: z.number().positive() })]).exactOptional(),
  timelineS: z.number().positive().finite().exactOptional(),
});

export const outageGapSchema = z.strictObject({
  packets: count,
  beforeSeq: count,
  afterSeq: count,
  beforeTxS: z.number().finite(),
  afterTxS: z.number().finite(),
  beforeRxS: z.number().finite(),
  afterRxS: z.number().finite(),
});

export const liveBinsSchema = z.strictObject({ edgesS: z.array(z.number().finite()), due: z.array(count), slackPackets: count });

export const directionTimelineSchema = z
  .strictObject({ binS: z.number().positive().finite(), attempted: z.array(count), received: z.array(count), live: liveBinsSchema.exactOptional() })
  .refine((t) => t.attempted.length === t.received.length, { message: 'attempted and received must have one entry per bin', path: ['received'] })
  .refine((t) => t.live === undefined || (t.live.due.length === t.attempted.length && t.live.edgesS.length === t.attempted.length + 1), {
    message: 'live bins need one due count per bin and one edge more than bins',
    path: ['live'],
  });

export const loopGapsSchema = z.strictObject({
  observedS: finiteNonNeg,
  iterations: count,
  thresholdNs: finiteNonNeg,
  gaps: latencyHistogramSchema,
});

export const directionCountersSchema = z.strictObject({
  name: z.string().min(1),
  requested: count,
  attempted: count,
  sent: count,
  unsent: count,
  received: count,
  reordered: count,
  duplicated: count,
  gap: outageGapSchema.exactOptional(),
  timeline: directionTimelineSchema.exactOptional(),
});

export const dutTrialCountersSchema = z.strictObject({
  source: z.string().min(1),
  rxPackets: count,
  txPackets: count,
  drops: z.strictObject({ rxMiss: count, txError: count, noRoute: count, other: count }),
  detail: z.record(z.string(), count).exactOptional(),
});

export const trialResultSchema = z.strictObject({
  spec: trialSpecSchema,
  startedAt: z.iso.datetime({ offset: true }),
  actualDurationS: finiteNonNeg,
  requested: count,
  attempted: count,
  sent: count,
  unsent: count,
  received: count,
  lost: count,
  lossRatio: z.number().min(0).max(1),
  reordered: count,
  duplicated: count,
  offeredPps: finiteNonNeg,
  receivedPps: finiteNonNeg,
  directions: z.array(directionCountersSchema),
  latency: latencyHistogramSchema.exactOptional(),
  loopGaps: loopGapsSchema.exactOptional(),
  dutLoopGaps: loopGapsSchema.exactOptional(),
  dut: dutTrialCountersSchema.exactOptional(),
});

// Compile-time checks: a parsed value is usable where the contract type is expected, and the other way round
// for the plain-data types (so a contract change that the schema misses fails the typecheck).
const _trial = (t: z.infer<typeof trialResultSchema>): TrialResult => t;
const _spec = (t: z.infer<typeof trialSpecSchema>): TrialSpec => t;
const _hist = (h: LatencyHistogram): z.input<typeof latencyHistogramSchema> => ({ ...h, buckets: h.buckets.map(([a, b]) => [a, b]) });
const _profile = (p: TrafficProfile): z.input<typeof trafficProfileSchema> =>
  p.kind === 'fixed' ? p : { ...p, mix: p.mix.map((e) => ({ ...e })) };
const _dir = (d: DirectionCounters): z.input<typeof directionCountersSchema> => {
  const { timeline, ...rest } = d;
  return timeline === undefined ? rest : { ...rest, timeline: _timeline(timeline) };
};
const _gap = (g: OutageGap): z.input<typeof outageGapSchema> => g;
const _timeline = (t: DirectionTimeline): z.input<typeof directionTimelineSchema> => {
  const { live, ...rest } = t;
  const bins = { ...rest, attempted: [...t.attempted], received: [...t.received] };
  return live === undefined ? bins : { ...bins, live: { ...live, edgesS: [...live.edgesS], due: [...live.due] } };
};
const _loop = (l: LoopGaps): z.input<typeof loopGapsSchema> => ({ ...l, gaps: _hist(l.gaps) });
const _dut = (d: DutTrialCounters): z.input<typeof dutTrialCountersSchema> => ({ ...d, drops: { ...d.drops }, ...(d.detail ? { detail: { ...d.detail } } : {}) });
void [_trial, _spec, _hist, _profile, _dir, _gap, _loop, _dut];
