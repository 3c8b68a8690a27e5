/**
 * A stack is everything a scenario measures through: the datapath, the DUT on it, the generator session
 * attached to it, the most load worth offering, and the optional operations it supports. One `up()`
 * brings all of it up; one release verb (async dispose, `release()`) takes all of it down, also after a
 * failure half-way. The factory (stack-for.ts) picks the parts from the lab; suites only ask.
 */
import type { DatapathKind, DutKind, GeneratorKind } from '../../../lab/schema.ts';
import type { Measure, TrafficProfile, TrialResult, TrialSpec } from '../../../method/trial.ts';
import type { GeneratorSession } from '../../loadgen/traffic-generator.ts';
import type { Capabilities, CapabilityName } from '../capabilities.ts';
import type { RunningDatapath, Unavailable } from '../datapath.ts';

/** Where a link speed came from (the negotiated speed wins; the catalogue is the documented last resort). */
export type SpeedSource = 'inventory' | 'node' | 'catalogue';

/** One generator port's link, as the max load counts it. */
export interface LinkRate {
  /** Generator port name (p0, p1). */
  readonly port: string;
  readonly speedGbps: number;
  readonly source: SpeedSource;
  /** How the speed was found: "/sys/class/net/ens1f0/speed on tg", "inventory tg.p0", "catalogue x710". */
  readonly detail: string;
}

/** The most load worth offering for a profile, and why it is that much. */
export type MaxOfferedLoad =
  | {
      readonly basis: 'line-rate';
      /** Aggregate over the transmitting ports. */
      readonly loadPps: number;
      /** One port's layer-1 rate (records' lineRateBps); the slowest port's when they differ. */
      readonly lineRateBps: number;
      readonly links: readonly LinkRate[];
    }
  | {
      readonly basis: 'generator-ceiling';
      /** What the generator itself delivers over a loop with no DUT, measured in this run. */
      readonly loadPps: number;
      /** The self-test trial behind it (the measure engineer records it). */
      readonly selfTest: GeneratorCeiling;
    };

/** The generator's own ceiling for one profile, measured by its self-test. */
export interface GeneratorCeiling {
  readonly generator: string;
  readonly profile: TrafficProfile;
  readonly ceilingPps: number;
  readonly trial: TrialResult;
  /** The loopback trial at a low load with every packet stamped: the tester's latency bias. */
  readonly biasTrial?: TrialResult;
}

/** A running stack: use it, then release it (or `await using`). */
export interface RunningStack extends AsyncDisposable {
  readonly datapath: DatapathKind;
  readonly dutKind: DutKind;
  readonly generatorKind: GeneratorKind;
  /** The running datapath with its DUT (ports, DUT info, log, liveness). */
  readonly running: RunningDatapath;
  readonly generator: GeneratorSession;
  /** Optional operations; an absent member is unavailable, `whyNot` says why. */
  readonly capabilities: Capabilities;
  whyNot(name: CapabilityName): string;
  /** The most load worth offering for `profile` (line rate on hardware, generator ceiling on virtual ports). */
  maxOfferedLoad(profile: TrafficProfile): Promise<MaxOfferedLoad>;
  /** One trial through the generator while the DUT is watched (a DUT death is a MeasurementError). */
  measure(trial: TrialSpec, signal?: AbortSignal): Promise<TrialResult>;
  /** A Measure for the search algorithms, profile/flows/direction fixed, DUT watched. */
  measurer(base: Omit<TrialSpec, 'loadPps' | 'durationS'>): Measure;
  /** Tear down generator, DUT, datapath; every step runs, all failures reported. Idempotent. */
  release(): Promise<void>;
}

/** A stack that can be brought up, or says why it cannot on this lab. */
export interface Stack {
  readonly datapath: DatapathKind;
  readonly dutKind: DutKind;
  readonly generatorKind: GeneratorKind;
  /** Why this lab cannot run it (the skip reason), or null. Checked before up(). */
  availability(): Promise<Unavailable>;
  up(signal?: AbortSignal): Promise<RunningStack>;
}
