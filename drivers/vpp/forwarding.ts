/**
 * How VPP forwards between a DUT's two ports, in CSIT's two base cases:
 * - `l2xc`: L2 cross-connect, port 0 <-> port 1 both ways, frames untouched (CSIT's l2xcbase);
 * - `ip4base`: IPv4 routing as l3fwd's LPM table does it: 198.18.N.0/24 leaves on port N (CSIT's ip4base).
 *   Port N has 198.19.N.1/24, the generator's port N is the static neighbour 198.19.N.2, and the route
 *   goes via that next hop, so every packet takes a FIB lookup, a TTL decrement and a MAC rewrite.
 * The generator addresses its packets to 198.18.<rx port>.2 and to the DUT port's MAC (02:00:00:00:00:0N,
 * l3fwd's convention), so the DUT's interfaces carry exactly that MAC.
 */
import { ConfigError } from '../../core/errors.ts';
import type { Vppctl } from './vppctl.ts';

export const VPP_FORWARDINGS = ['l2xc', 'ip4base'] as const;
export type VppForwarding = (typeof VPP_FORWARDINGS)[number];

/** One DUT port as VPP names it, and the MAC of the generator port behind it (the IPv4 next hop). */
export interface VppPort {
  readonly ifname: string;
  readonly peerMac: string;
}

/** The MAC a DUT port carries: what our generator sends to on port N (l3fwd's 02:00:00:00:00:0N). */
export function dutPortMac(port: number): string {
  return `02:00:00:00:00:${port.toString(16).padStart(2, '0')}`;
}

/** The MAC we give the generator's port N (memif and virtio_user accept a `mac=` devarg). */
export function generatorPortMac(port: number): string {
  return `02:00:00:00:01:${port.toString(16).padStart(2, '0')}`;
}

/** The route and next hop of port N under ip4base. */
export function ip4baseAddressing(port: number): { readonly ifAddress: string; readonly nextHop: string; readonly route: string } {
  return { ifAddress: `198.19.${port}.1/24`, nextHop: `198.19.${port}.2`, route: `198.18.${port}.0/24` };
}

/** Bring both ports up and configure the forwarding; the ports must exist already. */
export async function configureForwarding(v: Vppctl, mode: VppForwarding, ports: readonly VppPort[]): Promise<void> {
  if (ports.length !== 2) throw new ConfigError(`VPP forwarding needs exactly two ports, got ${ports.length}`, { where: `vpp ${mode}` });
  for (const p of ports) await v.setState(p.ifname, true);
  switch (mode) {
    case 'l2xc': {
      const [a, b] = ports as [VppPort, VppPort];
      await v.cli('set', 'interface', 'l2', 'xconnect', a.ifname, b.ifname);
      await v.cli('set', 'interface', 'l2', 'xconnect', b.ifname, a.ifname);
      return;
    }
    case 'ip4base':
      for (const [n, p] of ports.entries()) {
        const a = ip4baseAddressing(n);
        await v.setIpAddress(p.ifname, a.ifAddress);
        await v.addNeighbor(p.ifname, a.nextHop, p.peerMac);
        await v.addRoute(a.route, a.nextHop, p.ifname);
      }
      return;
  }
}
