/**
 * A datapath through a Kubernetes cluster: the scenario's namespace, stack and pods (drivers/kubernetes/
 * scenario.ts), then the DUT (l3fwd) started in its pod and wirespeed's generator in its pod, both through the
 * pod exec shell, with the EAL arguments taken from what the cluster gave each pod (the userspace CNI's socket
 * paths, network-status). Beyond the common parts it offers the `deletePod` capability (failover: the DUT pod
 * deleted under load; a replacement deployed, Ready, networks re-attached, l3fwd started in it), the generator
 * session in its pod, and the generator's self-test in its pod (the max load of virtual ports).
 *
 * Runs today: vhost-user through the userspace CNI. SR-IOV and vDPA need pktgen in a pod against real VFs;
 * memif needs a vswitch on the node that relays memif — both are refused with that reason.
 */
import { ProvisionError } from '../../../core/errors.ts';
import type { DatapathKind } from '../../../lab/schema.ts';
import type { Nic } from '../../../lab/model.ts';
import type { TrafficProfile } from '../../../method/trial.ts';
import { createDpdkRuntime, type DpdkRuntime } from '../../dpdk/runtime.ts';
import { startL3fwd, type RunningL3fwd } from '../../dpdk/l3fwd.ts';
import { openLocalGenerator, type LocalGeneratorSession } from '../../loadgen/local-generator.ts';
import { generatorSelfTest } from '../../loadgen/self-test.ts';
import type { GeneratorPort, GeneratorSession } from '../../loadgen/traffic-generator.ts';
import type { TrialTuning } from '../../loadgen/local-generator-protocol.ts';
import type { Cluster } from '../../kubernetes/cluster.ts';
import type { ClusterSession } from '../../kubernetes/cluster-session.ts';
import { field, refOf } from '../../kubernetes/kube-object.ts';
import { deployScenario, IMAGES, unsupported, type Deployed } from '../../kubernetes/scenario.ts';
import { probeNewPod, restartDevicePlugin } from '../../kubernetes/device-plugin-restart.ts';
import { MAY_RESTART_DEVICE_PLUGIN } from '../../../lab/schema.ts';
import { deployWorkload, type RunningWorkload } from '../../kubernetes/workloads/workload.ts';
import type { Capabilities, DevicePluginRestarted, PodDeleteOutcome } from '../capabilities.ts';
import { withPodDiagnostics } from './pod-diagnostics.ts';
import type { RunningDatapath, Unavailable } from '../datapath.ts';
import type { GeneratorCeiling } from '../stack/stack.ts';

/** virtio_user ring depth: 4096 rides out a poller descheduled for milliseconds (docs/local-lab.md). */
export const POD_QUEUE_SIZE = 4096;
/** Where the DPDK processes of a pod keep their runtime files (the pod's own /tmp). */
const POD_RUN_DIR = '/tmp/wirespeed';

export interface KubernetesDatapathOptions {
  /** The cluster session; released when the datapath is down (the last release ends it). */
  readonly session: () => Promise<ClusterSession>;
  readonly runId: string;
  readonly nic?: Nic;
  /** Hugepage memory of each DPDK process, MB (default 256). */
  readonly memoryMb?: number;
  /** Pod deploy timeout (default 180 s). */
  readonly timeoutMs?: number;
  /** Generator pacing and drain tuning. */
  readonly tuning?: TrialTuning;
}

export interface KubernetesRunningDatapath extends RunningDatapath {
  /** The deployment: stack lines, workloads with devices and EAL arguments (for reports). */
  readonly deployment: Deployed;
  /** The generator runs in its pod: a session there (EAL starts once). */
  openGenerator(): Promise<GeneratorSession>;
  /** The generator's ceiling in its pod (a memif loop, no DUT): the max load of virtual ports. */
  generatorSelfTest(profile: TrafficProfile): Promise<GeneratorCeiling>;
  /** Delete the DUT pod under load and bring a replacement up with l3fwd in it. */
  deletePod(): Promise<PodDeleteOutcome>;
  /** Restart the device plugin on the DUT node (only where the inventory allows it), then a new pod gets a device. */
  restartDevicePlugin(): Promise<DevicePluginRestarted>;
}

/** Why a datapath carries no packets through pods, or null for the one that does (vhost-user). */
export function podDatapathUnavailable(kind: DatapathKind, nic?: Nic): string | null {
  if (kind !== 'sriov' && kind !== 'vdpa' && kind !== 'memif') return unsupported(kind, nic);
  return `${kind} through pods needs ${kind === 'memif' ? 'a vswitch on the node that relays memif (the fake cluster relays vhost-user only)' : 'pktgen in a pod against real VFs'}: the Kubernetes suites (suites/kubernetes/) deploy it and check the orchestration`;
}

/** The datapath of a kind on a Kubernetes lab. */
export function kubernetesDatapath(kind: DatapathKind, opts: KubernetesDatapathOptions): { kind: DatapathKind; availability(): Promise<Unavailable>; up(signal?: AbortSignal): Promise<KubernetesRunningDatapath> } {
  const where = `kubernetes datapath ${kind}`;
  const availability = async (): Promise<Unavailable> => {
    const why = podDatapathUnavailable(kind, opts.nic);
    return why ? { reason: why } : null;
  };
  return {
    kind,
    availability,
    async up(signal?: AbortSignal): Promise<KubernetesRunningDatapath> {
      const why = await availability();
      if (why) throw new ProvisionError(`${kind} cannot start: ${why.reason}`, { where });
      const session = await opts.session();
      const { cluster } = session;
      const steps: { what: string; fn: () => Promise<unknown> }[] = [{ what: 'cluster session', fn: () => session.release() }];
      const undo = async () => {
        const failures: string[] = [];
        for (const s of [...steps].reverse()) await s.fn().catch((e: unknown) => failures.push(`${s.what}: ${(e as Error).message.split('\n')[0]}`));
        steps.length = 0;
        if (failures.length) throw new ProvisionError(`teardown left things behind:\n  ${failures.join('\n  ')}`, { where });
      };
      try {
        const deployment = await deployScenario(cluster, session.sources, { datapath: kind, ...(opts.nic ? { nic: opts.nic } : {}), runId: opts.runId, pageSize: session.pageSize, queueSize: POD_QUEUE_SIZE });
        steps.push({ what: 'pods', fn: () => Promise.all(deployment.workloads.map((w) => w.down())) });
        session.deployments.set(kind, deployment);
        steps.push({ what: 'deployment record', fn: async () => session.deployments.delete(kind) });
        signal?.throwIfAborted();
        const [dutPod, tgPod] = deployment.workloads as [RunningWorkload, RunningWorkload];
        let dut = await startDut(cluster, dutPod, opts);
        let dutWorkload = dutPod;
        steps.push({ what: 'l3fwd', fn: () => dut.proc.stop().then(() => dut.runtime.cleanup()) });
        const generatorPorts: GeneratorPort[] = tgPod.eal.vdevs.map((vdev, i) => ({ kind: 'vdev', name: `p${i}`, vdev }));
        const down = async () => undo();
        const rd: KubernetesRunningDatapath = {
          kind,
          deployment,
          generatorPorts,
          generator: { cpus: tgPod.cpus, singleFileSegments: true, ringSize: POD_QUEUE_SIZE, mbufs: 4 * POD_QUEUE_SIZE + 4095 },
          get dut() {
            return { kind: 'l3fwd', version: dut.proc.telemetry.banner.version, pid: dut.proc.pid };
          },
          get dutTelemetry() {
            return dut.proc.telemetry;
          },
          dutLog: () => dut.proc.log(),
          dutAlive: () => dut.proc.exited() === null,
          dutDeath: () => (dut.proc.exited() === null ? null : dut.proc.describeDeath()),
          capabilities: {
            deletePod: { deletePod: () => rd.deletePod() },
            ...(session.mayRestartDevicePlugin ? { restartDevicePlugin: { restartDevicePlugin: () => rd.restartDevicePlugin() } } : {}),
          } satisfies Capabilities,
          gaps: {
            ...(session.mayRestartDevicePlugin ? {} : { restartDevicePlugin: `the inventory names no device plugin the run may restart (${MAY_RESTART_DEVICE_PLUGIN}): restarting it deletes a pod wirespeed did not create` }),
            restartDut: 'in a pod the DUT is restarted by deleting its pod (the pod-delete event)',
            restartVswitch: "the node's vswitch belongs to the cluster, not to the run",
            flapLink: 'a userspace-CNI port has no kernel link to take down',
          },
          async openGenerator() {
            const tgRuntime = podRuntime(tgPod, opts.runId);
            const session: LocalGeneratorSession = await openLocalGenerator({
              shell: tgPod.shell,
              runtime: tgRuntime,
              binary: 'wsp-gen',
              ports: generatorPorts,
              cpus: tgPod.cpus,
              memoryMb: opts.memoryMb ?? 256,
              singleFileSegments: true,
              ringSize: POD_QUEUE_SIZE,
              mbufs: 4 * POD_QUEUE_SIZE + 4095,
              ...(opts.tuning ? { tuning: opts.tuning } : {}),
            });
            const close = session.close.bind(session);
            return Object.assign(session, {
              close: async () => {
                await close();
                await tgRuntime.cleanup();
              },
            });
          },
          async generatorSelfTest(profile) {
            // In the generator pod, on its CPU (the session there sleeps between trials), with its hugepages:
            // the session holds 256 MB of the pod's 512, the loop needs far less.
            const r = await generatorSelfTest({
              shell: tgPod.shell,
              runtime: podRuntime(tgPod, opts.runId),
              role: 'st',
              binary: 'wsp-gen',
              cpus: tgPod.cpus,
              memoryMb: 128,
              socketDir: `${POD_RUN_DIR}/${opts.runId}/st`,
              profiles: [profile],
            });
            const m = r.byProfile[0]!;
            return { generator: `wsp-gen ${r.version} (in pod ${tgPod.pod.metadata.name})`, profile, ceilingPps: m.ceilingPps, trial: m.trial };
          },
          async deletePod() {
            const t0 = Date.now();
            const s = (ms: number) => (ms - t0) / 1000;
            const ref = refOf(dutWorkload.pod);
            // The kubelet kills l3fwd with the pod: what is left of it here is its telemetry helper.
            await dut.proc.telemetry.close().catch(() => undefined);
            await cluster.deleteAndWait(ref, opts.timeoutMs ?? 180_000);
            const gone = Date.now();
            dutWorkload = await deployWorkload(cluster, dutWorkload.spec, { runId: opts.runId, queueSize: POD_QUEUE_SIZE, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
            const ready = Date.now();
            dut = await startDut(cluster, dutWorkload, opts);
            const fwd = Date.now();
            deployment.workloads[0] = dutWorkload;
            return { goneAfterS: s(gone), readyAfterS: s(ready), forwardingAfterS: s(fwd) };
          },
          async restartDevicePlugin() {
            const daemonSet = session.mayRestartDevicePlugin;
            if (!daemonSet) throw new ProvisionError(`no device plugin may be restarted: the inventory names none (${MAY_RESTART_DEVICE_PLUGIN})`, { where });
            const node = String(field(dutWorkload.pod, 'spec', 'nodeName') ?? '');
            const restart = await restartDevicePlugin(cluster, { daemonSet, node, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
            const probe = await probeNewPod(cluster, { node, resources: restart.resources, image: IMAGES.l3fwd, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
            return { restart, probe };
          },
          down,
          [Symbol.asyncDispose]: down,
        };
        return rd;
      } catch (err) {
        await undo().catch(() => undefined);
        throw err;
      }
    },
  };
}

/** A pod's DPDK runtime: prefixes named after the run, files in the pod's /tmp. */
function podRuntime(w: RunningWorkload, runId: string): DpdkRuntime {
  return createDpdkRuntime({ shell: w.shell, runId, runDir: `${POD_RUN_DIR}/${runId}` });
}

/** l3fwd in the DUT pod on its devices, polling on the pod's CPU. */
async function startDut(cluster: Cluster, w: RunningWorkload, opts: KubernetesDatapathOptions): Promise<{ proc: RunningL3fwd; runtime: DpdkRuntime }> {
  const runtime = podRuntime(w, opts.runId);
  const cpu = w.cpus[0];
  if (cpu === undefined) throw new ProvisionError('the DUT pod has no CPU', { where: `pod ${w.pod.metadata.namespace}/${w.pod.metadata.name}` });
  try {
    const proc = await startL3fwd({ shell: w.shell, runtime, cpu, vdevs: w.eal.vdevs, memoryMb: opts.memoryMb ?? 256, binary: 'dpdk-l3fwd' });
    return { proc, runtime };
  } catch (err) {
    throw await withPodDiagnostics(err, cluster, w);
  }
}
