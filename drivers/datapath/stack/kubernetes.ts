/**
 * Stacks on Kubernetes labs: the seam a pod-backed stack plugs into. A pod backend deploys the datapath's
 * network stack (drivers/kubernetes/stack) and the generator and DUT workloads, and hands back the same
 * parts a host stack has: a RunningDatapath whose DUT lives in a pod (ports, info, log, liveness), a
 * GeneratorSession driving the generator pod, the links' speeds (SR-IOV/vDPA: line rate) or a generator
 * self-test (userspace CNI: virtual ports), and what it can do (a pod delete). Until one is registered
 * here, traffic scenarios on a Kubernetes lab are unavailable with the true reason.
 */
import type { TrafficProfile } from '../../../method/trial.ts';
import type { GeneratorSession } from '../../loadgen/traffic-generator.ts';
import type { Capabilities, CapabilityGaps } from '../capabilities.ts';
import type { RunningDatapath, Unavailable } from '../datapath.ts';
import { podStackBackend } from '../kubernetes/pod-backend.ts';
import { ProvisionError } from '../../../core/errors.ts';
import { stackOf } from './assemble.ts';
import { ceilingLoad, lineRateLoad } from './max-load.ts';
import type { StackRequest } from './request.ts';
import type { GeneratorCeiling, LinkRate, Stack } from './stack.ts';

/** What a pod-backed stack provides once its pods run. */
export interface PodStack {
  /** The DUT pod's side: ports the generator pod attaches to, DUT info/log/liveness, down() removes what it deployed. */
  readonly running: RunningDatapath;
  /** A session on the generator pod (EAL starts once). */
  readonly generator: GeneratorSession;
  /** Physical links (SR-IOV, vDPA): their negotiated speeds; the max load is then their line rate. */
  readonly links?: readonly LinkRate[];
  /** Virtual ports (userspace CNI): the generator's ceiling in its pod, per profile. */
  selfTest?(profile: TrafficProfile): Promise<GeneratorCeiling>;
  /** Pod delete and the like, on top of the datapath's. */
  readonly capabilities?: Capabilities;
  readonly gaps?: CapabilityGaps;
}

/** A way to run stacks in pods (the kube work fills one in and registers it in POD_BACKEND). */
export interface PodStackBackend {
  availability(req: StackRequest): Promise<Unavailable>;
  up(req: StackRequest, signal?: AbortSignal): Promise<PodStack>;
}

/** The registered pod backend: DUT and generator in pods (drivers/datapath/kubernetes). */
const POD_BACKEND: PodStackBackend | undefined = podStackBackend;

/** Why a Kubernetes lab runs no traffic stack while no pod backend is registered. */
export const NO_POD_BACKEND =
  'traffic on a Kubernetes lab needs the generator and the DUT running in pods, and no pod backend runs them yet ' +
  '(the fake cluster schedules pods but runs no processes in them); suites/kubernetes/ covers the deployment itself';

/** The Kubernetes lab's stack for a request. */
export function kubernetesStack(req: StackRequest, backend: PodStackBackend | undefined = POD_BACKEND): Stack {
  const availability = async (): Promise<Unavailable> => (backend ? backend.availability(req) : { reason: NO_POD_BACKEND });
  return stackOf(req, {
    availability,
    where: `Kubernetes lab ${req.lab.name}`,
    placement: 'in pods',
    async start(teardown, signal) {
      if (!backend) throw new ProvisionError(NO_POD_BACKEND, { where: `Kubernetes lab ${req.lab.name}` });
      const pods = await backend.up(req, signal);
      teardown.add(`datapath ${req.datapath}`, () => pods.running.down());
      teardown.add(`generator ${req.generator}`, () => pods.generator.close());
      return {
        running: pods.running,
        generator: pods.generator,
        ...(pods.capabilities === undefined ? {} : { capabilities: pods.capabilities }),
        ...(pods.gaps === undefined ? {} : { gaps: pods.gaps }),
        maxOfferedLoad: async (profile) => {
          if (pods.links && pods.links.length > 0) return lineRateLoad(pods.links, profile);
          if (!pods.selfTest) {
            throw new ProvisionError(`the pod stack for ${req.datapath} has neither link speeds nor a generator self-test`, {
              where: `Kubernetes lab ${req.lab.name}`,
              hint: 'the pod backend must return links (SR-IOV, vDPA) or a selfTest (virtual ports)',
            });
          }
          return ceilingLoad(await pods.selfTest(profile));
        },
      };
    },
  });
}
