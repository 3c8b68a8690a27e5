/**
 * The custom resources wirespeed sends, checked by the fake API server against the CRDs of the pinned upstream
 * versions (fixtures/kube/manifests, written from their facts): accepted, nothing pruned (a field the CRD does
 * not know would silently vanish on a real server), defaults as upstream declares them; and what the server
 * answers to a wrong one, formatted as kube-apiserver does. PodSecurity: the pods wirespeed makes, against a
 * namespace that enforces a level.
 */
import { expect, test } from '@playwright/test';
import { ProvisionError } from '../../core/errors.ts';
import { bundlePath, startFakeCluster, type FakeCluster } from '../../fixtures/kube/fake-cluster.ts';
import { Cluster } from './cluster.ts';
import { field, type KubeObject } from './kube-object.ts';
import { checkNamespaceAllows, podSecurityLabels, podSecurityNeed } from './pod-security.ts';
import { namespace, type ComponentSources } from './stack/component.ts';
import { multus } from './stack/multus.ts';
import { policyObject, sriovNetworkObject, sriovOperator } from './stack/sriov-operator.ts';
import { userspaceCni } from './stack/userspace-cni.ts';
import { sriovDevicePlugin } from './stack/sriov-device-plugin.ts';
import { whereabouts } from './stack/nad.ts';
import { parseWorkloadSpec, workloadPod } from './workloads/pod-spec.ts';

const NS = 'wsp-crd';
const SOURCES: ComponentSources = {
  versions: { multus: 'v4.1.0', 'sriov-network-operator': 'v1.4.0', 'userspace-cni': 'v1.3' },
  install: { multus: bundlePath('multus'), 'sriov-network-operator': bundlePath('sriov-network-operator'), 'userspace-cni': bundlePath('userspace-cni') },
};

async function withOperator(fn: (c: Cluster, fake: FakeCluster, operatorNs: string) => Promise<void>): Promise<void> {
  const fake = await startFakeCluster({ preinstalled: ['multus', 'sriov-network-operator'] });
  try {
    const cluster = await Cluster.fromLab({ kubeconfig: fake.kubeconfigPath, context: fake.context, namespace: NS }, 'r-crd', { pollMs: 10 });
    await cluster.ensure(namespace(NS));
    const op = sriovOperator(SOURCES, { timeoutMs: 15_000 });
    await op.up(cluster);
    await fn(cluster, fake, op.namespace());
    await cluster.teardown(15_000);
  } finally {
    await fake.stop();
  }
}

/** Every leaf path of what we sent is in what the server stored (nothing pruned). */
function expectNothingPruned(sent: KubeObject, stored: KubeObject): void {
  const leaves = (v: unknown, p: string[] = []): string[][] =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.entries(v).flatMap(([k, x]) => leaves(x, [...p, k])) : [p];
  for (const path of leaves(sent['spec'], ['spec'])) expect(field(stored, ...path), `${sent.kind} ${sent.metadata.name}: ${path.join('.')} kept`).toEqual(field(sent, ...path));
}

test('our SR-IOV policies (vfio-pci, isRdma for ConnectX, vdpaType vhost) and SriovNetwork pass the v1.4.0 CRDs unpruned, defaults applied', async () => {
  await withOperator(async (cluster, _fake, opNs) => {
    const policies = [
      policyObject({ name: 'x710-vfio', resourceName: 'x710_vfio', numVfs: 4, nicSelector: { vendor: '8086', deviceID: '1572', rootDevices: ['0000:3b:00.0'] }, deviceType: 'vfio-pci' }, opNs),
      policyObject({ name: 'cx6-rdma', resourceName: 'cx6_rdma', numVfs: 4, nicSelector: { vendor: '15b3', deviceID: '101d', rootDevices: ['0000:65:00.0'] }, deviceType: 'netdevice', isRdma: true }, opNs),
      policyObject({ name: 'cx6-vdpa', resourceName: 'cx6_vdpa', numVfs: 2, nicSelector: { vendor: '15b3', deviceID: '101d', pfNames: ['ens2f0np0'] }, eSwitchMode: 'switchdev', vdpaType: 'vhost' }, opNs),
    ];
    for (const p of policies) expectNothingPruned(p, await cluster.apply(p));
    const net = sriovNetworkObject({ name: 'net-a', resourceName: 'cx6_rdma', networkNamespace: NS, vlan: 100, spoofChk: 'off', trust: 'on', ipam: whereabouts('192.0.2.0/24') }, opNs);
    expectNothingPruned(net, await cluster.apply(net));
    // A default the CRD declares is filled in by the server when the object leaves it out.
    const bare = await cluster.apply({ apiVersion: 'sriovnetwork.openshift.io/v1', kind: 'SriovNetworkNodePolicy', metadata: { name: 'bare', namespace: opNs }, spec: { resourceName: 'bare', numVfs: 1, nicSelector: { pfNames: ['ens1f0'] }, nodeSelector: {} } });
    expect(field(bare, 'spec', 'deviceType')).toBe('netdevice');
  });
});

test('a CR with a wrong field type is refused with 422 Invalid and its field path; unknown fields are pruned', async () => {
  await withOperator(async (cluster, _fake, opNs) => {
    const bad = { apiVersion: 'sriovnetwork.openshift.io/v1', kind: 'SriovNetwork', metadata: { name: 'bad', namespace: opNs }, spec: { resourceName: 'x', vlan: '100', spoofChk: 'maybe' } };
    const err = await cluster.apply(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvisionError);
    expect((err as Error).message).toContain(
      'create SriovNetwork sriov-network-operator/bad: 422 Invalid: SriovNetwork.sriovnetwork.openshift.io "bad" is invalid: [spec.spoofChk: Unsupported value: "maybe": supported values: "on", "off", spec.vlan: Invalid value: "string": spec.vlan in body must be of type integer: "string"]',
    );
    const missing = await cluster.apply({ ...bad, metadata: { name: 'bad2', namespace: opNs }, spec: { numVfs: -1, nicSelector: {}, nodeSelector: {} }, kind: 'SriovNetworkNodePolicy' }).catch((e: unknown) => (e as Error).message);
    expect(missing).toContain('[spec.numVfs: Invalid value: -1: spec.numVfs in body should be greater than or equal to 0, spec.resourceName: Required value]');
    // A field the CRD does not define vanishes (structural pruning); where the CRD preserves unknown fields, it stays.
    const typo = await cluster.apply({ apiVersion: 'sriovnetwork.openshift.io/v1', kind: 'SriovNetwork', metadata: { name: 'typo', namespace: opNs }, spec: { resourceName: 'x', vlna: 7 } });
    expect(field(typo, 'spec')).toEqual({ resourceName: 'x' });
    expect(cluster.ownedObjects().map((o) => o.ref.name)).toEqual(['wsp-crd', 'typo']);
  });
});

test('our NADs (userspace vhost-user and memif with kubeconfig, sriov) pass the NetworkAttachmentDefinition CRD', async () => {
  const fake = await startFakeCluster({ preinstalled: ['multus'] });
  try {
    const cluster = await Cluster.fromLab({ kubeconfig: fake.kubeconfigPath, context: fake.context, namespace: NS }, 'r-crd', { pollMs: 10 });
    await cluster.ensure(namespace(NS));
    await multus(SOURCES).up(cluster);
    const u = userspaceCni(SOURCES);
    for (const n of [u.ovsVhostUser(NS, 'vu', 'br-a'), u.vppMemif(NS, 'mf', 4)]) {
      const stored = await cluster.apply(n);
      expectNothingPruned(n, stored);
      const conf = JSON.parse(String(field(stored, 'spec', 'config'))) as Record<string, unknown>;
      expect(conf).toMatchObject({ type: 'userspace', kubeconfig: '/etc/cni/net.d/multus.d/multus.kubeconfig' });
    }
    const sriovNad = sriovDevicePlugin({ versions: { 'sriov-network-device-plugin': 'v3.7.0', 'sriov-cni': 'v2.8.1' } }, []).network(NS, 'sr', 'intel.com/x710_dpdk', { vlan: 2000, spoofchk: 'off' });
    const storedSriov = await cluster.apply(sriovNad);
    expectNothingPruned(sriovNad, storedSriov);
    expect(storedSriov.metadata.annotations?.['k8s.v1.cni.cncf.io/resourceName']).toBe('intel.com/x710_dpdk');
    const wrong = await cluster.apply({ apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', metadata: { name: 'wrong', namespace: NS }, spec: { config: { type: 'sriov' } } }).catch((e: unknown) => (e as Error).message);
    expect(wrong).toContain('NetworkAttachmentDefinition.k8s.cni.cncf.io "wrong" is invalid: spec.config: Invalid value: "object": spec.config in body must be of type string: "object"');
    await cluster.teardown(15_000);
  } finally {
    await fake.stop();
  }
});

test('PodSecurity: a namespace enforcing baseline refuses our DPDK pod with the real message; the driver stops before deploying', async () => {
  const fake = await startFakeCluster();
  try {
    const cluster = await Cluster.fromLab({ kubeconfig: fake.kubeconfigPath, context: fake.context, namespace: NS }, 'r-crd', { pollMs: 10 });
    const spec = parseWorkloadSpec({ name: 'dut', role: 'l3fwd', image: 'x', cpus: 1, memoryMi: 256, hugepages: { pageSize: '2Mi', amountMi: 512 }, networks: [{ nad: 'vu', expect: 'vhost-user' }] });
    const pod = workloadPod(spec, NS);
    const need = podSecurityNeed(pod);
    expect(need.level).toBe('privileged');
    expect(need.reasons).toEqual(expect.arrayContaining(['container l3fwd adds capability IPC_LOCK', 'hostPath volume shared-dir']));

    // A namespace someone else made, enforcing baseline: the run stops before anything is deployed.
    const nsRt = fake.server.store.typeFor('', 'v1', 'namespaces');
    fake.server.store.create(nsRt, undefined, { metadata: { name: NS, labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } }, 'admin');
    const existing = await cluster.ensure(namespace(NS, podSecurityLabels(need.level)));
    expect(existing.owned).toBe(false);
    expect(() => checkNamespaceAllows(cluster, existing.obj, need)).toThrow(/namespace wsp-crd enforces PodSecurity "baseline", and the pods of this scenario need "privileged": .*container l3fwd adds capability IPC_LOCK.*hostPath volume shared-dir[\s\S]*hint: label the namespace pod-security\.kubernetes\.io\/enforce=privileged/);
    // Had it tried, the server would have refused the pod as kube-apiserver does.
    const refused = await cluster.apply(pod).catch((e: unknown) => (e as Error).message);
    expect(refused).toMatch(/403 Forbidden: pods "dut" is forbidden: violates PodSecurity "baseline:latest": non-default capabilities \(container "l3fwd" must not include "IPC_LOCK", "SYS_NICE", "NET_ADMIN", "SYS_RESOURCE" in securityContext\.capabilities\.add\), hostPath volumes \(volume "shared-dir"\)/);
    expect(cluster.ownedObjects()).toEqual([]);
  } finally {
    await fake.stop();
  }
});
