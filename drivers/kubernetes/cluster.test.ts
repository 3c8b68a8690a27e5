/**
 * The production Cluster driver against the fake API server of fixtures/kube (real HTTP, real
 * @kubernetes/client-node): apply ordering, waits that time out naming object and condition, teardown of a
 * half-failed deploy, bad inputs from the cluster, and the pod-exec Shell.
 */
import { expect, test } from '@playwright/test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { readFileSync } from 'node:fs';
import { ConfigError, ProvisionError, TimeoutError } from '../../core/errors.ts';
import { bundlePath, startFakeCluster, type BundleName, type FakeCluster } from '../../fixtures/kube/fake-cluster.ts';
import type { NodeAgentOptions } from '../../fixtures/kube/node-agent.ts';
import { Cluster, ForeignObjectError, loadKubeconfig } from './cluster.ts';
import { crdEstablished, NETWORK_STATUS_ANNOTATION, podReady } from './conditions.ts';
import { RUN_LABEL, type KubeObject } from './kube-object.ts';
import { parseNetworkStatus } from './network-status.ts';
import { podShell } from './pod-shell.ts';
import { namespace, type ComponentSources } from './stack/component.ts';
import { multus } from './stack/multus.ts';
import { OPERATOR_NAMESPACE, sriovOperator } from './stack/sriov-operator.ts';
import { sriovDevicePlugin } from './stack/sriov-device-plugin.ts';
import { userspaceCni } from './stack/userspace-cni.ts';
import { deployWorkload } from './workloads/workload.ts';

const VERSIONS = { multus: 'v4.1.0', 'sriov-network-operator': 'v1.4.0', 'userspace-cni': 'v1.3', 'sriov-network-device-plugin': 'v3.7.0', 'sriov-cni': 'v2.8.1' };
/** Everything installed by the run from our bundles (the cluster starts empty). */
const INSTALL: ComponentSources = {
  versions: VERSIONS,
  install: Object.fromEntries((['multus', 'sriov-network-operator', 'userspace-cni', 'sriov-network-device-plugin', 'sriov-cni'] as BundleName[]).map((b) => [b, bundlePath(b)])),
};
const NS = 'wsp-test';

async function withCluster(agent: NodeAgentOptions, fn: (c: Cluster, fake: FakeCluster) => Promise<void>, preinstalled: BundleName[] = []): Promise<void> {
  const fake = await startFakeCluster({ agent, preinstalled });
  try {
    const cluster = await Cluster.fromLab({ kubeconfig: fake.kubeconfigPath, context: fake.context, namespace: NS }, 'r-test', { pollMs: 10 });
    await fn(cluster, fake);
    expect(fake.agent.errors).toEqual([]);
  } finally {
    await fake.stop();
  }
}

/** A CRD of one of our bundles. */
function bundleCrd(bundle: BundleName, name: string): KubeObject {
  const docs = parseAllDocuments(readFileSync(bundlePath(bundle), 'utf8')).map((d) => d.toJS() as KubeObject);
  return docs.find((d) => d.kind === 'CustomResourceDefinition' && d.metadata.name === name)!;
}

/** Every object in the fake store that carries the run label. */
const labelled = (fake: FakeCluster) => fake.server.store.all().filter((e) => e.obj.metadata.labels?.[RUN_LABEL] === 'r-test').map((e) => `${e.rt.kind} ${e.obj.metadata.name}`);

test('apply creates (field manager wirespeed, labelled, uid recorded); re-applying an object of the run reports a conflict unless forced', async () => {
  await withCluster({}, async (cluster, fake) => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: NS }, data: { a: '1' } };
    await cluster.apply(namespace(NS));
    const out = await cluster.apply(cm);
    expect(out.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'wirespeed', [RUN_LABEL]: 'r-test' });
    const stored = fake.server.store.get(fake.server.store.typeFor('', 'v1', 'configmaps'), NS, 'cfg');
    expect(stored.metadata.managedFields?.map((m) => m.manager)).toEqual(['wirespeed']);
    expect(cluster.ownedObjects().map((o) => [o.ref.kind, o.uid])).toEqual([['Namespace', expect.any(String)], ['ConfigMap', stored.metadata.uid]]);
    // Another manager takes data.a; our apply with a different value must not silently overwrite it.
    fake.server.store.apply(fake.server.store.typeFor('', 'v1', 'configmaps'), NS, 'cfg', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '2' } }, 'someone-else', true);
    const conflict = await cluster.apply({ ...cm, data: { a: '3' } }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ProvisionError);
    expect(String((conflict as Error).message)).toMatch(/apply ConfigMap wsp-test\/cfg: 409 Conflict: Apply failed with 1 conflict: conflict with "someone-else": \.data\.a/);
    await cluster.apply({ ...cm, data: { a: '3' } }, { force: true });
    expect(fake.server.store.get(fake.server.store.typeFor('', 'v1', 'configmaps'), NS, 'cfg')['data']).toEqual({ a: '3' });
  });
});

test('apply ordering: a custom resource before its CRD is Established fails clearly; installs create the CRD, wait, then the rest', async () => {
  await withCluster({}, async (cluster, fake) => {
    const early = await cluster.apply({ apiVersion: 'sriovnetwork.openshift.io/v1', kind: 'SriovNetwork', metadata: { name: 'n', namespace: NS }, spec: {} }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(ProvisionError);
    expect(String((early as Error).message)).toMatch(/create SriovNetwork wsp-test\/n: the API server does not serve this kind[\s\S]*hint: apply its CRD and wait until it is Established first/);

    fake.server.requests.length = 0;
    const state = await multus(INSTALL).up(cluster);
    expect(state).toMatchObject({ how: 'installed', version: 'v4.1.0-thick', namespace: 'kube-system' });
    const seq = fake.server.requests.filter((r) => r.startsWith('POST'));
    const crdAt = seq.findIndex((r) => r === 'POST /apis/apiextensions.k8s.io/v1/customresourcedefinitions');
    const dsAt = seq.findIndex((r) => r === 'POST /apis/apps/v1/namespaces/kube-system/daemonsets');
    expect(crdAt).toBeGreaterThanOrEqual(0);
    expect(dsAt).toBeGreaterThan(crdAt);
    // Between them the driver read the CRD until Established (the wait), before sending anything else.
    const all = fake.server.requests;
    const firstPostAfterCrd = all.findIndex((r, i) => i > all.indexOf(seq[crdAt]!) && r.startsWith('POST'));
    expect(all.slice(all.indexOf(seq[crdAt]!) + 1, firstPostAfterCrd).some((r) => r === 'GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/network-attachment-definitions.k8s.cni.cncf.io')).toBe(true);
    // Its readiness is the real signal: the DaemonSet rolled out (the multus-daemon found its config and runs).
    expect(fake.server.requests).toContain('GET /apis/apps/v1/namespaces/kube-system/daemonsets/kube-multus-ds');
  });
});

test('waits time out with a TimeoutError naming the object and the condition', async () => {
  await withCluster({ faults: { neverEstablish: ['sriovnetworks.sriovnetwork.openshift.io'], podsNeverReady: ['stuck'] } }, async (cluster) => {
    await cluster.apply(bundleCrd('sriov-network-operator', 'sriovnetworks.sriovnetwork.openshift.io'));
    const crdErr = await cluster.waitFor({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'sriovnetworks.sriovnetwork.openshift.io' }, crdEstablished, 300).catch((e: unknown) => e);
    expect(crdErr).toBeInstanceOf(TimeoutError);
    expect((crdErr as Error).message).toMatch(/^cluster context wirespeed-fake \(http:\/\/127\.0\.0\.1:\d+\): CustomResourceDefinition sriovnetworks\.sriovnetwork\.openshift\.io: CRD Established \(last seen: no Established condition yet\) \(timed out after 300 ms\)/);

    await cluster.apply(namespace(NS));
    await cluster.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stuck', namespace: NS }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    const podErr = await cluster.waitFor({ apiVersion: 'v1', kind: 'Pod', name: 'stuck', namespace: NS }, podReady, 300).catch((e: unknown) => e);
    expect(podErr).toBeInstanceOf(TimeoutError);
    expect((podErr as Error).message).toMatch(/Pod wsp-test\/stuck: Pod Ready \(last seen: phase Running, Ready=False\)/);
    // The pod's events and log are in the error, for the report.
    expect((podErr as Error).message).toMatch(/events of Pod wsp-test\/stuck:\n\s+Normal Scheduled: Successfully assigned wsp-test\/stuck to worker-0/);
    expect((podErr as Error).message).toMatch(/log of Pod wsp-test\/stuck:/);
  });
});

test('a device resource that never appears in allocatable times out naming the resource; an unschedulable pod says why', async () => {
  await withCluster({ faults: { ignorePolicies: true } }, async (cluster) => {
    const op = sriovOperator(INSTALL, { timeoutMs: 10_000 });
    await op.up(cluster);
    const err = await op.applyPolicy(cluster, { name: 'p', resourceName: 'never_there', numVfs: 2, nicSelector: { rootDevices: ['0000:3b:00.0'] }, deviceType: 'vfio-pci' }, { timeoutMs: 400 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/SR-IOV policy applied: SriovNetworkNodeState syncStatus Succeeded and node allocatable openshift\.io\/never_there ≥ 2 \(last seen: states Succeeded; allocatable worker-0: 0\)/);

    await cluster.apply(namespace(NS));
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'wants-vf', namespace: NS }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { 'openshift.io/never_there': '1' }, limits: { 'openshift.io/never_there': '1' } } }] } };
    await cluster.apply(pod);
    const podErr = await cluster.waitFor({ apiVersion: 'v1', kind: 'Pod', name: 'wants-vf', namespace: NS }, podReady, 300).catch((e: unknown) => e);
    expect((podErr as Error).message).toMatch(/not scheduled: 0\/1 nodes are available: 1 Insufficient openshift\.io\/never_there/);
    expect((podErr as Error).message).toMatch(/Warning FailedScheduling/);
    await cluster.teardown(5000);
  });
});

test('a policy the config daemon rejects fails at once with its lastSyncError', async () => {
  await withCluster({}, async (cluster) => {
    const op = sriovOperator(INSTALL, { timeoutMs: 10_000 });
    await op.up(cluster);
    const err = await op.applyPolicy(cluster, { name: 'too-many', resourceName: 'x', numVfs: 100, nicSelector: { rootDevices: ['0000:65:00.0'] } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvisionError);
    expect((err as Error).message).toMatch(/worker-0: syncStatus Failed: policy too-many: numVfs 100 exceeds totalvfs 8 of ens2f0np0/);
    await cluster.teardown(5000);
  });
});

test('teardown after a deploy that failed half-way leaves no object with the run label', async () => {
  await withCluster({}, async (cluster, fake) => {
    await cluster.apply(namespace(NS));
    await multus(INSTALL).up(cluster);
    const op = sriovOperator(INSTALL, { timeoutMs: 10_000 });
    await op.up(cluster);
    await op.applyPolicy(cluster, { name: 'vfio', resourceName: 'vfio_a', numVfs: 2, nicSelector: { rootDevices: ['0000:3b:00.0'] }, deviceType: 'vfio-pci' });
    await op.applyNetwork(cluster, { name: 'net-a', resourceName: 'vfio_a', networkNamespace: NS, vlan: 7 });
    // The deploy fails half-way: a pod asking for more VFs than exist never gets scheduled.
    const half = deployWorkload(cluster, { name: 'dut', role: 'l3fwd', image: 'x', cpus: 2, memoryMi: 256, hugepages: { pageSize: '2Mi', amountMi: 512 }, devices: { 'openshift.io/vfio_a': 3 }, networks: [{ nad: 'net-a', expect: 'pci' }] }, { runId: 'r-test', timeoutMs: 300 });
    await expect(half).rejects.toThrow(/Pod wsp-test\/dut: Pod Ready/);
    expect(labelled(fake).length).toBeGreaterThan(10);
    const { deleted } = await cluster.teardown(10_000);
    expect(deleted).toContain('Pod wsp-test/dut');
    expect(deleted.indexOf('Pod wsp-test/dut')).toBeLessThan(deleted.indexOf('Namespace wsp-test'));
    expect(labelled(fake)).toEqual([]);
    expect(await cluster.leftovers()).toEqual([]);
    // What the operator made from our objects went with them (NAD via the SriovNetwork finalizer, DaemonSet pods).
    expect(fake.server.store.all().filter((e) => e.obj.metadata.namespace === NS || e.obj.metadata.namespace === OPERATOR_NAMESPACE)).toEqual([]);
    expect(fake.server.store.all().filter((e) => e.rt.kind === 'CustomResourceDefinition').map((e) => e.obj.metadata.name)).toEqual([]);
  });
});

test('missing and malformed network-status from the cluster give clear errors', async () => {
  await withCluster({}, async (cluster, fake) => {
    await cluster.apply(namespace(NS));
    // Without Multus the networks annotation is ignored: the pod runs, network-status never comes.
    const u = userspaceCni(INSTALL, { timeoutMs: 2000 });
    await cluster.apply(u.vppMemif(NS, 'memif-a', 4)).catch(() => undefined); // no NAD CRD yet: refused
    const err = await deployWorkload(cluster, { name: 'vpp', role: 'vpp', image: 'x', cpus: 2, memoryMi: 256, hugepages: { pageSize: '2Mi', amountMi: 512 }, networks: [{ nad: 'memif-a', expect: 'memif' }] }, { runId: 'r-test', timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/Pod wsp-test\/vpp: annotation k8s\.v1\.cni\.cncf\.io\/network-status present \(last seen: annotations: k8s\.v1\.cni\.cncf\.io\/networks\)[\s\S]*is the Multus DaemonSet running\?/);
    // A corrupted annotation (written by something else) is reported, not guessed around.
    const podRt = fake.server.store.typeFor('', 'v1', 'pods');
    fake.server.store.mergePatch(podRt, NS, 'vpp', { metadata: { annotations: { [NETWORK_STATUS_ANNOTATION]: '[{"name": "wsp-test/memif-a", "device-info": ' } } }, 'someone');
    const pod = await cluster.get({ apiVersion: 'v1', kind: 'Pod', name: 'vpp', namespace: NS });
    expect(() => parseNetworkStatus(pod!)).toThrow(/pod wsp-test\/vpp: k8s\.v1\.cni\.cncf\.io\/network-status is not valid JSON/);
    await cluster.teardown(5000);
    expect(labelled(fake)).toEqual([]);
  });
});

test('workloads on the userspace CNI get EAL arguments for the memif socket network-status reports', async () => {
  await withCluster({}, async (cluster) => {
    await cluster.apply(namespace(NS));
    await multus(INSTALL).up(cluster);
    const u = userspaceCni(INSTALL);
    await u.up(cluster);
    await cluster.apply(u.vppMemif(NS, 'memif-a', 4));
    const w = await deployWorkload(cluster, { name: 'gen', role: 'generator', image: 'x', cpus: 2, memoryMi: 256, hugepages: { pageSize: '2Mi', amountMi: 512 }, networks: [{ nad: 'memif-a', expect: 'memif' }] }, { runId: 'r-test' });
    expect(w.pod.spec).toMatchObject({ containers: [{ resources: { requests: { cpu: '2', memory: '256Mi', 'hugepages-2Mi': '512Mi' }, limits: { cpu: '2', memory: '256Mi', 'hugepages-2Mi': '512Mi' } } }] });
    expect(w.pod['status']).toMatchObject({ qosClass: 'Guaranteed' });
    const vdev = w.eal.argv[w.eal.argv.indexOf('--vdev') + 1]!;
    expect(vdev).toMatch(/^net_memif0,role=client,id=0,socket=\/var\/lib\/cni\/usrspcni\/memif-[0-9a-f]{12}-net1\.sock,socket-abstract=no$/);
    expect(w.command.slice(0, 2)).toEqual(['pktgen', '--file-prefix=wsp-r-test-gen']);
    await w.down();
    await cluster.teardown(5000);
  });
});

test('the pod-exec Shell returns stdout, stderr and the exit code from the status channel; stdin, files, spawn', async () => {
  await withCluster({}, async (cluster) => {
    await cluster.apply(namespace(NS));
    await cluster.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'box', namespace: NS }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    await cluster.waitFor({ apiVersion: 'v1', kind: 'Pod', name: 'box', namespace: NS }, podReady, 5000);
    const sh = podShell(cluster, NS, 'box', 'c');
    const r = await sh.exec(['sh', '-c', 'echo to-out; echo to-err >&2; exit 7']);
    expect([r.exitCode, r.stdout, r.stderr, r.timedOut]).toEqual([7, 'to-out\n', 'to-err\n', false]);
    expect((await sh.exec(['true'])).exitCode).toBe(0);
    await expect(sh.run(['sh', '-c', 'echo boom >&2; exit 3'])).rejects.toThrow(/pod wsp-test\/box \(container c\): command failed \(exit 3\): sh -c 'echo boom >&2; exit 3'\n\s+output: boom/);
    expect((await sh.exec(['no-such-program-wsp'])).exitCode).toBe(127);
    expect((await sh.exec(['cat'], { stdin: 'piped in' })).stdout).toBe('piped in');
    expect((await sh.exec(['sh', '-c', 'echo "$WSP_X"'], { env: { WSP_X: 'a b' } })).stdout).toBe('a b\n');
    const p = await sh.spawn(['sh', '-c', 'echo started; exec sleep 30']);
    expect(p.pid).toBeGreaterThan(0);
    await expect.poll(() => p.output()).toContain('started');
    const exit = await p.kill(2000);
    expect(exit.signal ?? exit.exitCode).toBeTruthy();
    await cluster.teardown(5000);
  });
});

test('without the operator: device plugin configMap + sriov-cni NAD give a pod pre-made vfio-pci VFs', async () => {
  await withCluster({}, async (cluster) => {
    await cluster.apply(namespace(NS));
    await multus(INSTALL).up(cluster);
    const dp = sriovDevicePlugin(INSTALL, [
      { resourceName: 'x710_dpdk', selectors: [{ vendors: ['8086'], devices: ['154c'], drivers: ['vfio-pci'], pfNames: ['ens1f1'] }], expectCount: 4 },
    ]);
    await dp.up(cluster);
    await cluster.apply(dp.network(NS, 'dpdk-net', 'intel.com/x710_dpdk', { vlan: 2000 }));
    const w = await deployWorkload(cluster, { name: 'tpmd', role: 'testpmd', image: 'x', cpus: 2, memoryMi: 512, hugepages: { pageSize: '1Gi', amountMi: 1024 }, devices: { 'intel.com/x710_dpdk': 1 }, networks: [{ nad: 'dpdk-net', expect: 'pci' }] }, { runId: 'r-test' });
    // The VFs pre-made on ens1f1 (0000:3b:00.1) sit on bus 3b after the PF's functions.
    expect(w.eal.argv).toEqual(expect.arrayContaining(['-a', '0000:3b:0a.0']));
    expect(w.command[0]).toBe('dpdk-testpmd');
    await cluster.teardown(5000);
    expect(await cluster.leftovers()).toEqual([]);
  });
});

test('a missing version pin is a ConfigError naming the inventory field', () => {
  expect(() => multus({ versions: {} })).toThrow(/cluster\.versions\.multus: no version pinned for multus/);
});

test('teardown goes on past an object stuck on a finalizer and names it', async () => {
  await withCluster({}, async (cluster, fake) => {
    await cluster.apply(namespace(NS));
    await cluster.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'stuck-role', finalizers: ['example.com/hold'] }, rules: [] });
    await cluster.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after', namespace: NS }, data: {} });
    const err = await cluster.teardown(600).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvisionError);
    expect((err as Error).message).toMatch(/ClusterRole stuck-role: .*deleted \(finalizers done\) \(last seen: still there, terminating, finalizers \[example\.com\/hold\]\)/);
    // Everything else went anyway.
    expect(labelled(fake)).toEqual(['ClusterRole stuck-role']);
  });
});

test('ownership, never adoption: a foreign object is refused by apply and delete, used read-only by ensure; teardown deletes only uids it created', async () => {
  await withCluster({}, async (cluster, fake) => {
    const cmRt = fake.server.store.typeFor('', 'v1', 'configmaps');
    fake.server.store.apply(cmRt, 'default', 'theirs', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'theirs', labels: { 'app.kubernetes.io/managed-by': 'Helm' } }, data: { k: 'v' } }, 'helm', true);
    const before = fake.server.store.get(cmRt, 'default', 'theirs');
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'theirs', namespace: 'default' };

    const err = await cluster.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'theirs', namespace: 'default' }, data: { k: 'mine' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForeignObjectError);
    expect((err as Error).message).toMatch(/ConfigMap default\/theirs already exists and this run did not create it \(app\.kubernetes\.io\/managed-by=Helm, written by helm, uid [0-9a-f-]+\)/);
    await expect(cluster.delete(ref)).rejects.toThrow(/refusing to delete ConfigMap default\/theirs: this run did not create it/);
    const used = await cluster.ensure({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'theirs', namespace: 'default' }, data: { k: 'mine' } });
    expect(used).toMatchObject({ owned: false, obj: { data: { k: 'v' } } });

    // An object of the run that someone deleted and recreated under the same name is not the run's any more.
    await cluster.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mine', namespace: 'default' }, data: {} });
    fake.server.store.delete(cmRt, 'default', 'mine');
    fake.server.store.apply(cmRt, 'default', 'mine', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mine' }, data: { someone: 'else' } }, 'someone', true);
    const recreated = fake.server.store.get(cmRt, 'default', 'mine');
    await cluster.teardown(5000);
    expect(fake.server.store.get(cmRt, 'default', 'mine').metadata.uid).toBe(recreated.metadata.uid);
    expect(fake.server.store.get(cmRt, 'default', 'theirs')).toEqual(before);
  });
});

test('pre-installed Multus and SR-IOV operator are found and used as they are; nothing of theirs is touched', async () => {
  await withCluster(
    {},
    async (cluster, fake) => {
      // What the admins installed: identity, labels, everything but status (their controllers keep that current).
      const snapshot = () =>
        fake.server.store
          .all()
          .filter((e) => e.obj.metadata.labels?.['app.kubernetes.io/managed-by'] === 'Helm')
          .map((e) => ({ kind: e.rt.kind, name: e.obj.metadata.name, uid: e.obj.metadata.uid, labels: e.obj.metadata.labels, body: { ...e.obj, metadata: undefined, status: undefined }, managers: (e.obj.metadata.managedFields ?? []).map((m) => m.manager) }));
      const before = snapshot();
      fake.server.requests.length = 0;
      expect(before.length).toBeGreaterThan(15);
      await cluster.ensure(namespace(NS));
      // The lab names manifests for both: they must not be applied onto the existing installations.
      const m = await multus(INSTALL).up(cluster);
      const op = sriovOperator(INSTALL, { timeoutMs: 10_000 });
      const o = await op.up(cluster);
      expect([m.how, o.how]).toEqual(['pre-installed', 'pre-installed']);
      expect(o.summary).toMatch(/^SR-IOV network operator v1\.4\.0 \(pre-installed: Deployment sriov-network-operator\/sriov-network-operator\)$/);
      await op.applyPolicy(cluster, { name: 'vfio', resourceName: 'vfio_a', numVfs: 2, nicSelector: { rootDevices: ['0000:3b:00.0'] }, deviceType: 'vfio-pci' });
      await op.applyNetwork(cluster, { name: 'net-a', resourceName: 'vfio_a', networkNamespace: NS, vlan: 7 });
      await cluster.teardown(20_000);
      expect(snapshot()).toEqual(before);
      expect(before.flatMap((b) => b.managers)).not.toContain('wirespeed');
      // Not one write went to their objects (reads are fine).
      const theirs = new Set(before.map((b) => b.name));
      expect(fake.server.requests.filter((r) => !r.startsWith('GET') && theirs.has(r.split('/').pop() ?? ''))).toEqual([]);
      expect(fake.server.store.all().filter((e) => e.obj.metadata.labels?.[RUN_LABEL] === 'r-test')).toEqual([]);
    },
    ['multus', 'sriov-network-operator'],
  );
});

test('a component the cluster lacks, with no manifests named, stops the run with what to do', async () => {
  await withCluster({}, async (cluster) => {
    const err = await multus({ versions: VERSIONS }).up(cluster).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvisionError);
    expect((err as Error).message).toMatch(/Multus CNI is not installed on the cluster \(no DaemonSet running an image like .*\) and the lab names no manifests to install it\n\s+hint: install Multus CNI v4\.1\.0 on the cluster .* or set cluster\.install\.multus/);
    // Manifests of another version are refused before anything is applied.
    const wrong = await multus({ versions: { multus: 'v4.2.0' }, install: { multus: bundlePath('multus') } }).up(cluster).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ConfigError);
    expect((wrong as Error).message).toMatch(/cluster\.install\.multus: .*multus-v4\.1\.0-thick\.yaml is not Multus CNI v4\.2\.0: it runs ghcr\.io\/k8snetworkplumbingwg\/multus-cni:v4\.1\.0-thick/);
    expect(cluster.ownedObjects()).toEqual([]);
  });
});

test('a kubeconfig with a YAML error is reported by position, without its token or key', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wsp-kubeconfig-'));
  try {
    const token = 'sekrit-token-abcdef123456';
    const key = 'LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t';
    const file = join(dir, 'kubeconfig');
    await writeFile(file, ['apiVersion: v1', 'kind: Config', 'clusters: [{name: c, cluster: {server: "https://10.0.0.1:6443"}}]', 'users:', '  - name: u', '    user:', `      token: ${token}`, `       client-key-data: ${key}`, 'contexts: [{name: x, context: {cluster: c, user: u}}]', 'current-context: x', ''].join('\n'), { mode: 0o600 });
    const err = await loadKubeconfig(file).then(() => undefined, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(/^cluster\.kubeconfig: cannot load kubeconfig .*: bad indentation of a mapping entry at line 8, column \d+\n\s+hint: fix the YAML there/);
    expect(err!.message).not.toContain(token);
    expect(err!.message).not.toContain(key);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
