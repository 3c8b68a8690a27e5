/** whereabouts IPAM: cluster-wide address allocation for secondary networks (CRDs + installer DaemonSet). */
import type { Cluster } from '../cluster.ts';
import { daemonSetRolledOut } from '../conditions.ts';
import { refOf } from '../kube-object.ts';
import { clusterRole, clusterRoleBinding, crd, daemonSet, DEFAULT_TIMEOUT_MS, deleteAll, installCrds, pinnedVersion, serviceAccount, type StackComponent } from './component.ts';

const G = 'whereabouts.cni.cncf.io';
export const WHEREABOUTS_CRDS = [crd(G, 'IPPool', 'ippools', { version: 'v1alpha1' }), crd(G, 'OverlappingRangeIPReservation', 'overlappingrangeipreservations', { version: 'v1alpha1' })];

export function whereaboutsIpam(versions: Readonly<Record<string, string>>, opts: { timeoutMs?: number } = {}): StackComponent {
  const version = pinnedVersion(versions, 'whereabouts');
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ns = 'kube-system';
  const objects = [
    serviceAccount(ns, 'whereabouts'),
    clusterRole('whereabouts-cni', [{ apiGroups: [G], resources: ['ippools', 'overlappingrangeipreservations'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }, { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] }]),
    clusterRoleBinding('whereabouts', 'whereabouts-cni', ns, 'whereabouts'),
    daemonSet(ns, 'whereabouts', `ghcr.io/k8snetworkplumbingwg/whereabouts:${version}`, { sa: 'whereabouts', hostPaths: { '/host/opt/cni/bin': '/opt/cni/bin', '/host/etc/cni/net.d': '/etc/cni/net.d' } }),
  ];
  return {
    name: 'whereabouts',
    version,
    async up(cluster: Cluster) {
      await installCrds(cluster, WHEREABOUTS_CRDS, timeoutMs);
      await cluster.applyAll(objects);
      await cluster.waitFor(refOf(objects[objects.length - 1]!), daemonSetRolledOut, timeoutMs);
    },
    async down(cluster: Cluster) {
      await deleteAll(cluster, [...WHEREABOUTS_CRDS, ...objects], timeoutMs);
    },
  };
}
