/**
 * Kubernetes failover orchestration, for datapaths whose pods carry no traffic here (SR-IOV, vDPA, memif on
 * the fake cluster): the DUT pod is deleted, a replacement becomes Ready and gets its networks re-attached with
 * usable devices. Where the datapath runs in pods (vhost-user) the failover suite deletes the DUT pod under
 * traffic and measures the blocked time (suites/failover.spec.ts, event pod-delete). Device-plugin restart and
 * PF link down need real nodes.
 */
import { refOf } from '../../drivers/kubernetes/kube-object.ts';
import { deployWorkload } from '../../drivers/kubernetes/workloads/workload.ts';
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

test('kubernetes failover: device-plugin restart and PF link down', async () => {
  test.skip(true, 'needs real hardware: restarting the device plugin and downing a PF act on real nodes and NICs, which no fake can stand in for');
});
