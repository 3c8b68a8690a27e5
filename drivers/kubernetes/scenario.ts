/**
 * What a Kubernetes scenario deploys for a datapath on a lab NIC: the namespace (labelled for the PodSecurity
 * level its pods need, or an existing one checked to allow it, before anything else is sent), the stack
 * (Multus plus the SR-IOV operator with a policy and a SriovNetwork, or userspace CNI NADs) and the workload
 * pods (DUT and generator). Returns what each workload got: devices, CPUs, EAL arguments, command line.
 */
import { ProvisionError } from '../../core/errors.ts';
import { nicModel, type NicModel } from '../../lab/nic-catalogue.ts';
import type { Nic } from '../../lab/model.ts';
import type { DatapathKind, SriovVia } from '../../lab/schema.ts';
import type { Cluster } from './cluster.ts';
import type { AttachmentKind } from './pod-devices.ts';
import { checkNamespaceAllows, podSecurityLabels, podSecurityNeed, strongestNeed, type PodSecurityNeed } from './pod-security.ts';
import { namespace, type ComponentSources } from './stack/component.ts';
import { multus } from './stack/multus.ts';
import { whereabouts } from './stack/nad.ts';
import { sriovDevicePlugin, type DevicePluginResource } from './stack/sriov-device-plugin.ts';
import { RESOURCE_PREFIX, sriovOperator, type SriovPolicySpec } from './stack/sriov-operator.ts';
import { userspaceCni } from './stack/userspace-cni.ts';
import { whereaboutsIpam } from './stack/whereabouts.ts';
import { parseWorkloadSpec, workloadPod, type WorkloadRole, type WorkloadSpec } from './workloads/pod-spec.ts';
import { deployWorkload, type RunningWorkload } from './workloads/workload.ts';

/** The NIC's catalogue entry, or undefined for a model the lab describes by PCI id. */
function catalogued(nic: Nic): NicModel | undefined {
  try {
    return nicModel(nic.model);
  } catch {
    return undefined;
  }
}

/** Workload images: wirespeed's own (DPDK 22.11 with l3fwd, testpmd and python3; wsp-gen), pktgen, VPP. */
export const IMAGES: Record<WorkloadRole, string> = {
  generator: 'ghcr.io/wirespeed/pktgen-dpdk:23.06.1',
  'wsp-gen': 'ghcr.io/wirespeed/wsp-gen:0.1',
  l3fwd: 'ghcr.io/wirespeed/dpdk:22.11',
  testpmd: 'ghcr.io/wirespeed/dpdk:22.11',
  vpp: 'ghcr.io/wirespeed/vpp:25.06',
};

export interface ScenarioOptions {
  readonly datapath: DatapathKind;
  /** The DUT NIC (SR-IOV, vDPA). */
  readonly nic?: Nic;
  readonly runId: string;
  /** Hugepage size of the DUT node (default 1Gi). */
  readonly pageSize?: '2Mi' | '1Gi';
  /** Who gives the pods their VFs (the lab's cluster.sriov.via; default the operator). */
  readonly sriovVia?: SriovVia;
  /** virtio_user ring depth of vhost-user ports (default 1024). */
  readonly queueSize?: number;
}

export interface Deployed {
  /** What was found or set up, for the report. */
  readonly stack: string[];
  readonly workloads: RunningWorkload[];
  /** For SR-IOV through the operator: the policy and network applied. */
  readonly sriov?: { policy: SriovPolicySpec; resource: string; network: string; vlan: number };
  /** For SR-IOV through the device plugin alone: the pool it advertises and the NAD. */
  readonly devicePlugin?: { pool: DevicePluginResource & { resourcePrefix: string }; resource: string; network: string; vlan: number };
}

/** Resource prefix the device plugin advertises its pools under when run without the operator (its default). */
export const DEVICE_PLUGIN_PREFIX = 'intel.com';

/** VFs a scenario's pods take from the pool: two each for the DUT and the generator. */
const POOL_VFS = 4;

/** Why this datapath cannot be deployed on this NIC (the skip reason), or null. */
export function unsupported(datapath: DatapathKind, nic: Nic | undefined): string | null {
  if (datapath === 'sriov' || datapath === 'vdpa') {
    if (!nic) return `needs a NIC on the DUT node for ${datapath}`;
    const m = catalogued(nic);
    if (datapath === 'vdpa' && !m?.capabilities.vdpa) return `needs a NIC with vDPA: ${m ? `${m.name} has none` : `${nic.model} is not in the NIC catalogue`}`;
    if (nic.ports.some((p) => !p.pci)) return `NIC ${nic.name} has ports without a PCI address`;
    return null;
  }
  if (datapath === 'vhost-user' || datapath === 'memif') return null;
  return `the Kubernetes scenarios cover sriov, vdpa, vhost-user and memif, not ${datapath}`;
}

/** The SR-IOV policy for a NIC: vfio-pci for Intel, netdevice + isRdma for Mellanox, switchdev + vhost for vDPA. */
export function sriovPolicyFor(datapath: 'sriov' | 'vdpa', nic: Nic): SriovPolicySpec {
  const model = catalogued(nic);
  // A NIC outside the catalogue is selected by the PCI id the lab gives it.
  const [vendor, deviceID] = (model?.pfPciId ?? nic.pciId ?? ':').split(':') as [string, string];
  const tag = nic.name.replace(/[^a-z0-9]/g, '');
  const vdpa = datapath === 'vdpa';
  // Intel VFs go to vfio-pci for DPDK; Mellanox VFs stay on mlx5_core (bifurcated driver) and DPDK's mlx5
  // PMD opens them through their RDMA device (isRdma).
  const bifurcated = model ? model.dpdkBinding !== 'vfio-pci' : vendor === '15b3';
  const deviceType = !bifurcated && !vdpa ? 'vfio-pci' : 'netdevice';
  return {
    name: `wsp-${tag}-${datapath}`,
    resourceName: `wsp_${tag}_${datapath}`,
    numVfs: 4,
    nicSelector: { ...(vendor ? { vendor } : {}), ...(deviceID ? { deviceID } : {}), rootDevices: nic.ports.map((p) => p.pci!) },
    deviceType,
    ...(deviceType === 'netdevice' && !vdpa ? { isRdma: true } : {}),
    ...(vdpa ? { eSwitchMode: 'switchdev' as const, vdpaType: 'vhost' as const } : {}),
  };
}

/**
 * The device plugin's pool for a NIC without the operator: the NIC's VFs (its VF vendor:device, under its PFs
 * by PCI address) on the driver DPDK opens them with; the VFs must exist on the node beforehand (the plugin
 * makes none). Named like the operator's resource, so the same pods fit both.
 */
export function devicePluginPoolFor(datapath: 'sriov' | 'vdpa', nic: Nic): DevicePluginResource & { resourceName: string; resourcePrefix: string } {
  const model = nicModel(nic.model);
  const [vendor, device] = model.vfPciId.split(':') as [string, string];
  const vdpa = datapath === 'vdpa';
  const vfio = model.dpdkBinding === 'vfio-pci' && !vdpa;
  return {
    resourceName: sriovPolicyFor(datapath, nic).resourceName,
    resourcePrefix: DEVICE_PLUGIN_PREFIX,
    selectors: [
      {
        vendors: [vendor],
        devices: [device],
        drivers: [vfio ? 'vfio-pci' : model.vfKernelDriver],
        rootDevices: nic.ports.map((p) => p.pci!),
        ...(!vfio && !vdpa ? { isRdma: true } : {}),
        ...(vdpa ? { vdpaType: 'vhost' as const } : {}),
      },
    ],
    expectCount: POOL_VFS,
  };
}

/** The extended resource the scenario's pods request for their VFs. */
function vfResource(datapath: 'sriov' | 'vdpa', nic: Nic, via: SriovVia): string {
  if (via === 'device-plugin') {
    const pool = devicePluginPoolFor(datapath, nic);
    return `${pool.resourcePrefix}/${pool.resourceName}`;
  }
  return `${RESOURCE_PREFIX}/${sriovPolicyFor(datapath, nic).resourceName}`;
}

/** The workload pods of a scenario (DUT first), without deploying anything. */
export function scenarioPods(o: ScenarioOptions): WorkloadSpec[] {
  const pageSize = o.pageSize ?? '1Gi';
  const hugepages = { pageSize, amountMi: pageSize === '1Gi' ? 2048 : 512 } as const;
  const pod = (role: WorkloadRole, cpus: number, networks: string[], expect: AttachmentKind, devices: Record<string, number> = {}): WorkloadSpec => ({
    name: `wsp-${role === 'generator' || role === 'wsp-gen' ? 'tg' : 'dut'}-${o.datapath}`,
    role,
    image: IMAGES[role],
    cpus,
    memoryMi: 1024,
    hugepages,
    devices,
    networks: networks.map((nad, i) => ({ nad, interface: `net${i + 1}`, expect })),
  });
  switch (o.datapath) {
    case 'sriov':
    case 'vdpa': {
      if (!o.nic) throw new ProvisionError(`${o.datapath} needs a NIC`, { where: `scenario ${o.datapath}` });
      const policy = sriovPolicyFor(o.datapath, o.nic);
      const network = `${policy.name}-net`;
      const devices = { [vfResource(o.datapath, o.nic, o.sriovVia ?? 'operator')]: 2 };
      const expect: AttachmentKind = o.datapath === 'vdpa' ? 'vdpa' : 'pci';
      return [pod('l3fwd', 2, [network, network], expect, devices), pod('generator', 4, [network, network], expect, devices)];
    }
    case 'vhost-user':
      // l3fwd polls on its main lcore and wsp-gen on one: one exclusive CPU each.
      return [pod('l3fwd', 1, ['wsp-vhost-a', 'wsp-vhost-b'], 'vhost-user'), pod('wsp-gen', 1, ['wsp-vhost-a', 'wsp-vhost-b'], 'vhost-user')];
    case 'memif':
      return [pod('vpp', 2, ['wsp-memif-a', 'wsp-memif-b'], 'memif'), pod('generator', 4, ['wsp-memif-a', 'wsp-memif-b'], 'memif')];
    default:
      throw new ProvisionError(`no Kubernetes scenario for ${o.datapath}`, { where: `scenario ${o.datapath}` });
  }
}

/** The PodSecurity level the scenario's pods need. */
export function scenarioPodSecurity(namespaceName: string, pods: readonly WorkloadSpec[]): PodSecurityNeed {
  return strongestNeed(pods.map((p) => podSecurityNeed(workloadPod(parseWorkloadSpec(p), namespaceName))));
}

/**
 * The workload namespace: created and labelled for the pods' level, or (someone else's) checked to allow it.
 * Nothing else is sent before this passed. Returns the report line.
 */
export async function prepareNamespace(cluster: Cluster, pods: readonly WorkloadSpec[]): Promise<string> {
  const need = scenarioPodSecurity(cluster.namespace, pods);
  const ns = await cluster.ensure(namespace(cluster.namespace, podSecurityLabels(need.level)));
  if (!ns.owned) checkNamespaceAllows(cluster, ns.obj, need);
  return `namespace ${cluster.namespace} (${ns.owned ? `created by the run, PodSecurity ${need.level}` : `pre-existing, used as it is: ${ns.owner}`}; the pods need PodSecurity ${need.level})`;
}

/** Namespace, stack and workload pods of a scenario. */
export async function deployScenario(cluster: Cluster, sources: ComponentSources, o: ScenarioOptions): Promise<Deployed> {
  const pods = scenarioPods(o);
  const stack = [await prepareNamespace(cluster, pods)];
  stack.push((await multus(sources).up(cluster)).summary);
  switch (o.datapath) {
    case 'sriov':
    case 'vdpa':
      if (o.sriovVia === 'device-plugin') return deployDevicePlugin(cluster, sources, o.datapath, o.nic!, o.runId, stack, pods);
      return deploySriov(cluster, sources, o.datapath, o.nic!, o, stack, pods);
    case 'vhost-user':
    case 'memif':
      return deployUserspace(cluster, sources, o.datapath, o, stack, pods);
    default:
      throw new ProvisionError(`no Kubernetes scenario for ${o.datapath}`, { where: `scenario ${o.datapath}` });
  }
}

async function deploySriov(cluster: Cluster, sources: ComponentSources, datapath: 'sriov' | 'vdpa', nic: Nic, o: ScenarioOptions, stack: string[], pods: WorkloadSpec[]): Promise<Deployed> {
  const op = sriovOperator(sources);
  stack.push((await op.up(cluster)).summary);
  const policy = sriovPolicyFor(datapath, nic);
  const { resource } = await op.applyPolicy(cluster, policy);
  stack.push(`SriovNetworkNodePolicy ${policy.name}: ${policy.numVfs} VFs per PF of ${nic.name} (${catalogued(nic)?.name ?? nic.model}), deviceType ${policy.deviceType}${policy.isRdma ? ', isRdma' : ''}${policy.vdpaType ? `, switchdev, vdpaType ${policy.vdpaType}` : ''} -> ${resource}`);
  const vlan = 100;
  const network = `${policy.name}-net`;
  // Kernel-netdev VFs (bifurcated mlx5) get addresses; vfio-pci and vDPA VFs have no netdev to address.
  const addressed = policy.deviceType === 'netdevice' && !policy.vdpaType;
  if (addressed) stack.push(`${(await whereaboutsIpam(sources).up(cluster)).summary}: IPAM for the kernel-netdev VFs`);
  await op.applyNetwork(cluster, { name: network, resourceName: policy.resourceName, networkNamespace: cluster.namespace, vlan, spoofChk: 'off', trust: 'on', ...(addressed ? { ipam: whereabouts('192.0.2.0/24') } : {}) });
  stack.push(`SriovNetwork ${network}: vlan ${vlan}, spoofChk off, trust on (NAD rendered by the operator)`);
  const workloads: RunningWorkload[] = [];
  for (const p of pods) workloads.push(await deployWorkload(cluster, p, { runId: o.runId, ...(o.queueSize === undefined ? {} : { queueSize: o.queueSize }) }));
  return { stack, workloads, sriov: { policy, resource, network, vlan } };
}

async function deployDevicePlugin(cluster: Cluster, sources: ComponentSources, datapath: 'sriov' | 'vdpa', nic: Nic, runId: string, stack: string[], pods: WorkloadSpec[]): Promise<Deployed> {
  const pool = devicePluginPoolFor(datapath, nic);
  const resource = `${pool.resourcePrefix}/${pool.resourceName}`;
  const dp = sriovDevicePlugin(sources, [pool]);
  stack.push((await dp.up(cluster)).summary);
  const sel = pool.selectors[0]!;
  stack.push(`device plugin pool ${resource}: VFs ${sel.vendors!.join(',')}:${sel.devices!.join(',')} on ${sel.drivers!.join(',')} under ${nic.name} (${sel.rootDevices!.join(', ')}), ${pool.expectCount} allocatable (made on the node beforehand: the plugin makes no VF)`);
  const vlan = 100;
  const network = `${sriovPolicyFor(datapath, nic).name}-net`;
  // Kernel-netdev VFs (bifurcated mlx5) get addresses; vfio-pci and vDPA VFs have no netdev to address.
  const addressed = sel.isRdma === true;
  if (addressed) stack.push(`${(await whereaboutsIpam(sources).up(cluster)).summary}: IPAM for the kernel-netdev VFs`);
  await cluster.apply(dp.network(cluster.namespace, network, resource, { vlan, spoofchk: 'off', trust: 'on', ...(addressed ? { ipam: whereabouts('192.0.2.0/24') } : {}) }));
  stack.push(`NAD ${network}: sriov-cni, vlan ${vlan}, spoofchk off, trust on`);
  const workloads: RunningWorkload[] = [];
  for (const p of pods) workloads.push(await deployWorkload(cluster, p, { runId }));
  return { stack, workloads, devicePlugin: { pool, resource, network, vlan } };
}

async function deployUserspace(cluster: Cluster, sources: ComponentSources, datapath: 'vhost-user' | 'memif', o: ScenarioOptions, stack: string[], pods: WorkloadSpec[]): Promise<Deployed> {
  const u = userspaceCni(sources);
  stack.push((await u.up(cluster)).summary);
  const ns = cluster.namespace;
  const nads = datapath === 'vhost-user' ? [u.ovsVhostUser(ns, 'wsp-vhost-a', 'br-wsp-a'), u.ovsVhostUser(ns, 'wsp-vhost-b', 'br-wsp-b')] : [u.vppMemif(ns, 'wsp-memif-a', 10), u.vppMemif(ns, 'wsp-memif-b', 11)];
  await cluster.applyAll(nads);
  stack.push(`NADs ${nads.map((n) => n.metadata.name).join(', ')}: ${datapath === 'vhost-user' ? 'OVS-DPDK vhost-user bridges, pod side vhost server' : 'VPP memif bridge-domains, host master / pod slave'}`);
  const workloads: RunningWorkload[] = [];
  for (const p of pods) workloads.push(await deployWorkload(cluster, p, { runId: o.runId, ...(o.queueSize === undefined ? {} : { queueSize: o.queueSize }) }));
  return { stack, workloads };
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
