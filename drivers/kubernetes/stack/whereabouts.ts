/** whereabouts IPAM: cluster-wide address allocation for secondary networks (its CRDs and node DaemonSet). */
import { component, type ComponentSources, type StackComponent } from './component.ts';

export function whereaboutsIpam(sources: ComponentSources, opts: { timeoutMs?: number } = {}): StackComponent {
  return component(
    { key: 'whereabouts', title: 'whereabouts IPAM', image: /\/whereabouts[:@]/, workload: 'DaemonSet', crds: ['ippools.whereabouts.cni.cncf.io', 'overlappingrangeipreservations.whereabouts.cni.cncf.io'] },
    sources,
    opts,
  );
}
