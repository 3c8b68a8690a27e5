/**
 * The hardware generator for a bare-metal datapath: pktgen-dpdk on the tg node's linked PFs, its rates
 * from the link speed pktgen negotiates, frames addressed to the DUT ports' MACs (set by the datapath)
 * and to l3fwd's routes (198.18.N.0/24 leaves on DUT port N: port 0 sends to 198.18.1.x). pktgen runs
 * in a network namespace of its own on the tg node and is reached through the node's SSH channel.
 */
import { ProvisionError } from '../../../core/errors.ts';
import type { Lab } from '../../../lab/model.ts';
import type { DatapathKind } from '../../../lab/schema.ts';
import { createDpdkRuntime } from '../../dpdk/runtime.ts';
import { describeLocation, locatePktgenOnNode } from '../../loadgen/pktgen/locate-pktgen.ts';
import type { PktgenPortConfig, PktgenSession } from '../../loadgen/pktgen/pktgen-session.ts';
import { startPktgen, type StartPktgenOptions } from '../../loadgen/pktgen/start-pktgen.ts';
import { dutMac } from './baremetal-datapath.ts';
import { resolveTopology, type BaremetalTopology } from './topology.ts';
import type { NodeShells } from '../../shell/node-shells.ts';

/** Per-port pktgen settings for a topology (p0, p1). */
export function pktgenPortsFor(t: BaremetalTopology, runId: string): [PktgenPortConfig, PktgenPortConfig] {
  const ports = t.pairs.map((_, i): PktgenPortConfig => ({
    dstMac: dutMac(runId, i),
    srcIp: `198.18.${i}.1`,
    dstIp: `198.18.${1 - i}.1`,
  }));
  return [ports[0]!, ports[1]!];
}

/** Start pktgen on the lab's tg node for this datapath kind; closing the session stops and cleans it up. */
export async function startBaremetalPktgen(o: { lab: Lab; shells: NodeShells; kind: DatapathKind; runId: string; runRoot: string; imix?: StartPktgenOptions['imix'] }): Promise<PktgenSession> {
  const t = resolveTopology(o.lab, o.kind);
  if ('reason' in t) throw new ProvisionError(`no generator for ${o.kind}: ${t.reason}`, { where: `lab ${o.lab.name}` });
  if (t.pairs.length !== 2) throw new ProvisionError(`pktgen drives two ports, the topology has ${t.pairs.length}`, { where: `lab ${o.lab.name}` });
  const shell = await o.shells.of(t.tg);
  // The stack's availability has looked already (an absent pktgen skips the scenario); this is for callers without it.
  const found = await locatePktgenOnNode(shell);
  if (found.kind === 'absent') throw new ProvisionError(describeLocation(found), { where: `node ${t.tg.name}`, hint: 'docs/hardware.md: installing pktgen on a generator node' });
  const runDir = `${o.runRoot}/${o.runId}/tg`;
  const runtime = createDpdkRuntime({ shell, runId: o.runId, runDir });
  const [a, b] = t.pairs.map((p, i) => ({ kind: 'pci' as const, name: `p${i}`, pci: p.tg.port.pci }));
  try {
    const started = await startPktgen({
      shell,
      runtime,
      pktgen: found,
      ports: [a!, b!],
      portConfig: pktgenPortsFor(t, o.runId),
      cpus: t.tg.cpus.tg,
      workDir: `${runDir}/pktgen`,
      memoryMb: 2048,
      ...(o.imix === undefined ? {} : { imix: o.imix }),
      afterClose: () => runtime.cleanup(),
    });
    return started.session;
  } catch (e) {
    await runtime.cleanup().catch(() => undefined);
    throw e;
  }
}
