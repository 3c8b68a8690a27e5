/**
 * The local lab's datapaths by kind: vhost-user, memif, veth, vhost-user-ovs, and memif-vpp / vhost-user-vpp
 * (VPP as the vswitch before the DUT); with a VPP DUT kind, memif and vhost-user have VPP as the DUT. SR-IOV, vDPA and pf need a NIC and are unavailable here, with that reason.
 */
import { ProvisionError } from '../../../core/errors.ts';
import type { DatapathKind } from '../../../lab/schema.ts';
import type { Datapath } from '../datapath.ts';
import { vppForwardingOf, type LocalDatapathOptions } from './local-options.ts';
import { memifDatapath } from './memif.ts';
import { vethDatapath } from './veth.ts';
import { vhostUserOvsDatapath } from './vhost-user-ovs.ts';
import { vhostUserDatapath } from './vhost-user.ts';
import { vppDutDatapath } from './vpp-dut.ts';
import { vppVswitchDatapath } from './vpp-vswitch.ts';

export type { LocalDatapathOptions, LocalDutKind } from './local-options.ts';

/** The local Datapath of a kind; up() starts its DUT and returns the RunningDatapath. */
export function localDatapath(kind: DatapathKind, opts: LocalDatapathOptions): Datapath {
  const vpp = vppForwardingOf(opts.dut ?? 'l3fwd');
  if (vpp !== undefined) {
    if (kind === 'memif' || kind === 'vhost-user') return vppDutDatapath(kind, { ...opts, forwarding: vpp });
    return unavailable(kind, `VPP as DUT runs on the memif and vhost-user datapaths, not on ${kind}`, 'use --datapath memif or vhost-user with --dut vpp (memif-vpp and vhost-user-vpp put VPP before l3fwd or testpmd)');
  }
  switch (kind) {
    case 'vhost-user':
      return vhostUserDatapath(opts);
    case 'memif':
      return memifDatapath(opts);
    case 'veth':
      return vethDatapath(opts);
    case 'vhost-user-ovs':
      return vhostUserOvsDatapath(opts);
    case 'memif-vpp':
    case 'vhost-user-vpp':
      return vppVswitchDatapath(kind, opts);
    case 'sriov':
    case 'vdpa':
    case 'pf': {
      const what = kind === 'sriov' ? 'a NIC with SR-IOV virtual functions' : kind === 'vdpa' ? 'a NIC with vDPA support' : 'a physical NIC for DPDK to own';
      return unavailable(kind, `${kind} needs ${what}; the local lab has none`, 'run it on a hardware lab');
    }
  }
}

function unavailable(kind: DatapathKind, reason: string, hint: string): Datapath {
  return {
    kind,
    availability: async () => ({ reason }),
    up: async () => {
      throw new ProvisionError(`${kind} cannot start: ${reason}`, { where: `datapath ${kind}`, hint });
    },
  };
}
