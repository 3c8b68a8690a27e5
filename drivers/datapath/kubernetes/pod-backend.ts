/**
 * The stack factory's pod backend (drivers/datapath/stack/kubernetes.ts): on a Kubernetes lab the DUT and the
 * generator run in pods of the lab's cluster (kubernetes-datapath.ts). The max load of the userspace-CNI ports
 * (virtual, no line rate) is the generator's self-test in its pod, measured once per run and profile.
 */
import type { DatapathKind, DutKind, GeneratorKind } from '../../../lab/schema.ts';
import { cachedCeiling } from '../stack/ceiling-cache.ts';
import type { PodStack, PodStackBackend } from '../stack/kubernetes.ts';
import type { StackRequest } from '../stack/request.ts';
import { kubernetesDatapath, podDatapathUnavailable } from './kubernetes-datapath.ts';

/** Why this backend cannot run a datapath × DUT × generator in pods, or null. */
export function podStackUnavailable(datapath: DatapathKind, dut: DutKind, generator: GeneratorKind): string | null {
  const why = podDatapathUnavailable(datapath);
  if (why) return why;
  if (dut !== 'l3fwd') return `the DUT pod runs l3fwd (drivers/kubernetes/scenario.ts); ${dut} in a pod is not wired yet`;
  if (generator !== 'wsp-gen') return `${datapath} through pods runs wirespeed's generator (wsp-gen) in its pod; ${generator} in a pod is not wired yet`;
  return null;
}

export const podStackBackend: PodStackBackend = {
  async availability(req: StackRequest) {
    const why = podStackUnavailable(req.datapath, req.dut, req.generator);
    if (why) return { reason: why };
    if (!req.cluster) return { reason: `no session with the cluster of lab ${req.lab.name} was given to the stack (StackRequest.cluster)` };
    return null;
  },
  async up(req: StackRequest, signal?: AbortSignal): Promise<PodStack> {
    const session = req.cluster;
    if (!session) throw new Error(`no session with the cluster of lab ${req.lab.name} (StackRequest.cluster)`);
    const running = await kubernetesDatapath(req.datapath, {
      session,
      runId: req.runId,
      // A shared 2-core host deschedules DUT and generator for tens of ms: wait longer for packets still in
      // flight at the end of a window (as the local lab's wsp-gen does).
      tuning: { drainMs: 1000, quietMs: 250 },
    }).up(signal);
    try {
      const generator = await running.openGenerator();
      return {
        running,
        generator,
        selfTest: (profile) =>
          cachedCeiling({ runDir: req.runDir, generator: `${req.generator}-pod`, profile, cpus: running.generator?.cpus ?? [] }, () => running.generatorSelfTest(profile)),
      };
    } catch (err) {
      await running.down().catch(() => undefined);
      throw err;
    }
  },
};
