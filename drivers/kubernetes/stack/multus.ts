/**
 * Multus CNI (thick plugin): a DaemonSet running the multus-cni image on every node, serving the
 * NetworkAttachmentDefinition CRD. Pre-installed on most clusters; installed from the lab's release manifests
 * (upstream `deployments/multus-daemonset-thick.yml` of the pinned version) otherwise.
 */
import { COMPONENT_IDS, component, type ComponentSources, type StackComponent } from './component.ts';

export const NAD_CRD_NAME = 'network-attachment-definitions.k8s.cni.cncf.io';

export function multus(sources: ComponentSources, opts: { timeoutMs?: number } = {}): StackComponent {
  return component({ ...COMPONENT_IDS.multus, crds: [NAD_CRD_NAME] }, sources, opts);
}
