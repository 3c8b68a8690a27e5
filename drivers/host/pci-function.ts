/** Facts about one PCI function read from sysfs through a Shell: driver, NUMA node, IOMMU group, netdevs, SR-IOV. */
import type { Shell } from '../shell/shell.ts';
import { pciDevicePath, type HostPaths } from './host-paths.ts';
import { parseNumaNode } from './parse-system.ts';
import { toInt } from './output-format-error.ts';

export interface SriovState {
  readonly totalVfs: number;
  readonly numVfs: number;
  /** sriov_drivers_autoprobe: VFs get their kernel driver when created. */
  readonly driversAutoprobe?: boolean;
  /** VF index → VF BDF (from the virtfnN links). */
  readonly vfs: ReadonlyMap<number, string>;
}

export interface PciFunction {
  readonly pci: string;
  /** vendor:device from sysfs. */
  readonly pciId: string;
  /** Bound driver, or null when unbound. */
  readonly driver: string | null;
  readonly driverOverride: string | null;
  readonly numaNode: number | null;
  readonly iommuGroup: number | null;
  readonly netdevs: readonly string[];
  /** Present on a PF that supports SR-IOV. */
  readonly sriov?: SriovState;
  /** The PF's BDF when this is a VF. */
  readonly physfn?: string;
}

async function optional(shell: Shell, argv: string[]): Promise<string | null> {
  const r = await shell.exec(argv);
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

const basename = (p: string): string => p.replace(/\/+$/, '').split('/').pop() ?? p;

/** Read one PCI function; CommandFailedError if the device does not exist. */
export async function readPciFunction(shell: Shell, paths: HostPaths, bdf: string): Promise<PciFunction> {
  const dev = pciDevicePath(paths, bdf);
  const hex = (s: string) => s.trim().replace(/^0x/, '').toLowerCase();
  const [vendor, device] = await Promise.all([shell.readFile(`${dev}/vendor`), shell.readFile(`${dev}/device`)]);
  const [driver, override, numa, group, net, physfn] = await Promise.all([
    optional(shell, ['readlink', `${dev}/driver`]),
    optional(shell, ['cat', `${dev}/driver_override`]),
    optional(shell, ['cat', `${dev}/numa_node`]),
    optional(shell, ['readlink', `${dev}/iommu_group`]),
    optional(shell, ['ls', '-1', `${dev}/net`]),
    optional(shell, ['readlink', `${dev}/physfn`]),
  ]);
  const total = await optional(shell, ['cat', `${dev}/sriov_totalvfs`]);
  let sriov: SriovState | undefined;
  if (total !== null) {
    const num = await shell.readFile(`${dev}/sriov_numvfs`);
    const autoprobe = await optional(shell, ['cat', `${dev}/sriov_drivers_autoprobe`]);
    const links = await optional(shell, ['ls', '-1', dev]);
    const vfs = new Map<number, string>();
    for (const name of (links ?? '').split('\n')) {
      const m = /^virtfn(\d+)$/.exec(name.trim());
      if (!m) continue;
      const target = await optional(shell, ['readlink', `${dev}/${name.trim()}`]);
      if (target) vfs.set(Number(m[1]), basename(target));
    }
    sriov = {
      totalVfs: toInt('sriov_totalvfs', 'VF count', total),
      numVfs: toInt('sriov_numvfs', 'VF count', num.trim()),
      ...(autoprobe === null ? {} : { driversAutoprobe: autoprobe === '1' }),
      vfs,
    };
  }
  return {
    pci: bdf,
    pciId: `${hex(vendor)}:${hex(device)}`,
    driver: driver ? basename(driver) : null,
    driverOverride: override && override !== '(null)' ? override : null,
    numaNode: numa === null ? null : parseNumaNode(numa),
    iommuGroup: group ? Number(basename(group)) : null,
    netdevs: net ? net.split('\n').map((s) => s.trim()).filter(Boolean) : [],
    ...(sriov ? { sriov } : {}),
    ...(physfn ? { physfn: basename(physfn) } : {}),
  };
}
