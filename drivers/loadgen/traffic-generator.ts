/**
 * A traffic generator: pktgen-dpdk on hardware labs, our own DPDK generator on the local lab.
 * A session is opened once (EAL starts once) and runs many trials.
 */
import type { Measure, TrialResult, TrialSpec } from '../../method/trial.ts';

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

export interface GeneratorSession extends AsyncDisposable {
  readonly info: GeneratorInfo;
  /** Run one trial; throws MeasurementError when the figures cannot be trusted. */
  measure(trial: TrialSpec, signal?: AbortSignal): Promise<TrialResult>;
  /** A Measure for the search algorithms, with profile, flows, direction fixed. */
  measurer(base: Omit<TrialSpec, 'loadPps' | 'durationS'>): Measure;
  close(): Promise<void>;
}
