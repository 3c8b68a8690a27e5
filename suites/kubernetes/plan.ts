/**
 * What the Kubernetes scenarios deploy for a datapath on a lab NIC: the stack (Multus plus the SR-IOV
 * operator with a policy and a SriovNetwork, or userspace CNI NADs) and the workload pods (generator + DUT)
 * on it. Returns what each workload got: devices and the command line with its EAL arguments.
 */
import { nicModel } from '../../lab/nic-catalogue.ts';
import type { Cluster } from '../../drivers/kubernetes/cluster.ts';
import { namespace, type ComponentSources } from '../../drivers/kubernetes/stack/component.ts';
import { multus } from '../../drivers/kubernetes/stack/multus.ts';
import { whereabouts } from '../../drivers/kubernetes/stack/nad.ts';
import { sriovOperator, type SriovPolicySpec } from '../../drivers/kubernetes/stack/sriov-operator.ts';
import { userspaceCni } from '../../drivers/kubernetes/stack/userspace-cni.ts';
import { whereaboutsIpam } from '../../drivers/kubernetes/stack/whereabouts.ts';
import { deployWorkload, type RunningWorkload } from '../../drivers/kubernetes/workloads/workload.ts';
import type { WorkloadRole, WorkloadSpec } from '../../drivers/kubernetes/workloads/pod-spec.ts';
import type { AttachmentKind } from '../../drivers/kubernetes/pod-devices.ts';
import type { Nic } from '../../lab/model.ts';
import type { DatapathKind } from '../../lab/schema.ts';
import type { KubeLab } from './cluster-fixture.ts';

export const IMAGES: Record<WorkloadRole, string> = {
  generator: 'ghcr.io/wirespeed/pktgen-dpdk:24.10.3',
  l3fwd: 'ghcr.io/wirespeed/dpdk:22.11',
  testpmd: 'ghcr.io/wirespeed/dpdk:22.11',
  vpp: 'ghcr.io/wirespeed/vpp:24.10',
};

export interface Deployed {
  /** What was set up, for the report: "SriovNetworkNodePolicy wsp-x710: 4 VFs vfio-pci -> openshift.io/wsp_x710". */
  stack: string[];
  workloads: RunningWorkload[];
  /** For SR-IOV: the policy and network applied. */
  sriov?: { policy: SriovPolicySpec; resource: string; network: string; vlan: number };
}

/** Why this datapath cannot run on this NIC here (the skip reason), or null. */
export function unsupported(datapath: DatapathKind, nic: Nic | undefined): string | null {
  if (datapath === 'sriov' || datapath === 'vdpa') {
    if (!nic) return `needs a NIC on the DUT node for ${datapath}`;
    const m = nicModel(nic.model);
    if (datapath === 'vdpa' && !m.capabilities.vdpa) return `needs a NIC with vDPA: ${m.name} has none`;
    if (nic.ports.some((p) => !p.pci)) return `NIC ${nic.name} has ports without a PCI address`;
    return null;
  }
  if (datapath === 'vhost-user' || datapath === 'memif') return null;
  return `the Kubernetes scenarios cover sriov, vdpa, vhost-user and memif, not ${datapath}`;
}

export async function deployFor(kube: KubeLab, datapath: DatapathKind, nic: Nic | undefined, runId: string): Promise<Deployed> {
  const { cluster, sources } = kube;
  const stack: string[] = [];
  const ns = await cluster.ensure(namespace(cluster.namespace));
  stack.push(`namespace ${cluster.namespace} (${ns.owned ? 'created by the run' : `pre-existing, used as it is: ${ns.owner}`})`);
  const m = await multus(sources).up(cluster);
  stack.push(m.summary);
  switch (datapath) {
    case 'sriov':
    case 'vdpa':
      return deploySriov(cluster, sources, datapath, nic!, runId, stack);
    case 'vhost-user':
    case 'memif':
      return deployUserspace(cluster, sources, datapath, runId, stack);
    default:
      throw new Error(`no Kubernetes plan for ${datapath}`);
  }
}

async function deploySriov(cluster: Cluster, sources: ComponentSources, datapath: 'sriov' | 'vdpa', nic: Nic, runId: string, stack: string[]): Promise<Deployed> {
  const op = sriovOperator(sources);
  stack.push((await op.up(cluster)).summary);
  const model = nicModel(nic.model);
  const [vendor, deviceID] = model.pfPciId.split(':') as [string, string];
  const tag = nic.name.replace(/[^a-z0-9]/g, '');
  const vdpa = datapath === 'vdpa';
  // Intel VFs go to vfio-pci for DPDK; Mellanox VFs stay on mlx5_core (bifurcated driver).
  const deviceType = model.dpdkBinding === 'vfio-pci' && !vdpa ? 'vfio-pci' : 'netdevice';
  // mlx5 VFs stay on the kernel driver; DPDK's mlx5 PMD opens them through their RDMA device (isRdma).
  const rdma = deviceType === 'netdevice' && !vdpa;
  const policy: SriovPolicySpec = {
    name: `wsp-${tag}-${datapath}`,
    resourceName: `wsp_${tag}_${datapath}`,
    numVfs: 4,
    nicSelector: { vendor, deviceID, rootDevices: nic.ports.map((p) => p.pci!) },
    deviceType,
    ...(rdma ? { isRdma: true } : {}),
    ...(vdpa ? { eSwitchMode: 'switchdev' as const, vdpaType: 'vhost' as const } : {}),
  };
  const { resource } = await op.applyPolicy(cluster, policy);
  stack.push(`SriovNetworkNodePolicy ${policy.name}: ${policy.numVfs} VFs per PF of ${nic.name} (${model.name}), deviceType ${deviceType}${rdma ? ', isRdma' : ''}${vdpa ? ', switchdev, vdpaType vhost' : ''} -> ${resource}`);
  const vlan = 100;
  const network = `wsp-${tag}-${datapath}-net`;
  // Kernel-netdev VFs (bifurcated mlx5) get addresses; vfio-pci and vDPA VFs have no netdev to address.
  const addressed = deviceType === 'netdevice' && !vdpa;
  if (addressed) stack.push(`${(await whereaboutsIpam(sources).up(cluster)).summary}: IPAM for the kernel-netdev VFs`);
  await op.applyNetwork(cluster, { name: network, resourceName: policy.resourceName, networkNamespace: cluster.namespace, vlan, spoofChk: 'off', trust: 'on', ...(addressed ? { ipam: whereabouts('192.0.2.0/24') } : {}) });
  stack.push(`SriovNetwork ${network}: vlan ${vlan}, spoofChk off, trust on (NAD rendered by the operator)`);
  const expect: AttachmentKind = vdpa ? 'vdpa' : 'pci';
  const two = [network, network];
  const workloads = await deployPair(cluster, runId, datapath, [
    { role: 'l3fwd', networks: two, expect, devices: { [resource]: 2 } },
    { role: 'generator', networks: two, expect, devices: { [resource]: 2 } },
  ]);
  return { stack, workloads, sriov: { policy, resource, network, vlan } };
}

async function deployUserspace(cluster: Cluster, sources: ComponentSources, datapath: 'vhost-user' | 'memif', runId: string, stack: string[]): Promise<Deployed> {
  const u = userspaceCni(sources);
  stack.push((await u.up(cluster)).summary);
  const ns = cluster.namespace;
  const nads =
    datapath === 'vhost-user'
      ? [u.ovsVhostUser(ns, 'wsp-vhost-a', 'br-wsp-a'), u.ovsVhostUser(ns, 'wsp-vhost-b', 'br-wsp-b')]
      : [u.vppMemif(ns, 'wsp-memif-a', 10), u.vppMemif(ns, 'wsp-memif-b', 11)];
  await cluster.applyAll(nads);
  stack.push(`NADs ${nads.map((n) => n.metadata.name).join(', ')}: ${datapath === 'vhost-user' ? 'OVS-DPDK vhost-user, pod side vhost server' : 'VPP memif, host master / pod slave'}`);
  const names = nads.map((n) => n.metadata.name);
  const expect: AttachmentKind = datapath === 'vhost-user' ? 'vhost-user' : 'memif';
  const workloads = await deployPair(cluster, runId, datapath, [
    { role: datapath === 'vhost-user' ? 'testpmd' : 'vpp', networks: names, expect, devices: {} },
    { role: 'generator', networks: names, expect, devices: {} },
  ]);
  return { stack, workloads };
}

async function deployPair(cluster: Cluster, runId: string, datapath: string, pods: { role: WorkloadRole; networks: string[]; expect: AttachmentKind; devices: Record<string, number> }[]): Promise<RunningWorkload[]> {
  const out: RunningWorkload[] = [];
  for (const p of pods) {
    const spec: WorkloadSpec = {
      name: `wsp-${p.role}-${datapath}`,
      role: p.role,
      image: IMAGES[p.role],
      cpus: 4,
      memoryMi: 1024,
      hugepages: { pageSize: '1Gi', amountMi: 2048 },
      devices: p.devices,
      networks: p.networks.map((nad, i) => ({ nad, interface: `net${i + 1}`, expect: p.expect })),
    };
    out.push(await deployWorkload(cluster, spec, { runId }));
  }
  return out;
}

/** Human report of a deployment: the stack and each workload's devices and command line. */
export function describeDeployed(d: Deployed): string {
  const lines = ['stack:', ...d.stack.map((s) => `  ${s}`), 'workloads:'];
  for (const w of d.workloads) {
    lines.push(`  ${w.spec.role} (pod ${w.pod.metadata.namespace}/${w.pod.metadata.name}, CPUs ${w.cpus.join(',')}):`);
    for (const p of w.eal.ports) {
      const dev = p.device;
      lines.push(`    port ${p.port}: ${dev.network} ${dev.interface} -> ${dev.kind} ${dev.kind === 'pci' ? dev.pciAddress : dev.path}`);
    }
    lines.push(`    EAL: ${w.eal.argv.join(' ')}`);
    lines.push(`    command: ${w.command.join(' ')}`);
  }
  return lines.join('\n');
}
