/**
 * A traffic generator: pktgen-dpdk on hardware labs, our own DPDK generator on the local lab.
 * A session is opened once (EAL starts once) and runs many trials.
 */
import type { Measure, TrafficProfile, TrialResult, TrialSpec } from '../../method/trial.ts';

/** Where the generator attaches: a PCI device (VF/PF), or a DPDK vdev string (virtio_user, memif, af_xdp ...). */
export type GeneratorPort =
  | { readonly kind: 'pci'; readonly name: string; readonly pci: string; readonly mac?: string }
  | { readonly kind: 'vdev'; readonly name: string; readonly vdev: string; readonly mac?: string };

export interface GeneratorInfo {
  readonly name: string;
  readonly version: string;
  /** The tester's own ceiling measured by a self-test (CSIT reports it with every run), if known. */
  readonly ceilingPps?: number;
}

/** What a scenario asks of a generator beyond a load: a traffic profile, a latency stream. */
export interface GeneratorNeed {
  readonly profile: TrafficProfile;
  /** Flows per direction, where the scenario fixes them. */
  readonly flows?: number;
  readonly latency?: TrialSpec['latency'];
}

export interface GeneratorSession extends AsyncDisposable {
  readonly info: GeneratorInfo;
  /**
   * Why this generator cannot serve `need` (the scenario is skipped with that reason), or null. Absent:
   * it serves every profile and latency mode.
   */
  whyNot?(need: GeneratorNeed): string | null;
  /** Run one trial; throws MeasurementError when the figures cannot be trusted. */
  measure(trial: TrialSpec, signal?: AbortSignal): Promise<TrialResult>;
  /**
   * A trial whose counted window closes when `end` fires, or after `trial.durationS` if that comes first;
   * the result is that of a trial asked for the shortened window. Generators that cannot end a window
   * early leave it out (failover then counts a fixed window).
   */
  measureUntil?(trial: TrialSpec, end: AbortSignal, signal?: AbortSignal): Promise<TrialResult>;
  /**
   * A trial that calls `opened` when its counted window opens, for generators whose window opens long
   * after the call (pktgen rebuilds its packet pools on start): failover times its event from it.
   */
  measureOpened?(trial: TrialSpec, opened: () => void, signal?: AbortSignal): Promise<TrialResult>;
  /** A Measure for the search algorithms, with profile, flows, direction fixed. */
  measurer(base: Omit<TrialSpec, 'loadPps' | 'durationS'>): Measure;
  close(): Promise<void>;
}
