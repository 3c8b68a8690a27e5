/**
 * The NICs wirespeed knows: PCI ids (pci.ids 2023.04.10 and real lspci captures), port speeds, drivers and
 * what each can do. Inventories name a model (`model: e810-c`); facts gathered on a host are matched on
 * `vendor:device`, never on the pci.ids name (names change between database versions).
 */
import { ConfigError } from '../core/errors.ts';

export interface NicCapabilities {
  readonly sriov: boolean;
  /** vDPA management device on its VFs/SFs (mlx5_vdpa): ConnectX-6 Dx and later. */
  readonly vdpa: boolean;
  /** `devlink dev eswitch set … mode switchdev`. */
  readonly switchdev: boolean;
  /** PTP hardware timestamps (rx/tx), usable for latency. */
  readonly hwTimestamps: boolean;
}

export interface NicModel {
  /** Inventory name: x710, xl710, xxv710, e810-c, e810-c-sfp, e810-xxv, cx5, cx6dx, cx6lx. */
  readonly model: string;
  readonly name: string;
  readonly vendor: 'intel' | 'nvidia';
  /** vendor:device of the PF. */
  readonly pfPciId: string;
  /** vendor:device of its VFs (154c is shared by the 700 series, 1889 is Intel's generic AVF id, 101e is shared by CX-6 Dx/Lx and later). */
  readonly vfPciId: string;
  /** Port speeds the parts support, in Gb/s; the first is the fastest. */
  readonly speedsGbps: readonly number[];
  /**
   * The speeds the parts with this PCI id are sold at (the port's full rate). One PCI id can be several
   * parts: MT27800 (15b3:1017) is the 25G MCX512A and the 100G MCX516A, ConnectX-6 Dx (15b3:101d) the 25G
   * MCX621102 and the 100G MCX623106. Only a single entry makes a catalogue speed; otherwise the speed
   * must come from the inventory or the node (`catalogueSpeedGbps`).
   */
  readonly partSpeedsGbps: readonly number[];
  readonly pfKernelDriver: string;
  readonly vfKernelDriver: string;
  /** DPDK PMD names (as in `dpdk-devbind` / EAL logs). */
  readonly pfDpdkDriver: string;
  readonly vfDpdkDriver: string;
  /**
   * How DPDK gets the device: 'vfio-pci' = unbind from the kernel driver and bind vfio-pci;
   * 'bifurcated' = stays on mlx5_core, DPDK opens it through the verbs (no rebinding, do not bind vfio-pci).
   */
  readonly dpdkBinding: 'vfio-pci' | 'bifurcated';
  /** sriov_totalvfs of one PF as the driver usually reports it (the device may report less). */
  readonly maxVfsPerPf: number;
  readonly capabilities: NicCapabilities;
}

const intel700 = { vendor: 'intel', vfPciId: '8086:154c', pfKernelDriver: 'i40e', vfKernelDriver: 'iavf', pfDpdkDriver: 'net_i40e', vfDpdkDriver: 'net_iavf', dpdkBinding: 'vfio-pci', maxVfsPerPf: 64, capabilities: { sriov: true, vdpa: false, switchdev: false, hwTimestamps: true } } as const;
const intel800 = { vendor: 'intel', vfPciId: '8086:1889', pfKernelDriver: 'ice', vfKernelDriver: 'iavf', pfDpdkDriver: 'net_ice', vfDpdkDriver: 'net_iavf', dpdkBinding: 'vfio-pci', maxVfsPerPf: 256, capabilities: { sriov: true, vdpa: false, switchdev: true, hwTimestamps: true } } as const;
const mlx5 = { vendor: 'nvidia', pfKernelDriver: 'mlx5_core', vfKernelDriver: 'mlx5_core', pfDpdkDriver: 'mlx5_pci', vfDpdkDriver: 'mlx5_pci', dpdkBinding: 'bifurcated', maxVfsPerPf: 127 } as const;

/** Every model in the catalogue. */
export const NIC_CATALOGUE: readonly NicModel[] = [
  { ...intel700, model: 'x710', name: 'Intel Ethernet Controller X710 for 10GbE SFP+', pfPciId: '8086:1572', speedsGbps: [10, 1], partSpeedsGbps: [10] },
  { ...intel700, model: 'xl710', name: 'Intel Ethernet Controller XL710 for 40GbE QSFP+', pfPciId: '8086:1583', speedsGbps: [40, 10], partSpeedsGbps: [40] },
  { ...intel700, model: 'xxv710', name: 'Intel Ethernet Controller XXV710 for 25GbE SFP28', pfPciId: '8086:158b', speedsGbps: [25, 10], partSpeedsGbps: [25] },
  { ...intel800, model: 'e810-c', name: 'Intel Ethernet Controller E810-C for QSFP', pfPciId: '8086:1592', speedsGbps: [100, 50, 40, 25, 10], partSpeedsGbps: [100] },
  { ...intel800, model: 'e810-c-sfp', name: 'Intel Ethernet Controller E810-C for SFP', pfPciId: '8086:1593', speedsGbps: [25, 10], partSpeedsGbps: [25] },
  { ...intel800, model: 'e810-xxv', name: 'Intel Ethernet Controller E810-XXV for SFP', pfPciId: '8086:159b', speedsGbps: [25, 10], partSpeedsGbps: [25] },
  { ...mlx5, model: 'cx5', name: 'NVIDIA ConnectX-5 (MT27800)', pfPciId: '15b3:1017', vfPciId: '15b3:1018', speedsGbps: [100, 50, 40, 25, 10], partSpeedsGbps: [25, 100], capabilities: { sriov: true, vdpa: false, switchdev: true, hwTimestamps: true } },
  { ...mlx5, model: 'cx6dx', name: 'NVIDIA ConnectX-6 Dx (MT2892)', pfPciId: '15b3:101d', vfPciId: '15b3:101e', speedsGbps: [100, 50, 25, 10], partSpeedsGbps: [25, 100], capabilities: { sriov: true, vdpa: true, switchdev: true, hwTimestamps: true } },
  { ...mlx5, model: 'cx6lx', name: 'NVIDIA ConnectX-6 Lx (MT2894)', pfPciId: '15b3:101f', vfPciId: '15b3:101e', speedsGbps: [25, 10], partSpeedsGbps: [25], capabilities: { sriov: true, vdpa: true, switchdev: true, hwTimestamps: true } },
];

/** The model named in an inventory; ConfigError listing the known ones otherwise. */
export function nicModel(model: string, where?: string): NicModel {
  const m = NIC_CATALOGUE.find((n) => n.model === model);
  if (!m)
    throw new ConfigError(`unknown NIC model '${model}'`, {
      ...(where === undefined ? {} : { where }),
      hint: `use one of ${NIC_CATALOGUE.map((n) => n.model).join(', ')} (or 'virtual' on the local lab)`,
    });
  return m;
}

/** The catalogue entry whose PF (or VF) has this vendor:device id. */
export function nicByPciId(pciId: string): { model: NicModel; function: 'pf' | 'vf' } | undefined {
  const id = pciId.toLowerCase();
  const pf = NIC_CATALOGUE.find((n) => n.pfPciId === id);
  if (pf) return { model: pf, function: 'pf' };
  // VF ids are shared between models: the first match is representative of the family
  const vf = NIC_CATALOGUE.find((n) => n.vfPciId === id);
  return vf ? { model: vf, function: 'vf' } : undefined;
}

/**
 * The speed the catalogue vouches for (the last resort when neither the inventory nor the node says what
 * the link negotiated), or a ConfigError when the PCI id is several parts of different speeds.
 */
export function catalogueSpeedGbps(model: NicModel, where?: string): number {
  const [only, ...more] = model.partSpeedsGbps;
  if (only !== undefined && more.length === 0) return only;
  throw new ConfigError(`the catalogue cannot tell the link speed of a ${model.model}: PCI id ${model.pfPciId} is sold as ${model.partSpeedsGbps.join(' Gb/s and ')} Gb/s parts`, {
    ...(where === undefined ? {} : { where }),
    hint: `state the negotiated speed on the port (speedGbps: ${model.partSpeedsGbps.join(' or ')}), or keep the port bound to ${model.pfKernelDriver} so that /sys/class/net/<if>/speed can be read`,
  });
}
