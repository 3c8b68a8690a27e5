/**
 * Kubernetes failover orchestration, for datapaths whose pods carry no traffic here (SR-IOV, vDPA, memif on
 * the fake cluster): the DUT pod is deleted, a replacement becomes Ready and gets its networks re-attached with
 * usable devices. Where the datapath runs in pods (vhost-user) the failover suite deletes the DUT pod under
 * traffic and measures the blocked time (suites/failover.spec.ts, event pod-delete). The SR-IOV device plugin
 * restarted on the DUT node, where the inventory allows it (cluster.mayRestart.devicePlugin): the running pods
 * keep their VFs, the node advertises them again, a new pod gets VFs (the blocked time of traffic through the
 * pods is the failover suite's device-plugin-restart event). PF link down needs real nodes (bare metal).
 */
import { field, refOf } from '../../drivers/kubernetes/kube-object.ts';
import { podReady } from '../../drivers/kubernetes/conditions.ts';
import { restartDevicePlugin } from '../../drivers/kubernetes/device-plugin-restart.ts';
import { deployWorkload, type RunningWorkload } from '../../drivers/kubernetes/workloads/workload.ts';
import { MAY_RESTART_DEVICE_PLUGIN } from '../../lab/schema.ts';
import { deployScenario, unsupported } from '../../drivers/kubernetes/scenario.ts';
import { need } from '../../drivers/datapath/stack/requirements.ts';
import { expect, test } from './cluster-fixture.ts';

test.use({ requires: [need.kubernetes] });

test('kubernetes failover: DUT pod delete, replacement Ready with networks re-attached @failover', async ({ kube, lab, datapath, nic, settings, stackState }) => {
  const dutNic = lab.lab.nodesWithRole('dut').flatMap((n) => n.nics).find((n) => n.model === nic);
  const why = unsupported(datapath, dutNic);
  test.skip(why !== null, why ?? '');
  test.skip('running' in stackState, `${datapath} runs in pods here: the failover suite deletes the DUT pod under traffic (pod-delete)`);
  test.skip(datapath !== 'sriov' && lab.facts.nics[0] !== nic, `${datapath} does not use the NIC: it runs once, in the ${lab.facts.nics[0]} project`);
  const d = await deployScenario(kube.cluster, kube.sources, { datapath: datapath, ...(dutNic ? { nic: dutNic } : {}), runId: settings.runId, pageSize: kube.pageSize, sriovVia: kube.sriovVia });
  const dut = d.workloads.find((w) => w.spec.role !== 'generator')!;
  const oldUid = dut.pod.metadata.uid;

  await kube.cluster.deleteAndWait(refOf(dut.pod), 120_000);
  const replacement = await deployWorkload(kube.cluster, dut.spec, { runId: settings.runId });

  expect(replacement.pod.metadata.uid, 'a new pod, not the old one').not.toBe(oldUid);
  expect(replacement.devices.map((x) => x.kind)).toEqual(dut.devices.map((x) => x.kind));
  expect(replacement.devices.map((x) => x.network)).toEqual(dut.devices.map((x) => x.network));
  expect(replacement.eal.argv.length, 'EAL arguments rebuilt from the new network-status').toBeGreaterThan(0);
});

test('kubernetes failover: device-plugin restart, the running pods keep their VFs, the node advertises them again, a new pod gets VFs @failover', async ({ kube, lab, datapath, nic, settings }) => {
  test.skip(datapath !== 'sriov', `the device-plugin restart is an SR-IOV check: it runs in the sriov projects (this is ${datapath})`);
  const dutNic = lab.lab.nodesWithRole('dut').flatMap((n) => n.nics).find((n) => n.model === nic);
  const why = unsupported(datapath, dutNic);
  test.skip(why !== null, why ?? '');
  const daemonSet = kube.mayRestartDevicePlugin;
  test.skip(daemonSet === undefined, `the inventory names no device plugin the run may restart (${MAY_RESTART_DEVICE_PLUGIN}): restarting it deletes a pod wirespeed did not create`);
  const d = await deployScenario(kube.cluster, kube.sources, { datapath: 'sriov', ...(dutNic ? { nic: dutNic } : {}), runId: settings.runId, pageSize: kube.pageSize, sriovVia: kube.sriovVia });
  const [dut, gen] = d.workloads as [RunningWorkload, RunningWorkload];
  const node = String(field(dut.pod, 'spec', 'nodeName'));
  const vfsOf = (w: RunningWorkload) => w.devices.map((x) => (x.kind === 'pci' ? x.pciAddress : x.kind));

  const r = await restartDevicePlugin(kube.cluster, { daemonSet: daemonSet!, node });
  await test.info().attach('device-plugin-restart.json', { body: JSON.stringify(r, null, 2), contentType: 'application/json' });
  expect(r.newPod, 'the DaemonSet made a new pod').toBeDefined();
  expect(r.readyAfterS).toBeGreaterThanOrEqual(r.goneAfterS);
  // The node advertises the pool again as before (how allocatable dips meanwhile: fixtures/kube/fake-pods.test.ts).
  const resource = d.devicePlugin?.resource ?? d.sriov!.resource;
  const res = r.resources.find((x) => x.resource === resource);
  expect(res, `the plugin advertised ${resource}: ${JSON.stringify(r.resources)}`).toBeDefined();
  expect(res!.after, `allocatable ${resource} after the restart`).toBe(res!.before);

  // The running pods were left alone: same pods, Ready, their VFs still theirs.
  for (const w of [dut, gen]) {
    const now = await kube.cluster.get(refOf(w.pod));
    expect(now?.metadata.uid, `${w.spec.name} is the same pod`).toBe(w.pod.metadata.uid);
    expect(podReady.check(now), `${w.spec.name} still Ready`).toHaveProperty('ok');
  }
  // A new pod gets VFs through the restarted plugin: the generator's pod replaced (its two VFs freed first).
  const before = vfsOf(gen);
  await kube.cluster.deleteAndWait(refOf(gen.pod), 120_000);
  const fresh = await deployWorkload(kube.cluster, gen.spec, { runId: settings.runId });
  expect(fresh.pod.metadata.uid).not.toBe(gen.pod.metadata.uid);
  expect(vfsOf(fresh)).toHaveLength(before.length);
  for (const a of vfsOf(fresh)) expect(vfsOf(dut), 'not one of the DUT pod\'s VFs').not.toContain(a);
  d.workloads[1] = fresh;
});
