/**
 * The speed each generator link negotiated, for the max offered load (its line rate): stated in the
 * inventory (`speedGbps` on either end), else read from the node while a kernel driver still holds the
 * port (`/sys/class/net/<if>/speed`, in Mb/s; -1 or 0 while the link is down), else the catalogue's as
 * the documented last resort, which refuses PCI ids sold at several speeds (MT27800: 25G and 100G).
 * Read before the datapath binds ports to vfio-pci, after which the kernel knows nothing of them.
 */
import { catalogueSpeedGbps } from '../../../lab/nic-catalogue.ts';
import { DEFAULT_HOST_PATHS, pciDevicePath, type HostPaths } from '../../host/host-paths.ts';
import { readPciFunction } from '../../host/pci-function.ts';
import type { LinkRate } from '../stack/stack.ts';
import type { BaremetalTopology, PortEnd } from './topology.ts';
import type { NodeShells } from '../../shell/node-shells.ts';
import type { Shell } from '../../shell/shell.ts';

/** Speed of each link of the topology, generator port p0 first. */
export async function linkRates(t: BaremetalTopology, shells: NodeShells, hostPaths?: (node: string) => HostPaths): Promise<LinkRate[]> {
  const paths = (node: string) => hostPaths?.(node) ?? DEFAULT_HOST_PATHS;
  const rates: LinkRate[] = [];
  for (const [i, pair] of t.pairs.entries()) {
    const port = `p${i}`;
    const stated = [pair.tg, pair.dut].find((e) => e.port.speedGbps !== undefined);
    if (stated) {
      rates.push({ port, speedGbps: stated.port.speedGbps!, source: 'inventory', detail: `inventory ${stated.node.name}.${stated.port.name} speedGbps` });
      continue;
    }
    let read: LinkRate | undefined;
    for (const end of [pair.tg, pair.dut]) {
      read = await readNodeSpeed(await shells.of(end.node), end, paths(end.node.name), port);
      if (read) break;
    }
    rates.push(
      read ?? {
        port,
        speedGbps: catalogueSpeedGbps(pair.tg.model, `${pair.tg.node.name}.${pair.tg.port.name}`),
        source: 'catalogue',
        detail: `catalogue ${pair.tg.model.model} (neither the inventory nor the nodes said what the link negotiated)`,
      },
    );
  }
  return rates;
}

/** The negotiated speed the kernel shows for a port's netdev, or undefined (no kernel driver, link down, no file). */
async function readNodeSpeed(shell: Shell, end: PortEnd, paths: HostPaths, port: string): Promise<LinkRate | undefined> {
  const fn = await readPciFunction(shell, paths, end.port.pci).catch(() => undefined);
  const netdev = fn?.netdevs[0];
  if (!netdev) return undefined;
  const file = `${pciDevicePath(paths, end.port.pci)}/net/${netdev}/speed`;
  const text = await shell.readFile(file).catch(() => undefined);
  const mbps = text === undefined ? NaN : Number(text.trim());
  if (!Number.isInteger(mbps) || mbps <= 0) return undefined;
  return { port, speedGbps: mbps / 1000, source: 'node', detail: `/sys/class/net/${netdev}/speed on ${end.node.name}: ${mbps} Mb/s` };
}
