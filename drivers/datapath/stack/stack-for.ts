/**
 * The stack factory (DTS's traffic-generator factory is the model): given a loaded lab, a datapath kind,
 * a DUT kind and a generator kind, the Stack that brings all of it up. The lab kind picks the branch;
 * each branch picks its parts from the DUT and generator tables (duts.ts, generators.ts).
 */
import type { Lab } from '../../../lab/model.ts';
import { baremetalStack } from './baremetal.ts';
import { kubernetesStack } from './kubernetes.ts';
import { localStack } from './local.ts';
import type { StackRequest } from './request.ts';
import type { Stack } from './stack.ts';

/** The Stack for a request on its lab. */
export function stackFor(req: StackRequest): Stack {
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
