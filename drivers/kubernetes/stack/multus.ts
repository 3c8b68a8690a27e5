/** Multus CNI, thick plugin (daemon + shim), with its NetworkAttachmentDefinition CRD. */
import type { Cluster } from '../cluster.ts';
import { daemonSetRolledOut } from '../conditions.ts';
import { refOf, type KubeObject } from '../kube-object.ts';
import { clusterRole, clusterRoleBinding, crd, daemonSet, DEFAULT_TIMEOUT_MS, deleteAll, installCrds, pinnedVersion, serviceAccount, type StackComponent } from './component.ts';

export const NAD_CRD = crd('k8s.cni.cncf.io', 'NetworkAttachmentDefinition', 'network-attachment-definitions', { shortNames: ['net-attach-def'] });

export function multus(versions: Readonly<Record<string, string>>, opts: { timeoutMs?: number } = {}): StackComponent {
  const version = pinnedVersion(versions, 'multus');
  const ns = 'kube-system';
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const objects: KubeObject[] = [
    serviceAccount(ns, 'multus'),
    clusterRole('multus', [
      { apiGroups: ['k8s.cni.cncf.io'], resources: ['*'], verbs: ['*'] },
      { apiGroups: [''], resources: ['pods', 'pods/status'], verbs: ['get', 'list', 'update', 'watch'] },
      { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
    ]),
    clusterRoleBinding('multus', 'multus', ns, 'multus'),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'multus-daemon-config', namespace: ns },
      data: { 'daemon-config.json': JSON.stringify({ chrootDir: '/hostroot', cniVersion: '0.3.1', logLevel: 'verbose', logToStderr: true, cniConfigDir: '/host/etc/cni/net.d', multusAutoconfigDir: '/host/etc/cni/net.d', multusConfigFile: 'auto', socketDir: '/host/run/multus/' }) },
    },
    daemonSet(ns, 'kube-multus-ds', `ghcr.io/k8snetworkplumbingwg/multus-cni:${version}-thick`, {
      sa: 'multus',
      hostPaths: { '/host/etc/cni/net.d': '/etc/cni/net.d', '/host/opt/cni/bin': '/opt/cni/bin', '/host/run/multus': '/run/multus', '/hostroot': '/' },
    }),
  ];
  return {
    name: 'multus',
    version,
    async up(cluster: Cluster) {
      await installCrds(cluster, [NAD_CRD], timeoutMs);
      await cluster.applyAll(objects);
      await cluster.waitFor(refOf(objects[objects.length - 1]!), daemonSetRolledOut, timeoutMs);
    },
    async down(cluster: Cluster) {
      await deleteAll(cluster, [NAD_CRD, ...objects], timeoutMs);
    },
  };
}
