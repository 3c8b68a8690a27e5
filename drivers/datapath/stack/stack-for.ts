/**
 * The stack factory (DTS's traffic-generator factory is the model): given a loaded lab, a datapath kind,
 * a DUT kind and a generator kind, the Stack that brings all of it up. The lab kind picks the branch;
 * each branch picks its parts from the DUT and generator tables (duts.ts, generators.ts).
 */
import { formatCpuList } from '../../../lab/cpu-list.ts';
import type { Lab } from '../../../lab/model.ts';
import { ProvisionError } from '../../../core/errors.ts';
import { baremetalStack } from './baremetal.ts';
import { kubernetesStack } from './kubernetes.ts';
import { localStack } from './local.ts';
import type { StackRequest } from './request.ts';
import type { Stack } from './stack.ts';

/** The Stack for a request on its lab. */
export function stackFor(req: StackRequest): Stack {
  const gap = dutCoresGap(req);
  if (gap !== null) return unavailableStack(req, gap);
  const kind: Lab['kind'] = req.lab.kind;
  switch (kind) {
    case 'local':
      return localStack(req);
    case 'baremetal':
      return baremetalStack(req);
    case 'kubernetes':
      return kubernetesStack(req);
  }
}

/**
 * Why the request's DUT core count cannot run on its lab, or null. Bare metal judges its own (CPUs of the
 * DUT node, SMT siblings, the ports' RSS); the local lab and pods cannot spread flows over queues.
 */
function dutCoresGap(req: StackRequest): string | null {
  const cores = req.dutCores ?? 1;
  if (cores === 1 || req.lab.kind === 'baremetal') return null;
  if (req.lab.kind === 'kubernetes') return `${cores} DUT cores: the DUT pods of a Kubernetes lab run on one lcore (no multi-queue pod interfaces yet)`;
  const dutCpus = req.lab.nodesWithRole('dut').flatMap((n) => n.cpus.dut);
  if (dutCpus.length < cores) {
    return `${cores} DUT cores need ${cores} DUT CPUs: lab '${req.lab.name}' gives the DUT ${dutCpus.length} (cpus.dut ${formatCpuList(dutCpus) || 'empty'}; the generator polls on the others)`;
  }
  return `${cores} DUT cores need RSS to spread flows over ${cores} queues per port: the virtual ports of lab '${req.lab.name}' (memif, vhost-user, virtio_user) have none`;
}

function unavailableStack(req: StackRequest, reason: string): Stack {
  return {
    datapath: req.datapath,
    dutKind: req.dut,
    generatorKind: req.generator,
    availability: async () => ({ reason }),
    up: async () => {
      throw new ProvisionError(`the ${req.datapath} stack cannot start: ${reason}`, { where: `lab ${req.lab.name}`, hint: 'run the multi-core cells on a bare-metal lab' });
    },
  };
}
