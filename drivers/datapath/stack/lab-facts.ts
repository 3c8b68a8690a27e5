/**
 * The facts about a loaded lab that gates, scenario ids and the run matrix look at, derived once from the
 * lab model (lab/) and this machine's CPUs on the local lab.
 */
import { cpus } from 'node:os';
import type { Lab } from '../../../lab/model.ts';
import type { DatapathKind } from '../../../lab/schema.ts';

export interface LabFacts {
  readonly name: string;
  readonly kind: Lab['kind'];
  readonly datapaths: readonly DatapathKind[];
  /** CPUs available to the lab's polling processes (local lab: this machine's CPUs). */
  readonly cpuCount: number;
  readonly links: number;
  /** Node count for scenario ids ("1n" on the local lab). */
  readonly nodeCount: number;
  /** NIC tag for scenario ids: the DUT NIC's model, or 'local' on the local lab. */
  readonly nicTag: string;
  /** NIC names of the matrix (model names; 'virtual' on the local lab). */
  readonly nics: readonly string[];
}

/** The facts of a lab; `cpuCount` overrides the CPU count (tests force a core count with it). */
export function labFacts(lab: Lab, o: { cpuCount?: number } = {}): LabFacts {
  const local = lab.kind === 'local';
  const dutNodes = lab.nodesWithRole('dut');
  const models = [...new Set(dutNodes.flatMap((n) => n.nics.map((nic) => nic.model.toLowerCase())))];
  const cpuCount =
    o.cpuCount ?? (local ? cpus().length : lab.nodes.reduce((s, n) => s + n.cpus.tg.length + n.cpus.dut.length, 0) || cpus().length);
  return {
    name: lab.name,
    kind: lab.kind,
    datapaths: lab.datapaths,
    cpuCount,
    links: lab.links.length,
    nodeCount: new Set(lab.nodes.map((n) => n.host)).size,
    nicTag: local || models.length === 0 ? 'local' : (models[0] ?? 'local').replace(/[^a-z0-9-]/g, ''),
    nics: local || models.length === 0 ? ['virtual'] : models,
  };
}
