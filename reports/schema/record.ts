/**
 * The versioned run record (DESIGN "Results"): one JSON object per line of `results/<run-id>/records.jsonl`,
 * a discriminated union on `kind`. Every record is validated (parse-record.ts) before any sink sees it.
 * Bump SCHEMA_VERSION on any incompatible change; readers refuse versions they do not know.
 */
import { z } from 'zod';
import { DATAPATHS } from '../../lab/schema.ts';
import { latencyHistogramSchema, loopGapsSchema, trafficProfileSchema, trialResultSchema } from './trial.ts';

export const SCHEMA_VERSION = 3 as const;
/**
 * Versions this wirespeed reads. 1 → 2: trials gained `requested` (packets due at the requested load;
 * loss counts against it). A v1 trial is read with requested = attempted, which is what v1 assumed.
 * 2 → 3: only additions (trial loop gaps, outage gaps and timelines; MRR's bound; marked throughput
 * bounds; failover per direction; self-test latency bias; `skip` records): a v2 record is a valid v3 one.
 */
export const READABLE_SCHEMA_VERSIONS: readonly number[] = [1, 2, 3];

const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time such as 2026-11-22T04:05:00Z' });
const pps = z.number().nonnegative().finite();
const seconds = z.number().nonnegative().finite();
const nonEmpty = z.string().min(1);

/** Fields every record carries. */
const base = {
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** Run id, same as the run directory name. */
  runId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'runId must be letters, digits, ".", "_" or "-" (it names the run directory)'),
  /** When the record was written. */
  at: isoTime,
};

export const nicInfoSchema = z.strictObject({
  /** Inventory name of the NIC (lab file). */
  name: nonEmpty,
  /** Catalogue model (x710, e810-c, cx6dx) or 'virtual' on the local lab. */
  model: nonEmpty,
  pciId: nonEmpty.exactOptional(),
  /** Driver its ports are bound to (i40e, ice, mlx5_core, vfio-pci); 'virtual' on the local lab. */
  driver: nonEmpty.exactOptional(),
  /** Firmware its kernel driver reports (`ethtool -i`); absent when it cannot be read (bound to vfio-pci). */
  firmware: nonEmpty.exactOptional(),
  /** NUMA node of its ports (sysfs). */
  numaNode: z.number().int().nonnegative().exactOptional(),
  /** Line rate of one port in bit/s; absent for virtual ports (they have none). */
  lineRateBps: z.number().positive().exactOptional(),
});

export const nodeEnvironmentSchema = z.strictObject({
  /** Inventory node name (tg, dut, ...). */
  name: nonEmpty,
  roles: z.array(nonEmpty),
  hostname: nonEmpty,
  cpuModel: nonEmpty,
  /** Logical CPUs present on the node. */
  cpuCount: z.number().int().positive(),
  /** CPUs the run pinned its processes to. */
  coresUsed: z.array(z.number().int().nonnegative()),
  kernel: nonEmpty,
  /** /proc/cmdline (isolcpus, hugepages, iommu settings). */
  kernelCmdline: z.string().exactOptional(),
  /** CPUs the kernel isolates (/sys/devices/system/cpu/isolated); empty when none. */
  isolatedCpus: z.array(z.number().int().nonnegative()).exactOptional(),
  /** cpufreq governor -> the CPUs that run it ("0-3,8"); empty without cpufreq (VMs). */
  governors: z.record(z.string(), z.string()).exactOptional(),
  dpdkVersion: nonEmpty.exactOptional(),
  vppVersion: nonEmpty.exactOptional(),
  ovsVersion: nonEmpty.exactOptional(),
  nics: z.array(nicInfoSchema),
});

export const environmentSchema = z.strictObject({
  labName: nonEmpty,
  labKind: z.enum(['local', 'baremetal', 'kubernetes']),
  /** `git rev-parse HEAD` of the harness, with "-dirty" when the tree had changes; "unknown" outside git. */
  harnessCommit: nonEmpty,
  harnessVersion: nonEmpty,
  nodeVersion: nonEmpty,
  nodes: z.array(nodeEnvironmentSchema).min(1, 'at least one node must be described'),
});

/** A stale lease of a dead run that this run took over, and what it swept of that run. */
export const takeoverSchema = z.strictObject({
  /** Where the lease was: "this machine", "node dut (root@10.0.0.2:22)", "Lease default/…". */
  where: nonEmpty,
  runId: nonEmpty,
  host: nonEmpty,
  pid: z.number().int().nonnegative(),
  /** Why it was stale: its process gone, or no heartbeat for so long. */
  reason: nonEmpty,
  /** Each thing removed: "process 1234 dpdk-l3fwd", "network namespace …", "file …", "object Pod ns/name". */
  swept: z.array(nonEmpty),
  sweepError: nonEmpty.exactOptional(),
});

export const runStartSchema = z.strictObject({
  ...base,
  kind: z.literal('run-start'),
  startedAt: isoTime,
  environment: environmentSchema,
  /** The command line or suite selection, for people reading the report. */
  invocation: z.string().exactOptional(),
  /** The lab leases the run held (drivers/lease) and the stale ones of dead runs it took over. */
  reservation: z
    .strictObject({
      leases: z.array(nonEmpty),
      tookOver: z.array(takeoverSchema),
    })
    .exactOptional(),
});

export const trialRecordSchema = z.strictObject({
  ...base,
  kind: z.literal('trial'),
  scenarioId: nonEmpty,
  /** 0-based sequence number of the trial within its scenario. */
  seq: z.number().int().nonnegative(),
  /** What the trial was for. */
  purpose: z.enum(['search', 'mrr', 'latency', 'failover', 'selftest', 'warmup']),
  /** The search phase or goal it served, free text (e.g. "NDR final"). */
  note: z.string().exactOptional(),
  trial: trialResultSchema,
});

/** A search goal (MLRsearch): loss ratio, exceed ratio, width and durations. */
export const goalSchema = z.strictObject({
  name: nonEmpty,
  lossRatio: z.number().min(0).max(1),
  exceedRatio: z.number().min(0).max(1).exactOptional(),
  relativeWidth: z.number().positive().max(1).exactOptional(),
  initialTrialDurationS: z.number().positive().exactOptional(),
  finalTrialDurationS: z.number().positive().exactOptional(),
  durationSumS: z.number().positive().exactOptional(),
});

/**
 * Why a bound is not a measured property of the DUT: `max-load` when the search's maximum load passed
 * (the DUT was not saturated; the figure is "≥ max load" and the tester limits it), `irregular` when the
 * search ended otherwise irregularly (MLRsearch draft 4.8.4). Compare and trend never treat a marked
 * bound as a measurement.
 */
export const boundMarkSchema = z.strictObject({
  kind: z.enum(['max-load', 'irregular']),
  /** For people: e.g. "max load 11.8 Mpps (generator self-test ceiling, 64 B) passed". */
  reason: nonEmpty,
});

/** One search result with its bounds: the lower bound is the reported throughput. */
export const throughputBoundSchema = z
  .strictObject({
    goal: nonEmpty,
    lowerBoundPps: pps,
    /** Lowest load that failed the goal; absent when the maximum load passed. */
    upperBoundPps: pps.exactOptional(),
    /** Lower bounds of repeated searches, when the scenario repeats (for compare's confidence interval). */
    repeatsPps: z.array(pps).exactOptional(),
    /** The search's maximum load (the stack's: line rate, or the generator ceiling on virtual ports). */
    maxLoadPps: pps.exactOptional(),
    mark: boundMarkSchema.exactOptional(),
  })
  .refine((b) => b.upperBoundPps === undefined || b.upperBoundPps >= b.lowerBoundPps, {
    message: 'upperBoundPps must not be below lowerBoundPps',
    path: ['upperBoundPps'],
  });

export const mrrSchema = z.strictObject({
  offeredPps: pps,
  /** Received rate of each MRR trial (CSIT takes several). */
  receivedPps: z.array(pps).min(1, 'at least one MRR trial'),
  trialDurationS: z.number().positive(),
  /** Rate the generator really attempted in each trial (below offeredPps when it could not keep up). */
  attemptedPps: z.array(pps).exactOptional(),
  /**
   * What bounded the MRR: `generator` when the generator could not attempt the offered load (the figure
   * is then the generator's, at `limitedAtPps`), `dut` when it attempted all and the DUT dropped.
   */
  boundedBy: z.enum(['generator', 'dut']).exactOptional(),
  limitedAtPps: pps.exactOptional(),
});

export const latencyAtLoadSchema = z.strictObject({
  /** Load as a fraction of PDR (0, 0.1, 0.5, 0.9), or absent for an absolute load. */
  fractionOfPdr: z.number().min(0).max(1.5).exactOptional(),
  loadPps: pps,
  p50Ns: z.number().nonnegative(),
  p90Ns: z.number().nonnegative(),
  p99Ns: z.number().nonnegative(),
  p999Ns: z.number().nonnegative(),
  maxNs: z.number().nonnegative(),
  histogram: latencyHistogramSchema,
  /** The tester's own latency (loopback p50 of this run's self-test), shown beside the figures, not subtracted. */
  testerBiasNs: z.number().nonnegative().exactOptional(),
});

/** The outage one direction saw (method/failover.ts directionOutages). */
export const directionOutageSchema = z.strictObject({
  name: nonEmpty,
  lostPackets: z.number().int().nonnegative(),
  /** Send time of the last packet delivered before the outage to the first after it. */
  blockedS: seconds,
  /** lostPackets / the direction's rate. */
  lossDerivedS: seconds,
  /** Those two packets' send times, on the timeline's clock (live bins: the edges of the bins that received nothing). */
  lastBeforeS: z.number().finite(),
  firstAfterS: z.number().finite(),
  /** Live counter bins (failover.blockedBy 'live-bins'): the longest the outage can have been; blockedS is the shortest. */
  blockedMaxS: seconds.exactOptional(),
});

export const failoverSchema = z.strictObject({
  /** dut-restart, link-flap, vswitch-restart, pod-delete, vf-reset. */
  event: nonEmpty,
  offeredPps: pps,
  lostPackets: z.number().int().nonnegative(),
  /** The longest blocked time of any direction (per-direction outages); lost / offered rate in records before v3. */
  blockedS: seconds,
  /** lost / offered rate over the whole window (RFC 6412's loss-derived time). */
  lossDerivedS: seconds.exactOptional(),
  /**
   * How blockedS was measured: send stamps of the packets either side of the outage (wsp-gen; absent in
   * older records), or live counter bins (pktgen: no packet received for at least blockedS, at most each
   * direction's blockedMaxS). A generator that holds packets back in an outage and sends them after it
   * loses few, so its lossDerivedS is no outage figure.
   */
  blockedBy: z.enum(['send-stamps', 'live-bins']).exactOptional(),
  /** Per direction: the outage around the event, by sequence numbers and send stamps. */
  directions: z.array(directionOutageSchema).exactOptional(),
  /** Length of the timeline's contiguous bins, seconds. */
  intervalS: z.number().positive().exactOptional(),
  /** From the event to the first interval back at the offered rate; absent when it did not recover. */
  recoveryS: seconds.exactOptional(),
  /** Event time relative to the start of the timeline. */
  eventAtS: seconds,
  /** pod-delete: from the event until the replacement pod was Ready with its networks attached; device-plugin-restart: until the plugin's replacement pod was Ready. */
  replacementReadyS: seconds.exactOptional(),
  /** Received rate per interval, for the timeline chart. */
  timeline: z.array(z.strictObject({ tS: seconds, receivedPps: pps })),
});

export const resultRecordSchema = z
  .strictObject({
    ...base,
    kind: z.literal('result'),
    scenarioId: nonEmpty,
    /** 0-based repeat index when a scenario runs several times in one run. */
    repeat: z.number().int().nonnegative().exactOptional(),
    datapath: z.enum(DATAPATHS),
    dut: z.strictObject({ kind: nonEmpty, version: nonEmpty }),
    /**
     * The traffic generator (wsp-gen, pktgen) and its version: figures from different generators are
     * never compared or trended together. Absent in records written before it was recorded.
     */
    generator: z.strictObject({ kind: nonEmpty, version: nonEmpty }).exactOptional(),
    /** NIC model (x710, cx6dx) or 'virtual'. */
    nic: nonEmpty,
    /** Port line rate in bit/s; absent for virtual ports (they have no line rate). */
    lineRateBps: z.number().positive().exactOptional(),
    /** Ports the traffic crosses per direction count (2 for the default topology). */
    ports: z.number().int().positive(),
    profile: trafficProfileSchema,
    flows: z.number().int().positive(),
    direction: z.enum(['bidirectional', 'unidirectional']),
    goals: z.array(goalSchema),
    ndr: throughputBoundSchema.exactOptional(),
    pdr: throughputBoundSchema.exactOptional(),
    mrr: mrrSchema.exactOptional(),
    latency: z.array(latencyAtLoadSchema).exactOptional(),
    failover: z.array(failoverSchema).exactOptional(),
    status: z.enum(['passed', 'failed', 'skipped']),
    /** Why it failed or was skipped; required then. */
    reason: z.string().exactOptional(),
    startedAt: isoTime,
    durationS: seconds,
  })
  .refine((r) => r.status === 'passed' || (r.reason !== undefined && r.reason.length > 0), {
    message: 'a failed or skipped result must say why (reason)',
    path: ['reason'],
  });

/** The tester's own latency (generator looped to itself, no DUT) at a low load. */
export const testerBiasSchema = z.strictObject({
  loadPps: pps,
  p50Ns: z.number().nonnegative(),
  p99Ns: z.number().nonnegative(),
  maxNs: z.number().nonnegative(),
  /** What latency figures subtract or show beside them: the loopback median. */
  biasNs: z.number().nonnegative(),
  histogram: latencyHistogramSchema,
});

/**
 * The tester characterised in this run (CSIT reports it with every run), per profile: its own ceiling
 * (loopback self-test, no DUT) so the report can tell DUT limits from generator limits, its latency bias,
 * and the stalls its loop saw meanwhile. `unavailable` says why a lab could not run it.
 */
export const generatorSelfTestSchema = z
  .strictObject({
    ...base,
    kind: z.literal('generator-selftest'),
    generator: nonEmpty,
    profile: trafficProfileSchema,
    ceilingPps: pps.exactOptional(),
    /** Load offered for the ceiling (far above it) and the counted window. */
    offeredPps: pps.exactOptional(),
    trialDurationS: z.number().positive().exactOptional(),
    bias: testerBiasSchema.exactOptional(),
    loopGaps: loopGapsSchema.exactOptional(),
    unavailable: nonEmpty.exactOptional(),
    note: z.string().exactOptional(),
  })
  .refine((r) => r.ceilingPps !== undefined || r.unavailable !== undefined, {
    message: 'a self-test record has a ceiling or says why it is unavailable',
    path: ['ceilingPps'],
  });

/**
 * A scenario that did not run, with why: the lab lacks a capability, the stack is unavailable, the
 * event cannot be injected here. Every skip is a record, so every report can count and list them.
 */
export const skipRecordSchema = z.strictObject({
  ...base,
  kind: z.literal('skip'),
  /** The scenario id when the test got as far as naming it. */
  scenarioId: nonEmpty.exactOptional(),
  /** The test's title (e.g. "64b failover dut-restart") and its project (datapath x DUT x NIC). */
  test: nonEmpty,
  project: z.string(),
  datapath: z.enum(DATAPATHS).exactOptional(),
  reason: nonEmpty,
  /** The capability the lab lacks (e.g. "sriov", "cores>=3"), when a gate decided. */
  capability: nonEmpty.exactOptional(),
});

/**
 * A test that failed before its scenario wrote a result (a stack that could not come up, a fixture that
 * threw): without it the failure would exist only in the CLI's exit code, and summary.md, junit.xml and
 * report.html, all built from the records, would count it nowhere. Written by the CLI once Playwright ends.
 */
export const failureRecordSchema = z.strictObject({
  ...base,
  kind: z.literal('failure'),
  scenarioId: nonEmpty.exactOptional(),
  test: nonEmpty,
  project: z.string(),
  datapath: z.enum(DATAPATHS).exactOptional(),
  /** The first line of the error. */
  error: nonEmpty,
  /** The error's class ("ProvisionError") and the severity it declared, when the worker reported them. */
  errorClass: nonEmpty.exactOptional(),
  severity: nonEmpty.exactOptional(),
});

export const runEndSchema = z.strictObject({
  ...base,
  kind: z.literal('run-end'),
  endedAt: isoTime,
  /** completed: every scenario ran; aborted: stopped by a signal or the user; crashed: an internal error. */
  status: z.enum(['completed', 'aborted', 'crashed']),
  counts: z.strictObject({
    passed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative(),
  }),
  error: z.string().exactOptional(),
});

export const RECORD_KINDS = ['run-start', 'trial', 'result', 'generator-selftest', 'skip', 'failure', 'run-end'] as const;

export const runRecordSchema = z.discriminatedUnion('kind', [
  runStartSchema,
  trialRecordSchema,
  resultRecordSchema,
  generatorSelfTestSchema,
  skipRecordSchema,
  failureRecordSchema,
  runEndSchema,
]);

export type RunRecord = DeepReadonly<z.infer<typeof runRecordSchema>>;
export type RunStartRecord = DeepReadonly<z.infer<typeof runStartSchema>>;
export type TrialRecord = DeepReadonly<z.infer<typeof trialRecordSchema>>;
export type ResultRecord = DeepReadonly<z.infer<typeof resultRecordSchema>>;
export type GeneratorSelfTestRecord = DeepReadonly<z.infer<typeof generatorSelfTestSchema>>;
export type SkipRecord = DeepReadonly<z.infer<typeof skipRecordSchema>>;
export type FailureRecord = DeepReadonly<z.infer<typeof failureRecordSchema>>;
export type TesterBias = DeepReadonly<z.infer<typeof testerBiasSchema>>;
export type DirectionOutageRecord = DeepReadonly<z.infer<typeof directionOutageSchema>>;
export type BoundMark = DeepReadonly<z.infer<typeof boundMarkSchema>>;
export type RunEndRecord = DeepReadonly<z.infer<typeof runEndSchema>>;
export type RecordKind = RunRecord['kind'];

/** Records are data: readonly all the way down, so readonly contract values (TrialResult, ...) fit. */
export type DeepReadonly<T> = T extends readonly [infer A, infer B]
  ? readonly [DeepReadonly<A>, DeepReadonly<B>]
  : T extends (infer U)[]
    ? ReadonlyArray<DeepReadonly<U>>
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;
export type Environment = DeepReadonly<z.infer<typeof environmentSchema>>;
export type NodeEnvironment = DeepReadonly<z.infer<typeof nodeEnvironmentSchema>>;
export type NicInfo = DeepReadonly<z.infer<typeof nicInfoSchema>>;
export type Goal = DeepReadonly<z.infer<typeof goalSchema>>;
export type ThroughputBound = DeepReadonly<z.infer<typeof throughputBoundSchema>>;
export type LatencyAtLoad = DeepReadonly<z.infer<typeof latencyAtLoadSchema>>;
export type Failover = DeepReadonly<z.infer<typeof failoverSchema>>;
export type Mrr = DeepReadonly<z.infer<typeof mrrSchema>>;
/** A record as the producer writes it, before `schemaVersion`, `runId` and `at` are filled in by the store. */
export type RecordDraft = RunRecord extends infer R ? (R extends RunRecord ? Omit<R, 'schemaVersion' | 'runId' | 'at'> : never) : never;
