/**
 * A DPDK workload running as a pod: deployed, Ready, its devices read from network-status, its lcores from
 * the container's cpuset, and the command line it runs (EAL arguments built from what the cluster gave).
 * The pod-exec Shell lets the bare-metal drivers start the application inside it.
 */
import { ProvisionError } from '../../../core/errors.ts';
import { parseCpuList } from '../../../lab/cpu-list.ts';
import type { Shell } from '../../shell/shell.ts';
import type { Cluster } from '../cluster.ts';
import { networkStatusPresent, podReady } from '../conditions.ts';
import { refOf, type KubeObject } from '../kube-object.ts';
import { parseNetworkStatus } from '../network-status.ts';
import { podDevices, podEal, type PodDevice, type PodEal } from '../pod-devices.ts';
import { podShell } from '../pod-shell.ts';
import { MIN_CPUS, parseWorkloadSpec, workloadPod, type ParsedWorkloadSpec, type WorkloadSpec } from './pod-spec.ts';
import { parseUserspaceConfig } from '../userspace-config.ts';
import { appArgv } from './app-argv.ts';

export interface RunningWorkload {
  readonly spec: ParsedWorkloadSpec;
  readonly pod: KubeObject;
  readonly shell: Shell;
  readonly devices: readonly PodDevice[];
  /** CPUs the container may use (exclusive under the static CPU manager). */
  readonly cpus: readonly number[];
  readonly eal: PodEal;
  /** The full command line the workload runs (VPP: its startup.conf dpdk stanza and memif CLI instead). */
  readonly command: readonly string[];
  down(): Promise<void>;
}

export interface DeployOptions {
  runId: string;
  timeoutMs?: number;
  memoryMb?: number;
  /** virtio_user ring depth for vhost-user ports (default 1024). */
  queueSize?: number;
}

/** Create the pod, wait Ready and for network-status, and derive its devices and EAL arguments. */
export async function deployWorkload(cluster: Cluster, input: WorkloadSpec, opts: DeployOptions): Promise<RunningWorkload> {
  const spec = parseWorkloadSpec(input);
  const ns = cluster.namespace;
  const timeoutMs = opts.timeoutMs ?? 180_000;
  const obj = workloadPod(spec, ns);
  await cluster.apply(obj);
  const ref = refOf(obj);
  await cluster.waitFor(ref, podReady, timeoutMs);
  const pod = (await cluster.waitFor(ref, networkStatusPresent, timeoutMs)) ?? obj;
  const status = parseNetworkStatus(pod);
  const devices = podDevices(`${ns}/${spec.name}`, status, spec.networks.map((n) => ({ network: `${n.namespace ?? ns}/${n.nad}`, ...(n.interface ? { interface: n.interface } : {}), expect: n.expect })), parseUserspaceConfig(pod));
  const shell = podShell(cluster, ns, spec.name, spec.role);
  const cpus = await containerCpus(shell);
  if (cpus.length < MIN_CPUS[spec.role]) throw new ProvisionError(`the container has ${cpus.length} CPU(s) (${cpus.join(',')}); ${spec.role} needs ${MIN_CPUS[spec.role]}`, { where: `pod ${ns}/${spec.name}`, hint: `request at least ${MIN_CPUS[spec.role]} CPUs` });
  const usable = cpus.slice(0, spec.cpus);
  const eal = podEal(devices, { filePrefix: `wsp-${opts.runId}-${spec.name}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64), lcores: usable, memoryMb: opts.memoryMb ?? Math.min(spec.hugepages.amountMi, 1024), ...(opts.queueSize === undefined ? {} : { queueSize: opts.queueSize }) });
  const command = appArgv(spec.role, eal, usable.length);
  return {
    spec,
    pod,
    shell,
    devices,
    cpus,
    eal,
    command,
    async down() {
      if (cluster.owns(ref)) await cluster.deleteAndWait(ref, timeoutMs);
    },
  };
}

/** The container's CPUs from its cgroup (v2, then v1), which the static CPU manager pins. */
async function containerCpus(shell: Shell): Promise<number[]> {
  const r = await shell.exec({ script: 'cat /sys/fs/cgroup/cpuset.cpus.effective 2>/dev/null || cat /sys/fs/cgroup/cpuset/cpuset.cpus' }, { timeoutMs: 30_000 });
  if (r.exitCode !== 0) throw new ProvisionError(`cannot read the container's cpuset: ${r.stderr.trim() || `exit ${r.exitCode}`}`, { where: shell.name });
  return parseCpuList(r.stdout.trim());
}
