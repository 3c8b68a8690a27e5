/**
 * The local lab's datapaths by kind: vhost-user, memif, veth, vhost-user-ovs. SR-IOV and vDPA need a
 * NIC and are unavailable here, with that reason.
 */
import { ProvisionError } from '../../../core/errors.ts';
import type { DatapathKind } from '../../../lab/schema.ts';
import type { Datapath } from '../datapath.ts';
import type { LocalDatapathOptions } from './local-options.ts';
import { memifDatapath } from './memif.ts';
import { vethDatapath } from './veth.ts';
import { vhostUserOvsDatapath } from './vhost-user-ovs.ts';
import { vhostUserDatapath } from './vhost-user.ts';

export type { LocalDatapathOptions, LocalDutKind } from './local-options.ts';

/** The local Datapath of a kind; up() starts its DUT and returns the RunningDatapath. */
export function localDatapath(kind: DatapathKind, opts: LocalDatapathOptions): Datapath {
  switch (kind) {
    case 'vhost-user':
      return vhostUserDatapath(opts);
    case 'memif':
      return memifDatapath(opts);
    case 'veth':
      return vethDatapath(opts);
    case 'vhost-user-ovs':
      return vhostUserOvsDatapath(opts);
    case 'sriov':
    case 'vdpa': {
      const reason = `${kind} needs a NIC with ${kind === 'sriov' ? 'SR-IOV virtual functions' : 'vDPA support'}; the local lab has none`;
      return {
        kind,
        availability: async () => ({ reason }),
        up: async () => {
          throw new ProvisionError(`${kind} cannot start: ${reason}`, { where: `datapath ${kind}`, hint: 'run it on a hardware lab' });
        },
      };
    }
  }
}
