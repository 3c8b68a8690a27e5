/**
 * A datapath is the stack between generator and DUT: vhost-user, memif, veth on the local lab;
 * SR-IOV, vDPA, OVS-DPDK/VPP on hardware labs; the same through Kubernetes. Lifecycles are types:
 * only a running datapath exposes endpoints (testcontainers-node).
 */
import type { DatapathKind } from '../../lab/schema.ts';
import type { DutTrialCounters } from '../../method/trial.ts';
import type { TelemetryClient } from '../dpdk/telemetry.ts';
import type { GeneratorPort } from '../loadgen/traffic-generator.ts';
import type { Capabilities, CapabilityGaps } from './capabilities.ts';

/** Why a datapath cannot run on this lab, or null when it can. */
export type Unavailable = { readonly reason: string } | null;

export interface DutInfo {
  /** l3fwd, testpmd-io, testpmd-macswap, vpp, ovs-dpdk */
  readonly kind: string;
  readonly version: string;
  /** PID of the DUT process on its node, for failover injection. */
  readonly pid?: number;
}

/** Where and how the generator must run to reach the datapath's ports. */
export interface GeneratorPlacement {
  /** Network namespace the generator runs in (veth: the generator side of the pairs). */
  readonly netns?: string;
  /** CPUs for the generator's polling lcores (the DUT polls on others). */
  readonly cpus?: readonly number[];
  /** EAL needs `--single-file-segments` (virtio_user shares its memory with the vhost side). */
  readonly singleFileSegments?: boolean;
  /**
   * Packet buffers the generator needs (its default 16383 fills only 4096-slot rings): deep rings hold
   * the receive slots it must fill plus everything in flight on the way out.
   */
  readonly mbufs?: number;
  /**
   * Descriptors per RX and TX queue (default 1024). virtio_user caps a queue at this many slots whatever
   * its queue_size, so a deep vhost-user ring needs both.
   */
  readonly ringSize?: number;
  /**
   * The generator must keep its ports open for the whole session and stop traffic before closing
   * (memif in DPDK 22.11 crashes the surviving peer when the other disconnects under traffic).
   */
  readonly keepConnected?: boolean;
}

export interface RunningDatapath extends AsyncDisposable {
  readonly kind: DatapathKind;
  /** Ports the generator attaches to, in topology order (p0, p1). */
  readonly generatorPorts: readonly GeneratorPort[];
  /** How the generator must be placed; absent: anywhere, no constraints. */
  readonly generator?: GeneratorPlacement;
  readonly dut: DutInfo;
  /** Last lines of the DUT's output, for failure reports. */
  dutLog(): string;
  /** Is the DUT process still running? (A trial on a dead DUT measures nothing.) */
  dutAlive(): boolean;
  /** Telemetry of a DPDK DUT (its port counters), where the DUT is a DPDK process on a reachable node. */
  readonly dutTelemetry?: TelemetryClient;
  /** How the DUT ended ("l3fwd (dut) exited (exit 139: segmentation fault)" + last lines), or null while it runs. */
  dutDeath(): string | null;
  /** Optional operations this datapath offers (restart DUT, restart vswitch, flap link); absent: none. */
  readonly capabilities?: Capabilities;
  /** Why it lacks the capabilities it lacks, where there is a reason worth telling. */
  readonly gaps?: CapabilityGaps;
  /** The DUT's own cumulative counters (drops by cause), where it reports them (VPP's stats segment). */
  dutCounters?(): Promise<DutTrialCounters>;
  /** Tear down: processes, sockets, namespaces, hugepage files. Idempotent. */
  down(): Promise<void>;
}

export interface Datapath {
  readonly kind: DatapathKind;
  /** Can this lab run it? Checked before up(); the reason becomes the skip reason. */
  availability(): Promise<Unavailable>;
  up(signal?: AbortSignal): Promise<RunningDatapath>;
}
