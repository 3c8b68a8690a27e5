/**
 * Userspace CNI (driver-formats.md §7.4; intel/userspace-cni-network-plugin): a node DaemonSet copies the
 * `userspace` binary into /opt/cni/bin; NADs of type userspace put a pod's vhost-user or memif socket into
 * the pod's `shared-dir` volume and connect the host end to the node's vswitch (OVS-DPDK bridge or VPP
 * bridge-domain). With a kubeconfig in the NAD the CNI reads the pod's volumes through the API and writes
 * the container side of each attachment into the pod annotation `userspace/configuration-data` (its
 * socket file, vhost mode or memif role) and the socket directory as the container sees it into
 * `userspace/mapped-dir`. It writes no device-info into network-status.
 */
import { COMPONENT_IDS, component, type ComponentSources, type StackComponent } from './component.ts';
import { nad, type Ipam } from './nad.ts';

/** Where Multus keeps the kubeconfig delegates use (the path upstream's examples give the CNI). */
export const MULTUS_KUBECONFIG = '/etc/cni/net.d/multus.d/multus.kubeconfig';

export interface UserspaceNadOptions {
  ipam?: Ipam;
  /** The kubeconfig the CNI uses to read the pod and write its annotations (default: Multus's). */
  kubeconfig?: string;
}

export interface UserspaceCniStack extends StackComponent {
  /** OVS-DPDK vhost-user port on bridge `bridge`: OVS is the vhost client, the pod's side the server. */
  ovsVhostUser(ns: string, name: string, bridge: string, opts?: UserspaceNadOptions): ReturnType<typeof nad>;
  /** VPP memif in bridge-domain `bridgeDomain`: VPP on the host is master, the pod slave. */
  vppMemif(ns: string, name: string, bridgeDomain: number, opts?: UserspaceNadOptions): ReturnType<typeof nad>;
}

export function userspaceCni(sources: ComponentSources, opts: { timeoutMs?: number } = {}): UserspaceCniStack {
  const c = component(COMPONENT_IDS['userspace-cni'], sources, opts);
  return {
    ...c,
    up: (cluster) => c.up(cluster),
    down: (cluster) => c.down(cluster),
    ovsVhostUser(ns, name, bridge, o = {}) {
      return nad(ns, name, {
        type: 'userspace',
        kubeconfig: o.kubeconfig ?? MULTUS_KUBECONFIG,
        host: { engine: 'ovs-dpdk', iftype: 'vhostuser', netType: 'bridge', vhost: { mode: 'client' }, bridge: { bridgeName: bridge } },
        container: { engine: 'ovs-dpdk', iftype: 'vhostuser', netType: 'interface', vhost: { mode: 'server' } },
        ipam: o.ipam ?? {},
      });
    },
    vppMemif(ns, name, bridgeDomain, o = {}) {
      return nad(ns, name, {
        type: 'userspace',
        kubeconfig: o.kubeconfig ?? MULTUS_KUBECONFIG,
        host: { engine: 'vpp', iftype: 'memif', netType: 'bridge', memif: { role: 'master', mode: 'ethernet' }, bridge: { bridgeName: String(bridgeDomain) } },
        container: { engine: 'vpp', iftype: 'memif', netType: 'interface', memif: { role: 'slave', mode: 'ethernet' } },
        ipam: o.ipam ?? {},
      });
    },
  };
}
