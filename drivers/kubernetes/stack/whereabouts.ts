/** whereabouts IPAM: cluster-wide address allocation for secondary networks (its CRDs and node DaemonSet). */
import { COMPONENT_IDS, component, type ComponentSources, type StackComponent } from './component.ts';

export function whereaboutsIpam(sources: ComponentSources, opts: { timeoutMs?: number } = {}): StackComponent {
  return component(
    { ...COMPONENT_IDS.whereabouts, crds: ['ippools.whereabouts.cni.cncf.io', 'overlappingrangeipreservations.whereabouts.cni.cncf.io'] },
    sources,
    opts,
  );
}
