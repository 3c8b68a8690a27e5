/**
 * Restart the SR-IOV device plugin on the DUT node, as far as the inventory allows it
 * (cluster.mayRestart.devicePlugin names the DaemonSet): its pod there is deleted by uid, the DaemonSet makes a
 * replacement, and the restart is over when the replacement is Ready and the node advertises the plugin's
 * resources again as before. What upstream says happens meanwhile (and what this waits for):
 * - the plugin's gRPC servers stop on SIGTERM and remove their sockets (sriov-network-device-plugin
 *   pkg/resources/server.go Stop); the kubelet's endpoint for each resource stops, and its devices count in the
 *   node's capacity but not in its allocatable (kubelet pkg/kubelet/cm/devicemanager/manager.go GetCapacity),
 *   for up to 5 minutes (endpointStopGracePeriod, types.go) before the resource is dropped;
 * - pods that hold devices keep them (the kubelet's pod-device checkpoint): the VFs are in their network
 *   namespaces and the plugin plays no part in forwarding;
 * - the new plugin discovers the devices once at start (issue #276: no rescan) and registers every resource
 *   again (server.go Start, ListAndWatch sends the full list): allocatable comes back. Issue #565 is a plugin
 *   that re-advertised fewer VFs after a restart while pods held some: the wait below compares with the count
 *   before the restart, so such a plugin fails here instead of passing.
 */
import { ConfigError, ProvisionError } from '../../core/errors.ts';
import { MAY_RESTART_DEVICE_PLUGIN } from '../../lab/schema.ts';
import type { Cluster } from './cluster.ts';
import { podReady } from './conditions.ts';
import { describeRef, field, refOf, type KubeObject, type ObjectRef } from './kube-object.ts';
import { COMPONENT_IDS, mountsConfigMap } from './stack/component.ts';
import { imagesOf } from './stack/manifests.ts';

/** One resource the plugin advertises on the node, before and after. */
export interface AdvertisedResource {
  readonly resource: string;
  readonly before: number;
  /** The lowest allocatable seen while the plugin was away (0: the kubelet stopped offering the devices). */
  readonly lowest: number;
  readonly after: number;
}

export interface DevicePluginRestartOutcome {
  readonly daemonSet: string;
  readonly node: string;
  readonly oldPod: string;
  readonly newPod: string;
  /** From the delete request on, seconds: the old pod gone, the replacement Ready, allocatable back. */
  readonly goneAfterS: number;
  readonly readyAfterS: number;
  readonly advertisedAfterS: number;
  readonly resources: readonly AdvertisedResource[];
}

const DEVICE_PLUGIN = COMPONENT_IDS['sriov-network-device-plugin'];
/** Where the plugin reads its resource list unless --config-file says otherwise (its README). */
const DEFAULT_CONFIG_FILE = '/etc/pcidp/config.json';

/** `namespace/name` as a DaemonSet reference. */
export function daemonSetRef(namespacedName: string): ObjectRef {
  const [namespace, name] = namespacedName.split('/') as [string, string];
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace, name };
}

/**
 * The DaemonSet the inventory names, checked: it exists and runs the SR-IOV device plugin image. Anything
 * else is a ConfigError naming the inventory entry, with the device-plugin DaemonSets the cluster does have.
 */
export async function allowedDevicePlugin(cluster: Cluster, namespacedName: string): Promise<KubeObject> {
  const ref = daemonSetRef(namespacedName);
  const ds = await cluster.get(ref);
  const runsPlugin = (o: KubeObject) => imagesOf([o]).some((i) => DEVICE_PLUGIN.image.test(i));
  if (ds && runsPlugin(ds)) return ds;
  const found = (await cluster.list('apps/v1', 'DaemonSet')).filter(runsPlugin).map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
  const hint = found.length ? `DaemonSets running the SR-IOV device plugin on this cluster: ${found.join(', ')}` : 'no DaemonSet on this cluster runs the SR-IOV device plugin image: remove the entry, or install the plugin';
  throw new ConfigError(ds ? `${describeRef(ref)} does not run the SR-IOV device plugin (its images: ${imagesOf([ds]).join(', ') || 'none'})` : `${describeRef(ref)} does not exist on cluster ${cluster.name}`, { where: MAY_RESTART_DEVICE_PLUGIN, hint });
}

/** Resource names the plugin advertises: its ConfigMap's resourceList (read only), `prefix/name`. */
async function advertisedNames(cluster: Cluster, ds: KubeObject): Promise<string[]> {
  const spec = field(ds, 'spec', 'template', 'spec') as { containers?: { image?: string; args?: string[]; command?: string[]; volumeMounts?: { name: string; mountPath: string }[] }[]; volumes?: { name: string; configMap?: { name?: string; items?: { key: string; path: string }[] } }[] } | undefined;
  const c = (spec?.containers ?? []).find((x) => DEVICE_PLUGIN.image.test(x.image ?? ''));
  const flag = [...(c?.command ?? []), ...(c?.args ?? [])].find((a) => /^--?config-file=/.test(a));
  const file = flag ? flag.slice(flag.indexOf('=') + 1) : DEFAULT_CONFIG_FILE;
  for (const m of c?.volumeMounts ?? []) {
    const dir = m.mountPath.replace(/\/+$/, '');
    if (!file.startsWith(`${dir}/`)) continue;
    const vol = (spec?.volumes ?? []).find((v) => v.name === m.name);
    if (!vol?.configMap?.name || !mountsConfigMap(ds, vol.configMap.name)) continue;
    const cm = await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ds.metadata.namespace!, name: vol.configMap.name });
    const rel = file.slice(dir.length + 1);
    const key = vol.configMap.items ? vol.configMap.items.find((i) => i.path === rel)?.key : rel;
    const text = key === undefined ? undefined : (field(cm, 'data', key) as string | undefined);
    if (text === undefined) continue;
    try {
      const cfg = JSON.parse(text) as { resourceList?: { resourceName?: string; resourcePrefix?: string }[] };
      return (cfg.resourceList ?? []).filter((r) => r.resourceName).map((r) => `${r.resourcePrefix ?? 'intel.com'}/${r.resourceName}`);
    } catch {
      return [];
    }
  }
  return [];
}

async function allocatable(cluster: Cluster, node: string, resources: readonly string[]): Promise<Map<string, number>> {
  const n = await cluster.get({ apiVersion: 'v1', kind: 'Node', name: node });
  return new Map(resources.map((r) => [r, Number(field(n, 'status', 'allocatable', r) ?? 0)]));
}

/** The DaemonSet's pod on the node (not terminating), or undefined. */
async function pluginPodOn(cluster: Cluster, ds: KubeObject, node: string): Promise<KubeObject | undefined> {
  const pods = await cluster.list('v1', 'Pod', { namespace: ds.metadata.namespace! });
  return pods.find((p) => !p.metadata.deletionTimestamp && field(p, 'spec', 'nodeName') === node && ((p.metadata['ownerReferences'] as { uid?: string }[] | undefined) ?? []).some((r) => r.uid === ds.metadata.uid));
}

/**
 * Restart the device plugin the inventory names on `node`: delete its pod there (by uid), wait for the
 * replacement Ready and for every resource it advertised to be allocatable again as before.
 */
export async function restartDevicePlugin(cluster: Cluster, o: { daemonSet: string; node: string; timeoutMs?: number; pollMs?: number }): Promise<DevicePluginRestartOutcome> {
  const timeoutMs = o.timeoutMs ?? 180_000;
  const where = `${MAY_RESTART_DEVICE_PLUGIN} ${o.daemonSet} on node ${o.node}`;
  const ds = await allowedDevicePlugin(cluster, o.daemonSet);
  const names = await advertisedNames(cluster, ds);
  const before = await allocatable(cluster, o.node, names);
  const advertised = names.filter((r) => (before.get(r) ?? 0) > 0);
  if (advertised.length === 0) {
    throw new ProvisionError(`the device plugin advertises nothing on node ${o.node} (resources in its config: ${names.join(', ') || 'none found'})`, { where, hint: 'a restart is judged by the resources coming back: check the plugin config and that the VFs exist on the node' });
  }
  const old = await pluginPodOn(cluster, ds, o.node);
  if (!old) throw new ProvisionError(`${describeRef(refOf(ds))} has no pod on node ${o.node}`, { where, hint: 'its nodeSelector must select the DUT node' });

  // Allocatable is sampled from the delete on, beside the waits: the dip can be shorter than one wait's poll.
  const lowest = new Map(before);
  const watch = async () => {
    for (const [r, v] of await allocatable(cluster, o.node, advertised)) lowest.set(r, Math.min(lowest.get(r) ?? v, v));
  };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await watch().catch(() => undefined);
      await new Promise((r) => setTimeout(r, o.pollMs ?? 50));
    }
  })();
  const t0 = Date.now();
  const s = () => (Date.now() - t0) / 1000;
  try {
    await cluster.deleteAllowedPod(refOf(old), old.metadata.uid!, MAY_RESTART_DEVICE_PLUGIN, timeoutMs);
    const goneAfterS = s();
    const fresh = await cluster.waitUntil(
      `a new pod of ${describeRef(refOf(ds))} Ready on node ${o.node}`,
      async () => {
        const p = await pluginPodOn(cluster, ds, o.node);
        if (!p || p.metadata.uid === old.metadata.uid) return { observed: 'no replacement pod yet' };
        const r = podReady.check(p);
        return 'ok' in r ? { ok: p } : 'fail' in r ? { fail: r.fail } : { observed: `${p.metadata.name}: ${r.observed}` };
      },
      timeoutMs,
      refOf(ds),
    );
    const readyAfterS = s();
    const after = await cluster.waitUntil(
      `node ${o.node} advertises ${advertised.join(', ')} again as before the restart`,
      async () => {
        const now = await allocatable(cluster, o.node, advertised);
        const short = advertised.filter((r) => (now.get(r) ?? 0) < (before.get(r) ?? 0));
        return short.length === 0 ? { ok: now } : { observed: short.map((r) => `${r}: ${now.get(r)} of ${before.get(r)}`).join(', ') };
      },
      timeoutMs,
      undefined,
      'the restarted plugin advertises fewer devices than before (VFs held by pods not rediscovered, or the config changed): see its log',
    );
    return {
      daemonSet: o.daemonSet,
      node: o.node,
      oldPod: old.metadata.name,
      newPod: fresh.metadata.name,
      goneAfterS,
      readyAfterS,
      advertisedAfterS: s(),
      resources: advertised.map((r) => ({ resource: r, before: before.get(r)!, lowest: lowest.get(r)!, after: after.get(r)! })),
    };
  } finally {
    sampling = false;
    await sampler;
  }
}

/** A pod that got a device of the restarted plugin. */
export interface DeviceProbe {
  readonly pod: string;
  readonly resource: string;
  /** From its create request on, until Ready. */
  readonly readyAfterS: number;
}

/** Devices of `resource` that pods on the node hold (their limits, as the kubelet counts them). */
async function inUse(cluster: Cluster, node: string, resource: string): Promise<number> {
  const pods = await cluster.list('v1', 'Pod');
  let n = 0;
  for (const p of pods) {
    const phase = String(field(p, 'status', 'phase') ?? '');
    if (field(p, 'spec', 'nodeName') !== node || phase === 'Succeeded' || phase === 'Failed') continue;
    for (const c of (field(p, 'spec', 'containers') as { resources?: { limits?: Record<string, string>; requests?: Record<string, string> } }[] | undefined) ?? []) n += Number(c.resources?.limits?.[resource] ?? c.resources?.requests?.[resource] ?? 0);
  }
  return n;
}

/**
 * After a restart: a new pod asking for one device of a resource the plugin advertises (one with a device
 * free) is admitted on the node and becomes Ready — the kubelet admits a pod only once the plugin's Allocate
 * answered (a stopped endpoint fails admission: devicemanager endpoint.go allocate). The pod is the run's and
 * is deleted again.
 */
export async function probeNewPod(cluster: Cluster, o: { node: string; resources: readonly AdvertisedResource[]; image: string; timeoutMs?: number }): Promise<DeviceProbe> {
  const timeoutMs = o.timeoutMs ?? 120_000;
  let resource: string | undefined;
  for (const r of o.resources) if (r.after - (await inUse(cluster, o.node, r.resource)) > 0) resource = resource ?? r.resource;
  if (!resource) {
    throw new ProvisionError(`no device of ${o.resources.map((r) => r.resource).join(', ')} is free on node ${o.node} for a new pod`, { where: `${MAY_RESTART_DEVICE_PLUGIN} probe`, hint: 'the pool needs one device more than the running pods hold (create more VFs, or a larger pool)' });
  }
  const limits = { [resource]: '1' };
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'wsp-device-probe', namespace: cluster.namespace, labels: { 'wirespeed.io/role': 'device-probe' } },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      nodeSelector: { 'kubernetes.io/hostname': o.node },
      containers: [{ name: 'probe', image: o.image, command: ['sleep', 'infinity'], resources: { requests: limits, limits } }],
    },
  };
  const t0 = Date.now();
  await cluster.apply(pod);
  const ref = refOf(pod);
  try {
    await cluster.waitFor(ref, podReady, timeoutMs);
    return { pod: pod.metadata.name, resource, readyAfterS: (Date.now() - t0) / 1000 };
  } finally {
    await cluster.deleteAndWait(ref, timeoutMs);
  }
}
