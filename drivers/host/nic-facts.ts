/**
 * What a run records about one NIC port: the driver it is bound to and its NUMA node (sysfs, through
 * pci-function.ts), and the firmware its kernel driver reports (`ethtool -i` on its netdev). A port bound to
 * vfio-pci has no netdev, so its firmware cannot be read then: it is left out, not guessed.
 */
import type { Shell } from '../shell/shell.ts';
import type { HostPaths } from './host-paths.ts';
import { parseEthtoolInfo } from './parse-ethtool.ts';
import { readPciFunction } from './pci-function.ts';

export interface PortFacts {
  readonly pci: string;
  /** vendor:device as sysfs has it. */
  readonly pciId: string;
  /** Bound driver (ice, i40e, mlx5_core, vfio-pci), or null when unbound. */
  readonly driver: string | null;
  /** `ethtool -i` firmware-version, when the port has a netdev and its driver reports one. */
  readonly firmware?: string;
  readonly numaNode: number | null;
  readonly ifname?: string;
}

/** Facts of the port at `pci`; throws (CommandFailedError) when there is no such device. */
export async function gatherPortFacts(shell: Shell, paths: HostPaths, pci: string): Promise<PortFacts> {
  const fn = await readPciFunction(shell, paths, pci);
  const ifname = fn.netdevs[0];
  let firmware: string | undefined;
  if (ifname !== undefined) {
    const r = await shell.exec(['ethtool', '-i', ifname], { timeoutMs: 10_000 });
    // No ethtool, or a driver that does not answer: the firmware is not recorded rather than the run failing.
    if (r.exitCode === 0) firmware = parseEthtoolInfo(r.stdout).firmwareVersion;
  }
  return {
    pci,
    pciId: fn.pciId,
    driver: fn.driver,
    ...(firmware === undefined ? {} : { firmware }),
    numaNode: fn.numaNode,
    ...(ifname === undefined ? {} : { ifname }),
  };
}
