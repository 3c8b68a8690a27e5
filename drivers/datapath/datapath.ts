/**
 * A datapath is the stack between generator and DUT: vhost-user, memif, veth on the local lab;
 * SR-IOV, vDPA, OVS-DPDK/VPP on hardware labs; the same through Kubernetes. Lifecycles are types:
 * only a running datapath exposes endpoints (testcontainers-node).
 */
import type { DatapathKind } from '../../lab/schema.ts';
import type { GeneratorPort } from '../loadgen/traffic-generator.ts';

/** A capability a lab must have for a scenario: 'sriov', 'vdpa', 'cores>=3', 'two-links', ... */
export type Capability = string;

/** Why a datapath cannot run on this lab, or null when it can. */
export type Unavailable = { readonly reason: string } | null;

export interface DutInfo {
  /** l3fwd, testpmd-io, testpmd-macswap, vpp, ovs-dpdk */
  readonly kind: string;
  readonly version: string;
  /** PID of the DUT process on its node, for failover injection. */
  readonly pid?: number;
}

export interface RunningDatapath extends AsyncDisposable {
  readonly kind: DatapathKind;
  /** Ports the generator attaches to, in topology order (p0, p1). */
  readonly generatorPorts: readonly GeneratorPort[];
  readonly dut: DutInfo;
  /** Last lines of the DUT's output, for failure reports. */
  dutLog(): string;
  /** Tear down: processes, sockets, namespaces, hugepage files. Idempotent. */
  down(): Promise<void>;
}

export interface Datapath {
  readonly kind: DatapathKind;
  /** Can this lab run it? Checked before up(); the reason becomes the skip reason. */
  availability(): Promise<Unavailable>;
  up(signal?: AbortSignal): Promise<RunningDatapath>;
}
