/**
 * The run's matrix: one cell per datapath × NIC of the lab. On a Kubernetes lab a cell that cannot differ by
 * NIC is not repeated: the userspace datapaths (vhost-user, memif) use no NIC and run once, in the first NIC's
 * cell; vDPA runs only on NICs that have it. Every cell is a Playwright worker, and on a Kubernetes lab each
 * worker starts (or connects to) a cluster: a cell that would only skip costs seconds for nothing.
 */
import { nicModel } from '../../drivers/host/nic-catalogue.ts';
import type { DatapathKind } from '../../lab/schema.ts';
import type { SuiteLab } from '../../suites/fixtures/wiring.ts';
import type { MatrixEntry } from '../../contract/matrix.ts';

const NIC_LESS: readonly DatapathKind[] = ['vhost-user', 'memif', 'veth', 'vhost-user-ovs'];

export function matrixFor(lab: Pick<SuiteLab, 'facts' | 'nics'>, datapaths: readonly DatapathKind[], dut = 'l3fwd'): MatrixEntry[] {
  return datapaths.flatMap((datapath) => {
    let nics = [...lab.nics];
    if (lab.facts.kind === 'kubernetes') {
      if (NIC_LESS.includes(datapath)) nics = nics.slice(0, 1);
      else if (datapath === 'vdpa') nics = nics.filter((n) => knownVdpa(n));
    }
    return nics.map((nic) => ({ datapath, dut, nic }));
  });
}

function knownVdpa(model: string): boolean {
  try {
    return nicModel(model).capabilities.vdpa;
  } catch {
    return true; // an unknown model: let the scenario say what it lacks
  }
}
