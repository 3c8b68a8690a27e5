/**
 * SR-IOV stack conformance: the VFs a policy asks for appear as allocatable, the pod gets VFs of the selected
 * PFs bound as the policy says, and the VFs carry the settings the NAD asks for (VLAN). On the fake cluster
 * this checks the driver's reading of the cluster; on a hardware lab it checks the operator and the NIC.
 */
import { field } from '../../drivers/kubernetes/kube-object.ts';
import { OPERATOR_NAMESPACE, SRIOV_API } from '../../drivers/kubernetes/stack/sriov-operator.ts';
import { deployScenario, unsupported } from '../../drivers/kubernetes/scenario.ts';
import { need } from '../../drivers/datapath/stack/requirements.ts';
import { expect, test } from './cluster-fixture.ts';

test.use({ requires: [need.kubernetes, need.sriov] });

interface Vf { pciAddress: string; driver?: string; Vlan?: number }
interface Pf { pciAddress: string; numVfs?: number; Vfs?: Vf[] }

test('sriov conformance: allocatable VFs, the right device in the pod, VF settings from the NAD @conformance', async ({ kube, lab, datapath, nic, settings }) => {
  test.skip(datapath !== 'sriov', `SR-IOV conformance runs in the sriov projects (this is ${datapath})`);
  const dutNic = lab.lab.nodesWithRole('dut').flatMap((n) => n.nics).find((n) => n.model === nic);
  const why = unsupported(datapath, dutNic);
  test.skip(why !== null, why ?? '');
  test.skip(kube.sriovVia !== 'operator', `SR-IOV conformance reads the operator's SriovNetworkNodeState; this lab gives pods VFs through the device plugin alone (cluster.sriov.via: ${kube.sriovVia}): its pool and NAD are checked by the smoke scenario`);
  const d = await deployScenario(kube.cluster, kube.sources, { datapath: 'sriov', ...(dutNic ? { nic: dutNic } : {}), runId: settings.runId, pageSize: kube.pageSize, sriovVia: kube.sriovVia });
  const { policy, resource, vlan, network } = d.sriov!;
  const pfs = dutNic!.ports.map((p) => p.pci!);

  // 1. VFs appear as allocatable: numVfs per selected PF.
  const nodes = await kube.cluster.list('v1', 'Node');
  const total = nodes.reduce((s, n) => s + Number(field(n, 'status', 'allocatable', resource) ?? 0), 0);
  expect(total, `allocatable ${resource} over all nodes`).toBe(policy.numVfs * pfs.length);

  // 2. The pod gets VFs of the selected PFs, bound to the driver the policy asked for.
  const states = await kube.cluster.list(SRIOV_API, 'SriovNetworkNodeState', { namespace: OPERATOR_NAMESPACE });
  const vfs = new Map<string, Vf>();
  for (const s of states) for (const pf of (field(s, 'status', 'interfaces') as Pf[] | undefined) ?? []) if (pfs.includes(pf.pciAddress)) for (const vf of pf.Vfs ?? []) vfs.set(vf.pciAddress, vf);
  const dut = d.workloads.find((w) => w.spec.role === 'l3fwd')!;
  const got = dut.devices.map((x) => (x.kind === 'pci' ? x.pciAddress : `${x.kind}?`));
  expect(got).toHaveLength(2);
  expect(new Set(got).size, 'two different VFs').toBe(2);
  for (const addr of got) {
    const vf = vfs.get(addr);
    expect(vf, `VF ${addr} belongs to a PF the policy selected (${pfs.join(', ')})`).toBeDefined();
    if (policy.deviceType === 'vfio-pci') expect(vf!.driver, `VF ${addr} driver`).toBe('vfio-pci');
    // 3. VF settings as the NAD asks.
    expect(vf!.Vlan, `VF ${addr} VLAN set by sriov-cni from NAD ${network}`).toBe(vlan);
  }
  const nad = await kube.cluster.get({ apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', name: network, namespace: kube.cluster.namespace });
  expect(JSON.parse(String(field(nad, 'spec', 'config')))).toMatchObject({ type: 'sriov', vlan, spoofchk: 'off', trust: 'on' });
  expect(nad?.metadata.annotations?.['k8s.v1.cni.cncf.io/resourceName']).toBe(resource);
});
