/**
 * The schema of a certification profile (certify/profiles/*.yaml): the test plan of a certification and
 * the criteria its results are judged by. Strict like the lab inventory (unknown keys are errors); the
 * checks across fields (ids unique, criteria only filter on what the plan runs) are in ./validate.ts.
 * docs/certification.md describes every field.
 */
import { z } from 'zod';
import { DATAPATHS } from '../../lab/schema.ts';

const ID = /^[a-z][a-z0-9-]{0,47}$/;
const id = (what: string) => z.string().regex(ID, `${what} must be lower-case letters, digits and '-', starting with a letter (max 48)`);
const text = z.string().trim().min(1);

/**
 * Datapaths a profile may name: the lab datapaths (`pf` among them: DPDK on the physical function, as
 * DPDK's NIC performance reports test a NIC). A datapath the lab cannot run is listed as not applicable,
 * with the reason, rather than refused.
 */
export const PROFILE_DATAPATHS: readonly string[] = DATAPATHS;
export const profileDatapath = z.enum(PROFILE_DATAPATHS as [string, ...string[]]);

/** A frame size with FCS in bytes (64..9018), or imix (64/570/1518 at 7:4:1). */
export const frameSize = z.union([z.number().int().min(64, 'frame sizes are at least 64 bytes (with FCS)').max(9018, 'frame sizes are at most 9018 bytes (with FCS)'), z.literal('imix')]);
export type FrameSize = z.infer<typeof frameSize>;

/** The scenario-id tag of a frame size: 64 → "64b", imix → "imix" (method/trial.ts profileTag). */
export function frameTag(f: FrameSize): string {
  return f === 'imix' ? 'imix' : `${f}b`;
}

/** Suites a performance plan may run (the scenario suites of `wirespeed run`). */
export const PERFORMANCE_SUITES = ['throughput', 'latency'] as const;

/**
 * The SR-IOV conformance tests wirespeed knows (after the sriov-network-operator conformance suite's
 * coverage): the test part of their scenario ids is `conformance-<name>`.
 */
export const CONFORMANCE_TESTS = {
  'vf-create': 'VFs created up to the NIC\'s and the profile\'s count, all allocatable',
  'vf-mac': 'VF MAC address set by the PF and seen by the VF',
  'vf-vlan': 'VF VLAN and QoS set by the PF',
  'vf-trust': 'VF trust on and off',
  'vf-spoofchk': 'VF spoof checking on and off',
  'vf-link-state': 'VF link state auto, enable and disable',
  'vf-mtu': 'MTU up to the profile\'s maximum on the PF and a VF',
  'vf-rdma': 'RDMA-capable VFs (ConnectX)',
  'vdpa-devices': 'vDPA devices on the NIC\'s VFs',
} as const;
export type ConformanceTest = keyof typeof CONFORMANCE_TESTS;
export const conformanceTest = z.enum(Object.keys(CONFORMANCE_TESTS) as [ConformanceTest, ...ConformanceTest[]]);

/**
 * Failover events a conformance profile may inject under load: the PF's or a VF's link down (bare metal), the
 * SR-IOV device plugin restarted on the DUT node (Kubernetes labs whose inventory allows it).
 */
export const CONFORMANCE_EVENTS = ['pf-link-down', 'vf-link-down', 'device-plugin-restart'] as const;

/** Which plan cells a criterion judges; absent means all of them. */
export const criterionWhere = z.strictObject({
  datapaths: z.array(profileDatapath).min(1).optional(),
  frameSizes: z.array(frameSize).min(1).optional(),
  dutCores: z.array(z.number().int().positive()).min(1).optional(),
});

const criterionBase = {
  id: id('criterion id'),
  title: text,
  /** Why it matters, for the certificate's reader. */
  description: text.optional(),
  where: criterionWhere.optional(),
  /**
   * Not applicable when the lab's NIC is virtual (the local lab), with this reason. Criteria on line rate
   * are not applicable there anyway: virtual ports have none.
   */
  notOnVirtualNic: text.optional(),
};

const atLeast = z
  .strictObject({
    /** Share of the NIC line rate (aggregate over the ports crossed), in percent. */
    lineRatePct: z.number().positive().max(100).optional(),
    mpps: z.number().positive().optional(),
  })
  .refine((a) => (a.lineRatePct === undefined) !== (a.mpps === undefined), {
    message: 'give exactly one of lineRatePct or mpps',
  });

const percentile = z.enum(['p50', 'p90', 'p99', 'p999', 'max']);

export const criterionSchema = z.discriminatedUnion('check', [
  /** Every throughput cell found an NDR and a PDR (the search met both goals at some load). */
  z.strictObject({ ...criterionBase, check: z.literal('search-converged') }),
  /** NDR, PDR or MRR of every cell at least a share of line rate, or an absolute rate. */
  z.strictObject({ ...criterionBase, check: z.literal('throughput'), figure: z.enum(['ndr', 'pdr', 'mrr']), atLeast }),
  /** Every latency cell has samples at each of these loads (fractions of PDR). */
  z.strictObject({ ...criterionBase, check: z.literal('latency-measured'), fractionsOfPdr: z.array(z.number().min(0).max(1)).min(1) }),
  /** A latency percentile at one load at most a bound. */
  z.strictObject({ ...criterionBase, check: z.literal('latency'), percentile, fractionOfPdr: z.number().min(0).max(1), atMostUs: z.number().positive() }),
  /** NDR or PDR with N DUT cores at least `atLeast` times the figure with one core (same frame size). */
  z.strictObject({ ...criterionBase, check: z.literal('speedup'), figure: z.enum(['ndr', 'pdr']), dutCores: z.number().int().min(2), atLeast: z.number().positive() }),
  /** The named conformance test passed. */
  z.strictObject({ ...criterionBase, check: z.literal('conformance'), test: conformanceTest }),
  /** Blocked time of a failover event under load at most a bound, and traffic recovered. */
  z.strictObject({ ...criterionBase, check: z.literal('failover'), event: z.enum(CONFORMANCE_EVENTS), atMostBlockedS: z.number().positive() }),
]);
export type Criterion = z.infer<typeof criterionSchema>;
export type CriterionCheck = Criterion['check'];

/** What a lab whose NIC is virtual (the local lab) runs in place of the NIC datapaths, as a demonstration. */
const virtualNicPlan = z.strictObject({ datapaths: z.array(profileDatapath).min(1) });

const planBase = {
  /** The DUT application. */
  dut: z.enum(['l3fwd']).default('l3fwd'),
  /** Datapaths on a lab with a real NIC, in certificate order. */
  datapaths: z.array(profileDatapath).min(1),
  /** Absent: on a virtual NIC every cell is not applicable. */
  virtualNic: virtualNicPlan.optional(),
};

export const performancePlan = z.strictObject({
  ...planBase,
  kind: z.literal('performance'),
  suites: z.array(z.enum(PERFORMANCE_SUITES)).min(1),
  frameSizes: z.array(frameSize).min(1),
  /** The sizes a --quick run measures (a subset of frameSizes). */
  quickFrameSizes: z.array(frameSize).min(1),
  /** DUT forwarding cores (one RSS queue per core and port); 1 must be among them for speedup criteria. */
  dutCores: z.array(z.number().int().positive().max(64)).min(1),
  /** Flows per direction (CSIT's l3fwd tests use 254). */
  flowsPerDirection: z.number().int().min(1).max(65536),
});

export const conformancePlan = z.strictObject({
  ...planBase,
  kind: z.literal('conformance'),
  tests: z.array(conformanceTest).min(1),
  /** VFs to create per PF: the NIC's own maximum caps it. */
  vfsPerPf: z.number().int().min(1).max(256),
  /** Largest MTU set on the PF and a VF. */
  maxMtu: z.number().int().min(1280).max(9978),
  /** Failover events injected under load. */
  failover: z.array(z.enum(CONFORMANCE_EVENTS)).default([]),
});

export const profileSchema = z.strictObject({
  /** The profile's name: what `--profile` takes for a built-in profile. */
  profile: id('profile name'),
  /** The profile's own version: bump it whenever the plan or a criterion changes. */
  version: z.number().int().positive(),
  title: text,
  description: text,
  /** Standards and reports the plan follows, as people cite them. */
  references: z.array(text).default([]),
  plan: z.discriminatedUnion('kind', [performancePlan, conformancePlan]),
  criteria: z.array(criterionSchema).min(1),
});

export type Profile = z.infer<typeof profileSchema>;
export type PerformancePlan = z.infer<typeof performancePlan>;
export type ConformancePlan = z.infer<typeof conformancePlan>;
