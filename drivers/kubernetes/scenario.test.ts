/**
 * Kubernetes scenarios on the fake cluster of fixtures/kube: SR-IOV through the device plugin alone (a cluster
 * without the operator, lab `cluster.sriov.via: device-plugin`), reachable from an inventory.
 */
import { expect, test } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { bundlePath, startFakeCluster, type BundleName } from '../../fixtures/kube/fake-cluster.ts';
import { loadLab } from '../../lab/load.ts';
import { Cluster } from './cluster.ts';
import { RUN_LABEL } from './kube-object.ts';
import { deployScenario, devicePluginPoolFor, scenarioPods } from './scenario.ts';

const LAB = fileURLToPath(new URL('../../fixtures/labs/fake-k8s-device-plugin.yaml', import.meta.url));

test('an inventory asks for SR-IOV through the device plugin; the operator stays the default', async () => {
  const lab = await loadLab(LAB, { checkFiles: false });
  expect(lab.cluster?.sriov).toEqual({ via: 'device-plugin' });
  const operatorLab = await loadLab(fileURLToPath(new URL('../../fixtures/labs/fake-k8s.yaml', import.meta.url)), { checkFiles: false });
  expect(operatorLab.cluster?.sriov).toEqual({ via: 'operator' });
});

test('the device-plugin pool of an X710 selects its VFs on vfio-pci under its PFs; pods request it, not the operator resource', async () => {
  const lab = await loadLab(LAB, { checkFiles: false });
  const nic = lab.node('worker-0').nics.find((n) => n.model === 'x710')!;
  const pool = devicePluginPoolFor('sriov', nic);
  expect(pool).toMatchObject({ resourcePrefix: 'intel.com', expectCount: 4, selectors: [{ vendors: ['8086'], devices: ['154c'], drivers: ['vfio-pci'], rootDevices: ['0000:3b:00.0', '0000:3b:00.1'] }] });
  const pods = scenarioPods({ datapath: 'sriov', nic, runId: 'r1', sriovVia: 'device-plugin' });
  for (const p of pods) expect(Object.keys(p.devices ?? {})).toEqual([`intel.com/${pool.resourceName}`]);
  expect(Object.keys(scenarioPods({ datapath: 'sriov', nic, runId: 'r1' })[0]!.devices ?? {})[0]).toMatch(/^openshift\.io\//);
});

test('sriov through the device plugin on a cluster without the operator: plugin and sriov-cni installed, the pods get the pre-made VFs, teardown leaves nothing', async () => {
  const lab = await loadLab(LAB, { checkFiles: false });
  const cfg = lab.cluster!;
  const nic = lab.node('worker-0').nics.find((n) => n.model === 'x710')!;
  const fake = await startFakeCluster({ preinstalled: ['multus'] });
  try {
    const cluster = await Cluster.fromLab({ kubeconfig: fake.kubeconfigPath, context: fake.context, namespace: cfg.namespace }, 'r-dp', { pollMs: 10 });
    const install = Object.fromEntries((['sriov-network-device-plugin', 'sriov-cni'] as BundleName[]).map((b) => [b, bundlePath(b)]));
    const d = await deployScenario(cluster, { versions: cfg.versions, install }, { datapath: 'sriov', nic, runId: 'r-dp', pageSize: '2Mi', sriovVia: 'device-plugin' });
    expect(d.sriov, 'no operator objects').toBeUndefined();
    expect(d.devicePlugin?.resource).toBe(`intel.com/${devicePluginPoolFor('sriov', nic).resourceName}`);
    expect(d.stack.join('\n')).toMatch(/device plugin pool intel\.com\/\S+: VFs 8086:154c on vfio-pci under x710 \(0000:3b:00\.0, 0000:3b:00\.1\), 4 allocatable/);
    // The fake node has four VFs made beforehand on ens1f1 (0000:3b:00.1): DUT and generator get two each.
    const got = d.workloads.flatMap((w) => w.devices.map((x) => (x.kind === 'pci' ? x.pciAddress : x.kind)));
    expect(got).toHaveLength(4);
    expect(new Set(got).size, 'four different VFs').toBe(4);
    for (const a of got) expect(a).toMatch(/^0000:3b:/);
    const nad = fake.server.store.all().find((e) => e.rt.kind === 'NetworkAttachmentDefinition' && e.obj.metadata.name === d.devicePlugin!.network)!;
    expect(JSON.parse((nad.obj as unknown as { spec: { config: string } }).spec.config)).toMatchObject({ type: 'sriov', vlan: 100, spoofchk: 'off', trust: 'on' });
    await cluster.teardown(5000);
    expect(await cluster.leftovers()).toEqual([]);
    expect(fake.server.store.all().filter((e) => e.obj.metadata.labels?.[RUN_LABEL] === 'r-dp')).toEqual([]);
    expect(fake.agent.errors).toEqual([]);
  } finally {
    await fake.stop();
  }
});
