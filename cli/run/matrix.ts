/**
 * The run's matrix: one cell per datapath × DUT × generator × NIC × DUT core count (`--dut-cores`) of the lab. On a Kubernetes lab a cell
 * that cannot differ by NIC is not repeated: the userspace datapaths (vhost-user, memif) use no NIC and run
 * once, in the first NIC's cell; vDPA runs only on NICs that have it; and each datapath gets the generator
 * that runs in a pod on it (wsp-gen on the userspace datapaths, pktgen on VFs) when the lab lists both.
 * Every cell is a Playwright worker, and
 * on a Kubernetes lab each worker starts (or connects to) a cluster: a cell that would only skip costs
 * seconds for nothing.
 */
import type { LabFacts } from '../../drivers/datapath/stack/lab-facts.ts';
import { nicModel } from '../../lab/nic-catalogue.ts';
import type { DatapathKind, DutKind, GeneratorKind } from '../../lab/schema.ts';
import type { MatrixEntry } from '../../contract/matrix.ts';

const NIC_LESS: readonly DatapathKind[] = ['vhost-user', 'memif', 'veth', 'vhost-user-ovs', 'memif-vpp', 'vhost-user-vpp'];

export function matrixFor(
  facts: Pick<LabFacts, 'kind' | 'nics'>,
  datapaths: readonly DatapathKind[],
  duts: readonly DutKind[] = ['l3fwd'],
  generators: readonly GeneratorKind[] = [facts.kind === 'local' ? 'wsp-gen' : 'pktgen'],
  dutCores: readonly number[] = [1],
): MatrixEntry[] {
  return datapaths.flatMap((datapath) => {
    let nics = [...facts.nics];
    if (facts.kind === 'kubernetes') {
      if (NIC_LESS.includes(datapath)) nics = nics.slice(0, 1);
      else if (datapath === 'vdpa') nics = nics.filter((n) => knownVdpa(n));
    }
    let gens = [...generators];
    if (facts.kind === 'kubernetes') {
      // A generator that does not run in a pod on this datapath only skips; none left: keep them, to say why.
      const inPods = gens.filter((g) => g === (NIC_LESS.includes(datapath) ? 'wsp-gen' : 'pktgen'));
      if (inPods.length > 0) gens = inPods;
    }
    // Core counts innermost: a cell's 2- and 4-core stacks follow its 1-core one (the speedup's base).
    return duts.flatMap((dut) =>
      gens.flatMap((generator) => nics.flatMap((nic) => dutCores.map((cores) => ({ datapath, dut, generator, nic, ...(cores === 1 ? {} : { dutCores: cores }) })))),
    );
  });
}

function knownVdpa(model: string): boolean {
  try {
    return nicModel(model).capabilities.vdpa;
  } catch {
    return true; // an unknown model: let the scenario say what it lacks
  }
}
