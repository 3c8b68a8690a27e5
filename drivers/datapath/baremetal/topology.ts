/**
 * Which ports of which nodes a bare-metal datapath uses, from the lab model: the generator node (role tg)
 * and the DUT node (role dut) linked port to port (2-node), or one node with both roles whose ports are
 * cabled to each other (1-node). The reason is returned when the lab cannot run the kind.
 */
import type { Lab, LabNode, Nic, Port } from '../../../lab/model.ts';
import type { DatapathKind } from '../../../lab/schema.ts';
import { NIC_CATALOGUE, type NicModel } from '../../../lab/nic-catalogue.ts';

export interface PortEnd {
  readonly node: LabNode;
  readonly port: Port & { readonly pci: string };
  readonly nic: Nic;
  readonly model: NicModel;
}

export interface BaremetalTopology {
  readonly shape: '2-node' | '1-node';
  readonly tg: LabNode;
  readonly dut: LabNode;
  /** Link i: generator port i <-> DUT port i (p0, p1). */
  readonly pairs: readonly { readonly tg: PortEnd; readonly dut: PortEnd }[];
}

const CAPABILITY: Partial<Record<DatapathKind, { test: (m: NicModel) => boolean; need: string }>> = {
  sriov: { test: (m) => m.capabilities.sriov, need: 'a NIC with SR-IOV' },
  vdpa: { test: (m) => m.capabilities.vdpa && m.capabilities.switchdev, need: 'a NIC with vDPA (ConnectX-6 Dx/Lx or later)' },
};

function end(lab: Lab, nodeName: string, portName: string): PortEnd | undefined {
  const node = lab.node(nodeName);
  const port = node.port(portName);
  const nic = port && node.nics.find((n) => n.name === port.nic);
  const model = nic && NIC_CATALOGUE.find((m) => m.model === nic.model);
  if (!port?.pci || !nic || !model) return undefined;
  return { node, port: port as Port & { pci: string }, nic, model };
}

/** The topology for a kind, or the reason the lab cannot provide it. */
export function resolveTopology(lab: Lab, kind: DatapathKind): BaremetalTopology | { reason: string } {
  if (kind === 'veth') return { reason: 'veth is the local lab\'s kernel baseline; bare metal has no veth datapath' };
  if (kind === 'memif-vpp' || kind === 'vhost-user-vpp') {
    return { reason: `${kind} is the local lab's VPP vswitch between generator and DUT; on bare metal VPP is the vswitch of the ${kind.replace('-vpp', '')} datapath` };
  }
  const cap = CAPABILITY[kind];
  const physical = lab.nodes.flatMap((n) => n.nics).filter((n) => NIC_CATALOGUE.some((m) => m.model === n.model));
  if (physical.length === 0) return { reason: cap ? `needs ${cap.need}: none on this lab` : `${kind} on bare metal needs a physical NIC from the catalogue: none on this lab` };
  if (cap && !physical.some((n) => cap.test(NIC_CATALOGUE.find((m) => m.model === n.model)!)))
    return { reason: `needs ${cap.need}: none on this lab (${[...new Set(physical.map((n) => n.model))].join(', ')})` };
  const tg = lab.nodesWithRole('tg')[0];
  const dut = lab.nodesWithRole('dut')[0];
  if (!tg || !dut) return { reason: 'needs a node with role tg and a node with role dut (the same node for a 1-node lab)' };
  const pairs: { tg: PortEnd; dut: PortEnd }[] = [];
  for (const l of lab.links) {
    const [a, b] = l.a.node === tg.name && l.b.node === dut.name ? [l.a, l.b] : l.b.node === tg.name && l.a.node === dut.name ? [l.b, l.a] : [undefined, undefined];
    if (!a || !b) continue;
    const t = end(lab, a.node, a.port);
    const d = end(lab, b.node, b.port);
    if (t && d && !pairs.some((p) => p.dut.port.name === d.port.name || p.tg.port.name === t.port.name)) pairs.push({ tg: t, dut: d });
  }
  if (pairs.length < 2) return { reason: `needs two links between ${tg.name} and ${dut.name} on catalogue NICs with PCI addresses; found ${pairs.length}` };
  if (cap && !pairs.every((p) => cap.test(p.dut.model)))
    return { reason: `the DUT ports of ${dut.name} are on ${pairs.map((p) => p.dut.model.model).join('/')}: needs ${cap.need}` };
  if (kind === 'vhost-user' || kind === 'vhost-user-ovs' || kind === 'memif') {
    const cpus = dut.cpus.dut.length;
    if (cpus < 2) return { reason: `${kind} on bare metal runs a vswitch and the DUT on ${dut.name}: needs at least 2 DUT CPUs (cpus.dut), has ${cpus}` };
  }
  return { shape: tg === dut ? '1-node' : '2-node', tg, dut, pairs: pairs.slice(0, 2) };
}
