/**
 * The device-plugin restart on the fake cluster (fixtures/kube): while the plugin's pod is away the node keeps
 * its devices in capacity but offers none (allocatable 0), the pods holding VFs keep them, a new pod asking for
 * one is not scheduled; the restart names the inventory entry when it names a DaemonSet that is absent or is no
 * device plugin, and deletes nothing then.
 */
import { expect, test } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../core/errors.ts';
import { bundlePath, startFakeCluster, type BundleName } from '../../fixtures/kube/fake-cluster.ts';
import { loadLab } from '../../lab/load.ts';
import { Cluster } from './cluster.ts';
import { field, refOf } from './kube-object.ts';
import { restartDevicePlugin } from './device-plugin-restart.ts';
import { deployScenario } from './scenario.ts';

const LAB = fileURLToPath(new URL('../../fixtures/labs/fake-k8s-device-plugin.yaml', import.meta.url));
const DS = 'kube-system/kube-sriov-device-plugin';

test('while the device plugin is away the node keeps its VFs in capacity, offers none, and the pods keep theirs; a restart of something else is refused by name', async () => {
  test.setTimeout(120_000);
  const lab = await loadLab(LAB, { checkFiles: false });
  expect(lab.cluster?.mayRestart, 'the fake device-plugin lab opts in').toEqual({ devicePlugin: DS });
  const nic = lab.node('worker-0').nics.find((n) => n.model === 'x710')!;
  // Pod names the fake's kubelet keeps from becoming Ready (filled in below: the plugin's replacement).
  const neverReady: string[] = [];
  const fake = await startFakeCluster({ preinstalled: ['multus'], agent: { faults: { podsNeverReady: neverReady } } });
  try {
    const cluster = await Cluster.fromLab({ kubeconfig: fake.kubeconfigPath, context: fake.context, namespace: lab.cluster!.namespace }, 'r-dpr', { pollMs: 10 });
    const install = Object.fromEntries((['sriov-network-device-plugin', 'sriov-cni'] as BundleName[]).map((b) => [b, bundlePath(b)]));
    const d = await deployScenario(cluster, { versions: lab.cluster!.versions, install }, { datapath: 'sriov', nic, runId: 'r-dpr', pageSize: '2Mi', sriovVia: 'device-plugin' });
    const resource = d.devicePlugin!.resource;
    const node = async () => (await cluster.get({ apiVersion: 'v1', kind: 'Node', name: 'worker-0' }))!;
    const held = () => fake.agent.nodeVfs('worker-0').filter((v) => v.assignedTo).map((v) => v.pciAddress);
    expect(held(), 'DUT and generator pods hold the four VFs').toHaveLength(4);

    // Named wrongly: nothing is deleted, the message names the inventory entry and what the cluster has.
    const absent = await restartDevicePlugin(cluster, { daemonSet: 'kube-system/sriovdp', node: 'worker-0', timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(absent).toBeInstanceOf(ConfigError);
    expect((absent as ConfigError).where).toBe('cluster.mayRestart.devicePlugin');
    expect((absent as ConfigError).message).toMatch(/DaemonSet kube-system\/sriovdp does not exist/);
    expect((absent as ConfigError).hint).toBe(`DaemonSets running the SR-IOV device plugin on this cluster: ${DS}`);
    const notPlugin = await restartDevicePlugin(cluster, { daemonSet: 'kube-system/kube-multus-ds', node: 'worker-0', timeoutMs: 5000 }).catch((e: unknown) => e);
    expect((notPlugin as ConfigError).message).toMatch(/kube-multus-ds does not run the SR-IOV device plugin \(its images: .*multus-cni/);
    expect(fake.foreignChanges(), 'Multus (pre-installed) untouched').toEqual([]);

    // The plugin's pod deleted, its replacement kept from becoming Ready: the plugin is away.
    const pods = await cluster.list('v1', 'Pod', { namespace: 'kube-system' });
    const plugin = pods.find((p) => p.metadata.name.startsWith('kube-sriov-device-plugin-'))!;
    neverReady.push(plugin.metadata.name); // the DaemonSet's replacement takes the same name in the fake
    await cluster.deleteAllowedPod(refOf(plugin), plugin.metadata.uid!, 'cluster.mayRestart.devicePlugin', 10_000);
    const away = await cluster.waitUntil('node status with the plugin away', async () => {
      const n = await node();
      const alloc = Number(field(n, 'status', 'allocatable', resource) ?? -1);
      return alloc === 0 ? { ok: n } : { observed: `allocatable ${alloc}` };
    }, 10_000);
    expect(field(away, 'status', 'capacity', resource), 'the devices stay in capacity (devicemanager grace period)').toBe('4');
    expect(held(), 'the pods keep their VFs').toHaveLength(4);
    for (const w of d.workloads) expect((await cluster.get(refOf(w.pod)))?.metadata.uid).toBe(w.pod.metadata.uid);
    // A new pod asking for a VF meanwhile is not scheduled: the scheduler sees allocatable 0.
    const probe = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'wants-a-vf', namespace: lab.cluster!.namespace }, spec: { containers: [{ name: 'c', image: 'ghcr.io/wirespeed/dpdk:22.11', command: ['sleep', 'infinity'], resources: { requests: { [resource]: '1' }, limits: { [resource]: '1' } } }] } };
    await cluster.apply(probe);
    const why = await cluster.waitUntil('the probe pod unschedulable', async () => {
      const c = ((field(await cluster.get(refOf(probe)), 'status', 'conditions') as { type: string; status: string; message?: string }[] | undefined) ?? []).find((x) => x.type === 'PodScheduled');
      return c?.status === 'False' ? { ok: c.message ?? '' } : { observed: JSON.stringify(c) };
    }, 10_000);
    expect(why).toContain(`Insufficient ${resource}`);
    await cluster.deleteAndWait(refOf(probe), 10_000);
    // The allowance deletes a DaemonSet's pod, nothing else: the DaemonSet itself is refused.
    await expect(cluster.deleteAllowedPod({ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'kube-multus-ds', namespace: 'kube-system' }, 'x', 'cluster.mayRestart.devicePlugin', 1000)).rejects.toThrow(/allows restarting a DaemonSet's pod, nothing else/);
    await cluster.teardown(30_000);
    expect(fake.agent.errors).toEqual([]);
  } finally {
    await fake.stop();
  }
});
