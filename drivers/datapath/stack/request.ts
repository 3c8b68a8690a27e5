/** What the stack factory needs to bring up a stack on a lab. */
import type { Lab } from '../../../lab/model.ts';
import type { DatapathKind, DutKind, GeneratorKind } from '../../../lab/schema.ts';
import type { ClusterSession } from '../../kubernetes/cluster-session.ts';
import type { DpdkRuntime } from '../../dpdk/runtime.ts';
import type { HostPaths } from '../../host/host-paths.ts';
import type { NodeShells } from '../../shell/node-shells.ts';
import type { Shell } from '../../shell/shell.ts';

export interface StackRequest {
  readonly lab: Lab;
  /** The lab nodes' shells (bare metal: provisioning, the DUT and pktgen run through them). */
  readonly shells: NodeShells;
  readonly datapath: DatapathKind;
  readonly dut: DutKind;
  readonly generator: GeneratorKind;
  /**
   * DUT polling cores (default 1), one lcore per physical core with as many RSS queues per port (CSIT's
   * `2t2c`, `4t4c`). Bare metal runs them on l3fwd; elsewhere the stack is unavailable with the reason.
   */
  readonly dutCores?: number;
  /**
   * The run's flows per direction (`--flows`, default 1): a generator that fixes its traffic at start
   * prepares for them (pktgen writes its IMIX pcap with one UDP source port per flow).
   */
  readonly flows?: number;
  readonly runId: string;
  /** The run's directory on this machine (sockets, the DPDK runtime dir, the generator ceiling). */
  readonly runDir: string;
  /** Shell of this machine (the local lab's processes and namespaces go through it). */
  readonly shell: Shell;
  /** The run's DPDK runtime, shared by DUT and generator (prefixes, runtime dir, cleanup). */
  readonly runtime: DpdkRuntime;
  /** Bare metal: sysfs/proc of a node (tests point this at a fake tree); default /sys and /proc. */
  readonly hostPaths?: (node: string) => HostPaths;
  /** Local lab: force the core count and the vswitch CPU (tests of vhost-user-ovs on 2 cores). */
  readonly local?: { readonly cpuCount?: number; readonly vswitchCpu?: number };
  /** Kubernetes labs: the worker's session with the cluster (connected on first call, shared, released by the stack). */
  readonly cluster?: () => Promise<ClusterSession>;
}
