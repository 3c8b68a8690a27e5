/**
 * Userspace CNI (driver-formats.md §7.4): the installer DaemonSet and NADs for OVS-DPDK vhost-user (the
 * pod's DPDK app is the vhost server) and VPP memif (VPP on the host is master, the pod is slave).
 */
import type { Cluster } from '../cluster.ts';
import { daemonSetRolledOut } from '../conditions.ts';
import { refOf, type KubeObject } from '../kube-object.ts';
import { daemonSet, DEFAULT_TIMEOUT_MS, deleteAll, pinnedVersion, type StackComponent } from './component.ts';
import { nad, type Ipam } from './nad.ts';

export interface UserspaceCniStack extends StackComponent {
  /** OVS-DPDK vhost-user port on bridge `bridge`, pod side in vhost server mode. */
  ovsVhostUser(ns: string, name: string, bridge: string, ipam?: Ipam): KubeObject;
  /** VPP memif in bridge-domain `bridgeDomain`, pod side slave. */
  vppMemif(ns: string, name: string, bridgeDomain: number, ipam?: Ipam): KubeObject;
}

export function userspaceCni(versions: Readonly<Record<string, string>>, opts: { timeoutMs?: number } = {}): UserspaceCniStack {
  const version = pinnedVersion(versions, 'userspace-cni');
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const installer = daemonSet('kube-system', 'userspace-cni-install', `ghcr.io/intel/userspace-cni-network-plugin:${version}`, {
    hostPaths: { '/host/opt/cni/bin': '/opt/cni/bin', '/var/lib/cni/usrspcni': '/var/lib/cni/usrspcni' },
  });
  return {
    name: 'userspace-cni',
    version,
    async up(cluster: Cluster) {
      await cluster.apply(installer);
      await cluster.waitFor(refOf(installer), daemonSetRolledOut, timeoutMs);
    },
    async down(cluster: Cluster) {
      await deleteAll(cluster, [installer], timeoutMs);
    },
    ovsVhostUser(ns, name, bridge, ipam) {
      return nad(ns, name, {
        type: 'userspace',
        host: { engine: 'ovs-dpdk', iftype: 'vhostuser', netType: 'bridge', vhost: { mode: 'client' }, bridge: { bridgeName: bridge } },
        container: { engine: 'ovs-dpdk', iftype: 'vhostuser', netType: 'interface', vhost: { mode: 'server' } },
        ipam: ipam ?? {},
      });
    },
    vppMemif(ns, name, bridgeDomain, ipam) {
      return nad(ns, name, {
        type: 'userspace',
        host: { engine: 'vpp', iftype: 'memif', netType: 'bridge', memif: { role: 'master', mode: 'ethernet' }, bridge: { bridgeName: String(bridgeDomain) } },
        container: { engine: 'vpp', iftype: 'memif', netType: 'interface', memif: { role: 'slave', mode: 'ethernet' } },
        ipam: ipam ?? {},
      });
    },
  };
}
