/**
 * NetworkAttachmentDefinitions (driver-formats.md §7.1): spec.config is a string of CNI JSON; SR-IOV NADs
 * carry the device pool in the resourceName annotation. IPAM blocks for host-local and whereabouts.
 */
import type { KubeObject } from '../kube-object.ts';

export const RESOURCE_NAME_ANNOTATION = 'k8s.v1.cni.cncf.io/resourceName';

export type Ipam =
  | { type: 'host-local'; subnet: string; rangeStart?: string; rangeEnd?: string; gateway?: string }
  | { type: 'whereabouts'; range: string; exclude?: string[] }
  | Record<string, never>;

/** host-local IPAM: addresses from a subnet, tracked per node. */
export function hostLocal(subnet: string, opts: { rangeStart?: string; rangeEnd?: string } = {}): Ipam {
  return { type: 'host-local', subnet, ...opts };
}

/** whereabouts IPAM: cluster-wide allocation from a range (needs the whereabouts component). */
export function whereabouts(range: string, exclude?: string[]): Ipam {
  return { type: 'whereabouts', range, ...(exclude ? { exclude } : {}) };
}

export function nad(namespace: string, name: string, config: Record<string, unknown>, resourceName?: string): KubeObject {
  return {
    apiVersion: 'k8s.cni.cncf.io/v1',
    kind: 'NetworkAttachmentDefinition',
    metadata: { name, namespace, ...(resourceName ? { annotations: { [RESOURCE_NAME_ANNOTATION]: resourceName } } : {}) },
    spec: { config: JSON.stringify({ cniVersion: '1.0.0', name, ...config }) },
  };
}
