/**
 * A stack component (Multus, the SR-IOV operator, the device plugin, userspace CNI, whereabouts). On a shared
 * cluster it is normally there already: `up` finds its workload (by image) and uses it as it is, read-only.
 * Only when the cluster lacks it and the lab names its upstream release manifests (`cluster.install.<key>`)
 * does wirespeed install it: CRDs first (Established), then the rest in the bundle's order, every object
 * created (never adopted) and labelled by the run, then the real readiness signals (DaemonSet rollout,
 * Deployment Available). `down` deletes what the run installed, newest first; a pre-installed one is left alone.
 */
import { ConfigError, ProvisionError } from '../../../core/errors.ts';
import type { CLUSTER_COMPONENTS } from '../../../lab/schema.ts';
import type { Cluster } from '../cluster.ts';
import { crdEstablished, daemonSetRolledOut, deploymentAvailable } from '../conditions.ts';
import { describeRef, field, refOf, type KubeObject } from '../kube-object.ts';
import { imagesOf, imageTag, loadManifests, tagHasVersion } from './manifests.ts';

/** Component keys of `cluster.versions` and `cluster.install` in the lab file. */
export type VersionKey = (typeof CLUSTER_COMPONENTS)[number];

/** Where the lab says what versions to expect and what to install (paths already resolved). */
export interface ComponentSources {
  readonly versions: Readonly<Record<string, string>>;
  readonly install?: Readonly<Record<string, string>>;
}

/** A component as the run found or installed it. */
export interface ComponentState {
  readonly key: VersionKey;
  readonly title: string;
  readonly how: 'pre-installed' | 'installed';
  /** The version its workload runs (image tag). */
  readonly version: string;
  readonly pinned: string;
  /** Namespace of its workload. */
  readonly namespace: string;
  readonly workload: KubeObject;
  /** One line for the report. */
  readonly summary: string;
}

export interface StackComponent {
  readonly key: VersionKey;
  readonly title: string;
  readonly pinned: string;
  up(cluster: Cluster): Promise<ComponentState>;
  down(cluster: Cluster): Promise<void>;
}

/** What identifies a component on a cluster. */
export interface ComponentDef {
  readonly key: VersionKey;
  readonly title: string;
  /** Its workload's image (repository part), e.g. /\/multus-cni[:@]/. */
  readonly image: RegExp;
  readonly workload: 'DaemonSet' | 'Deployment';
  /** CRDs it serves (by name); they must be Established. */
  readonly crds?: readonly string[];
  /** More that a working installation needs (a config object); returns the problem, or null. */
  readonly check?: (cluster: Cluster, workload: KubeObject) => Promise<string | null>;
  /** How a bundle object is adjusted before it is applied (the device plugin's pools). */
  readonly adjust?: (obj: KubeObject) => KubeObject | null;
}

/**
 * How each component is recognised: its title and its workload's image and kind. One table, so that running
 * a stack and checking a lab's bundles (`lab check`, before anything touches the cluster) agree.
 */
export const COMPONENT_IDS: Readonly<Record<VersionKey, Pick<ComponentDef, 'key' | 'title' | 'image' | 'workload'>>> = {
  multus: { key: 'multus', title: 'Multus CNI', image: /\/multus-cni[:@]/, workload: 'DaemonSet' },
  'sriov-network-operator': { key: 'sriov-network-operator', title: 'SR-IOV network operator', image: /\/sriov-network-operator[:@]/, workload: 'Deployment' },
  'sriov-network-device-plugin': { key: 'sriov-network-device-plugin', title: 'SR-IOV network device plugin', image: /\/sriov-network-device-plugin[:@]/, workload: 'DaemonSet' },
  'sriov-cni': { key: 'sriov-cni', title: 'SR-IOV CNI', image: /\/sriov-cni[:@]/, workload: 'DaemonSet' },
  'userspace-cni': { key: 'userspace-cni', title: 'Userspace CNI', image: /userspace-?cni[^/]*[:@]|\/userspacecni[:@]/, workload: 'DaemonSet' },
  whereabouts: { key: 'whereabouts', title: 'whereabouts IPAM', image: /\/whereabouts[:@]/, workload: 'DaemonSet' },
};

export const DEFAULT_TIMEOUT_MS = 120_000;

/** Kinds that live outside namespaces (a bundle's other objects must name their namespace). */
const CLUSTER_SCOPED = ['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'StorageClass', 'RuntimeClass'];

/** The pinned version, or a ConfigError naming the missing inventory field. */
export function pinnedVersion(versions: Readonly<Record<string, string>>, key: VersionKey): string {
  const v = versions[key];
  if (!v) throw new ConfigError(`no version pinned for ${key}`, { where: `cluster.versions.${key}`, hint: `pin it in the lab file, e.g. cluster.versions: { ${key}: "v4.1.0" }, so runs are repeatable` });
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(v)) throw new ConfigError(`version ${JSON.stringify(v)} is not an image tag`, { where: `cluster.versions.${key}` });
  return v;
}

/** A component: found and used, or installed from the lab's manifests. */
export function component(def: ComponentDef, sources: ComponentSources, opts: { timeoutMs?: number } = {}): StackComponent {
  const pinned = pinnedVersion(sources.versions, def.key);
  const manifests = sources.install?.[def.key];
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let installed: KubeObject[] = [];
  return {
    key: def.key,
    title: def.title,
    pinned,
    async up(cluster) {
      const found = await findWorkload(cluster, def);
      if (found) return useFound(cluster, def, found, pinned, 'pre-installed', timeoutMs);
      if (manifests === undefined) {
        throw new ProvisionError(`${def.title} is not installed on the cluster (no ${def.workload} running an image like ${def.image.source}) and the lab names no manifests to install it`, {
          where: `cluster ${cluster.name}`,
          hint: `install ${def.title} ${pinned} on the cluster (on a shared cluster, the admins' installation is used as it is), or set cluster.install.${def.key} to its upstream release manifests (a file or https URL)`,
        });
      }
      installed = await installBundle(cluster, def, manifests, pinned, timeoutMs);
      const mine = await findWorkload(cluster, def);
      if (!mine) throw new ProvisionError(`the manifests ${manifests} installed no ${def.workload} running ${def.title}`, { where: `cluster ${cluster.name}`, hint: `cluster.install.${def.key} must name ${def.title}'s release manifests` });
      return useFound(cluster, def, mine, pinned, 'installed', timeoutMs);
    },
    async down(cluster) {
      for (const o of [...installed].reverse()) if (cluster.owns(refOf(o))) await cluster.deleteAndWait(refOf(o), timeoutMs);
      installed = [];
    },
  };
}

/** The component's workload on the cluster, in any namespace, or undefined. */
export async function findWorkload(cluster: Cluster, def: Pick<ComponentDef, 'image' | 'workload'>): Promise<KubeObject | undefined> {
  const all = await cluster.list('apps/v1', def.workload);
  return all.find((w) => !w.metadata.deletionTimestamp && imagesOf([w]).some((i) => def.image.test(i)));
}

async function useFound(cluster: Cluster, def: ComponentDef, workload: KubeObject, pinned: string, how: ComponentState['how'], timeoutMs: number): Promise<ComponentState> {
  const ref = refOf(workload);
  for (const name of def.crds ?? []) {
    const crdRef = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name };
    if (!(await cluster.get(crdRef))) {
      throw new ProvisionError(`${def.title} runs (${describeRef(ref)}) but its CRD ${name} is missing`, { where: `cluster ${cluster.name}`, hint: 'the installation is incomplete: ask the cluster admins, or install the component completely' });
    }
    await cluster.waitFor(crdRef, crdEstablished, timeoutMs);
  }
  const ready = await cluster.waitFor(ref, def.workload === 'DaemonSet' ? daemonSetRolledOut : deploymentAvailable, timeoutMs);
  const problem = def.check ? await def.check(cluster, ready ?? workload) : null;
  if (problem) throw new ProvisionError(`${def.title} (${describeRef(ref)}): ${problem}`, { where: `cluster ${cluster.name}` });
  const image = imagesOf([workload]).find((i) => def.image.test(i)) ?? '';
  const version = imageTag(image) ?? 'unknown';
  const pinNote = tagHasVersion(version, pinned) ? '' : `, NOT the pinned ${pinned}`;
  return {
    key: def.key,
    title: def.title,
    how,
    version,
    pinned,
    namespace: workload.metadata.namespace ?? '',
    workload: ready ?? workload,
    summary: `${def.title} ${version} (${how}${pinNote}: ${describeRef(ref)})`,
  };
}

/**
 * A release bundle as installing it needs it, checked without a cluster: its objects (ConfigError for
 * anything malformed), running the component's image at the pinned version, every namespaced object placed.
 */
export async function checkBundle(def: Pick<ComponentDef, 'key' | 'title' | 'image' | 'adjust'>, source: string, pinned: string): Promise<KubeObject[]> {
  const where = `cluster.install.${def.key}`;
  const docs = (await loadManifests(source, where)).map((o) => (def.adjust ? def.adjust(o) : o)).filter((o): o is KubeObject => o !== null);
  const images = imagesOf(docs).filter((i) => def.image.test(i));
  if (images.length === 0) throw new ConfigError(`${source} runs no image of ${def.title} (looked for ${def.image.source})`, { where, hint: `name ${def.title}'s release manifests` });
  const off = images.filter((i) => !tagHasVersion(imageTag(i), pinned));
  if (off.length) {
    throw new ConfigError(`${source} is not ${def.title} ${pinned}: it runs ${off.join(', ')}`, { where, hint: `use the ${pinned} release manifests, or pin cluster.versions.${def.key} to the version they carry` });
  }
  const unplaced = docs.find((o) => !CLUSTER_SCOPED.includes(o.kind) && !o.metadata.namespace);
  if (unplaced) {
    throw new ConfigError(`${source}: ${unplaced.kind} ${unplaced.metadata.name} has no namespace`, { where, hint: 'render the manifests for a namespace (helm template --namespace …, or the deploy/ files with NAMESPACE set)' });
  }
  return docs;
}

/** Apply a release bundle: CRDs first (Established), namespaces used or made, the rest created in order; wait. */
async function installBundle(cluster: Cluster, def: ComponentDef, source: string, pinned: string, timeoutMs: number): Promise<KubeObject[]> {
  const docs = await checkBundle(def, source, pinned);
  const created: KubeObject[] = [];
  const crds = docs.filter((o) => o.kind === 'CustomResourceDefinition');
  for (const c of crds) {
    const r = await cluster.ensure(c);
    if (r.owned) created.push(c);
  }
  for (const c of crds) await cluster.waitFor(refOf(c), crdEstablished, timeoutMs);
  for (const o of docs) {
    if (o.kind === 'CustomResourceDefinition') continue;
    if (o.kind === 'Namespace') {
      if ((await cluster.ensure(o)).owned) created.push(o);
      continue;
    }
    await cluster.apply(o);
    created.push(o);
  }
  for (const o of docs) {
    if (o.kind === 'DaemonSet') await cluster.waitFor(refOf(o), daemonSetRolledOut, timeoutMs);
    if (o.kind === 'Deployment') await cluster.waitFor(refOf(o), deploymentAvailable, timeoutMs);
  }
  return created;
}

/** A namespace object. */
export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(Object.keys(labels).length ? { labels } : {}) } };
}

/** Does a pod template mount a ConfigMap of this name? */
export function mountsConfigMap(workload: KubeObject, name: string): boolean {
  const vols = (field(workload, 'spec', 'template', 'spec', 'volumes') as { configMap?: { name?: string } }[] | undefined) ?? [];
  return vols.some((v) => v.configMap?.name === name);
}
