/**
 * The hardware generator for a bare-metal datapath: pktgen-dpdk on the tg node's linked PFs, rates
 * computed from the negotiated speed of those ports, frames addressed to the DUT ports' MACs (set by the
 * datapath) and to l3fwd's routes (198.18.N.0/24 leaves on DUT port N: port 0 sends to 198.18.1.x).
 */
import { ProvisionError } from '../../../core/errors.ts';
import type { Lab } from '../../../lab/model.ts';
import type { DatapathKind } from '../../../lab/schema.ts';
import { catalogueSpeedGbps } from '../../../lab/nic-catalogue.ts';
import { pktgenSpecForNode } from '../../loadgen/pktgen/pktgen-argv.ts';
import type { PktgenPortConfig, PktgenSession } from '../../loadgen/pktgen/pktgen-session.ts';
import { startPktgen } from '../../loadgen/pktgen/start-pktgen.ts';
import { dutMac } from './baremetal-datapath.ts';
import { resolveTopology, type BaremetalTopology } from './topology.ts';

/**
 * Per-port pktgen settings for a topology (p0, p1): rates are a percentage of each port's line rate at
 * its negotiated speed (from the stack: drivers/datapath/baremetal/link-speed.ts); without one, the
 * catalogue's.
 */
export function pktgenPortsFor(t: BaremetalTopology, runId: string, speedsGbps?: readonly number[]): [PktgenPortConfig, PktgenPortConfig] {
  const ports = t.pairs.map((p, i): PktgenPortConfig => ({
    speedGbps: speedsGbps?.[i] ?? catalogueSpeedGbps(p.tg.model, `${p.tg.node.name}.${p.tg.port.name}`),
    dstMac: dutMac(runId, i),
    srcIp: `198.18.${i}.1`,
    dstIp: `198.18.${1 - i}.1`,
  }));
  return [ports[0]!, ports[1]!];
}

/** Start pktgen on the lab's tg node for this datapath kind; the session kills it on close. */
export async function startBaremetalPktgen(o: {
  lab: Lab;
  kind: DatapathKind;
  runId: string;
  binary?: string;
  socketHost?: string;
  /** Negotiated speed of each generator port (p0, p1). */
  speedsGbps?: readonly number[];
}): Promise<PktgenSession> {
  const t = resolveTopology(o.lab, o.kind);
  if ('reason' in t) throw new ProvisionError(`no generator for ${o.kind}: ${t.reason}`, { where: `lab ${o.lab.name}` });
  const shell = await t.tg.shell();
  const ssh = t.tg.config.shell.kind === 'ssh' ? t.tg.config.shell.host : '127.0.0.1';
  return startPktgen({
    shell,
    argv: pktgenSpecForNode({ node: t.tg, pci: t.pairs.map((p) => p.tg.port.pci), runId: o.runId, ...(o.binary === undefined ? {} : { binary: o.binary }) }),
    socketHost: o.socketHost ?? ssh,
    ports: pktgenPortsFor(t, o.runId, o.speedsGbps),
  });
}
