/**
 * vhost-user through OVS-DPDK on the local lab: generator -> OVS -> DUT -> OVS -> generator.
 * Three busy pollers (OVS PMD, DUT, generator) on two CPUs get time-sliced and measure nothing useful
 * (findings §5: 125-216 kpps instead of millions), so it needs at least 3 cores.
 */
import { ProvisionError } from '../../../core/errors.ts';
import type { Datapath, RunningDatapath, Unavailable } from '../datapath.ts';
import { resolveLocal, type LocalDatapathOptions } from './local-options.ts';
import { localDutAvailability } from './socket-pair.ts';

/** Cores the OVS arrangement needs: one poller each for OVS, the DUT and the generator. */
export const OVS_MIN_CORES = 3;

/** The local vhost-user-ovs datapath. */
export function vhostUserOvsDatapath(opts: LocalDatapathOptions): Datapath {
  const local = resolveLocal(opts, 'vhost-user-ovs');
  const availability = async (): Promise<Unavailable> => {
    if (local.cpuCount < OVS_MIN_CORES) {
      return {
        reason: `vhost-user-ovs needs at least ${OVS_MIN_CORES} cores (OVS PMD, DUT and generator each poll one); this machine has ${local.cpuCount}`,
      };
    }
    return localDutAvailability(local);
  };
  return {
    kind: 'vhost-user-ovs',
    availability,
    async up(): Promise<RunningDatapath> {
      const unavailable = await availability();
      if (unavailable) throw new ProvisionError(`vhost-user-ovs cannot start: ${unavailable.reason}`, { where: 'datapath vhost-user-ovs' });
      // Bringing OVS up belongs to the OVS driver (drivers/ovs/), which does not start OVS yet.
      throw new ProvisionError('vhost-user-ovs is not wired to an OVS-DPDK driver yet', {
        where: 'datapath vhost-user-ovs',
        hint: 'use vhost-user (DUT as the vhost server) on the local lab',
      });
    },
  };
}
