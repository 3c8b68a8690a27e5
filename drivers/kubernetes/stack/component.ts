/**
 * A stack component (Multus, the SR-IOV operator, the device plugin, userspace CNI, whereabouts): `up`
 * applies its objects in dependency order and waits until they work; `down` deletes them newest first and
 * waits until they are gone. Its version is pinned by the lab file (`cluster.versions`).
 */
import { ConfigError } from '../../../core/errors.ts';
import type { Cluster } from '../cluster.ts';
import { GONE } from '../cluster.ts';
import { crdEstablished } from '../conditions.ts';
import { refOf, type KubeObject } from '../kube-object.ts';

export interface StackComponent {
  readonly name: string;
  readonly version: string;
  up(cluster: Cluster): Promise<void>;
  down(cluster: Cluster): Promise<void>;
}

/** Version keys of `cluster.versions` in the lab file. */
export type VersionKey = 'multus' | 'sriov-network-operator' | 'sriov-network-device-plugin' | 'sriov-cni' | 'userspace-cni' | 'whereabouts';

/** The pinned version, or a ConfigError naming the missing inventory field. */
export function pinnedVersion(versions: Readonly<Record<string, string>>, key: VersionKey): string {
  const v = versions[key];
  if (!v) throw new ConfigError(`no version pinned for ${key}`, { where: `cluster.versions.${key}`, hint: `pin it in the lab file, e.g. cluster.versions: { ${key}: "v4.1.0" }, so runs are repeatable` });
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(v)) throw new ConfigError(`version ${JSON.stringify(v)} is not an image tag`, { where: `cluster.versions.${key}` });
  return v;
}

export const DEFAULT_TIMEOUT_MS = 120_000;

/** A CRD that stores anything (the controllers validate); the status subresource as upstream declares it. */
export function crd(group: string, kind: string, plural: string, opts: { scope?: 'Namespaced' | 'Cluster'; shortNames?: string[]; status?: boolean; version?: string } = {}): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: opts.scope ?? 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List`, ...(opts.shortNames ? { shortNames: opts.shortNames } : {}) },
      versions: [
        {
          name: opts.version ?? 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          ...(opts.status ? { subresources: { status: {} } } : {}),
        },
      ],
    },
  };
}

/** Apply CRDs (keeping ones the cluster already has) and wait until each is Established. */
export async function installCrds(cluster: Cluster, crds: readonly KubeObject[], timeoutMs: number): Promise<void> {
  for (const c of crds) await cluster.applyShared(c);
  for (const c of crds) await cluster.waitFor(refOf(c), crdEstablished, timeoutMs);
}

/** Delete objects newest first, each gone (finalizers done) before the next; only the run's own. */
export async function deleteAll(cluster: Cluster, objs: readonly KubeObject[], timeoutMs: number): Promise<void> {
  const run = cluster.labels()['wirespeed.io/run'];
  for (const o of [...objs].reverse()) {
    const cur = await cluster.get(refOf(o));
    if (!cur || cur.metadata.labels?.['wirespeed.io/run'] !== run) continue;
    await cluster.delete(refOf(o));
    await cluster.waitFor(refOf(o), GONE, timeoutMs);
  }
}

export function namespace(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function serviceAccount(ns: string, name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } };
}

export function clusterRole(name: string, rules: unknown[]): KubeObject {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules };
}

export function clusterRoleBinding(name: string, role: string, ns: string, sa: string): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }],
  };
}

/** A node-level DaemonSet (host network, privileged) as the CNI and device plugin installers are. */
export function daemonSet(ns: string, name: string, image: string, opts: { sa?: string; args?: string[]; hostPaths?: Record<string, string>; env?: Record<string, string> } = {}): KubeObject {
  const vols = Object.entries(opts.hostPaths ?? {});
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: {
      selector: { matchLabels: { app: name } },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          hostNetwork: true,
          ...(opts.sa ? { serviceAccountName: opts.sa } : {}),
          tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          containers: [
            {
              name,
              image,
              ...(opts.args ? { args: opts.args } : {}),
              ...(opts.env ? { env: Object.entries(opts.env).map(([n, value]) => ({ name: n, value })) } : {}),
              securityContext: { privileged: true },
              resources: { requests: { cpu: '100m', memory: '50Mi' }, limits: { cpu: '100m', memory: '50Mi' } },
              volumeMounts: vols.map(([mount], i) => ({ name: `host-${i}`, mountPath: mount })),
            },
          ],
          volumes: vols.map(([, hostPath], i) => ({ name: `host-${i}`, hostPath: { path: hostPath } })),
        },
      },
    },
  };
}
