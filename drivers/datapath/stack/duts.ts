/**
 * Where each DUT application runs: adding a DUT kind is its name in lab/schema.ts (DUT_KINDS) and its
 * entry here (the compiler insists on one), with a reason for every lab kind it does not support yet.
 */
import type { DutKind } from '../../../lab/schema.ts';
import { l3fwdDutStarter } from '../baremetal/l3fwd-dut.ts';
import type { DutStarter } from '../baremetal/baremetal-datapath.ts';

export interface DutSupport {
  /** The local lab's datapaths start it (drivers/datapath/local/dut.ts), or why they cannot. */
  readonly local: true | { readonly unavailable: string };
  /** The bare-metal DutStarter for a run, or why there is none. */
  readonly baremetal: ((o: { runId: string; runRoot: string }) => DutStarter) | { readonly unavailable: string };
}

const BAREMETAL_DUTS: readonly DutKind[] = ['l3fwd'];

const noBaremetal = (dut: DutKind): { unavailable: string } => ({
  unavailable: `DUT ${dut} has no bare-metal starter yet (bare-metal DUTs: ${BAREMETAL_DUTS.join(', ')}; drivers/datapath/baremetal/)`,
});

/** Every DUT kind and where it runs. */
export const DUTS: Readonly<Record<DutKind, DutSupport>> = {
  l3fwd: { local: true, baremetal: (o) => l3fwdDutStarter(o) },
  'testpmd-io': { local: true, baremetal: noBaremetal('testpmd-io') },
  'testpmd-macswap': { local: true, baremetal: noBaremetal('testpmd-macswap') },
  // On the local lab over memif and vhost-user (drivers/datapath/local/vpp-dut.ts); where VPP is not
  // installed the datapath's availability gives the locator's reason.
  'vpp-l2xc': { local: true, baremetal: noBaremetal('vpp-l2xc') },
  'vpp-ip4base': { local: true, baremetal: noBaremetal('vpp-ip4base') },
};
