/**
 * memif on the local lab: DUT role=server, generator role=client, copy mode, one socket per port.
 * DPDK 22.11's memif crashes the surviving peer when the other disconnects under traffic, so the
 * generator keeps both ports connected for the whole session and stops traffic before it closes.
 */
import type { Datapath } from '../datapath.ts';
import type { LocalDatapathOptions } from './local-options.ts';
import { socketPairDatapath } from './socket-pair.ts';

/** The local memif datapath. */
export function memifDatapath(opts: LocalDatapathOptions): Datapath {
  return socketPairDatapath(
    {
      kind: 'memif',
      socketName: (p) => `memif${p}.sock`,
      dutVdev: (p, s) => `net_memif${p},role=server,id=0,socket=${s},socket-abstract=no`,
      generatorVdev: (p, s) => `net_memif${p},role=client,id=0,socket=${s},socket-abstract=no,rsize=14`,
      placement: { keepConnected: true },
      gaps: { restartDut: 'memif in DPDK 22.11 crashes the surviving peer when the other side restarts under traffic (local-lab-findings §2)' },
    },
    opts,
  );
}
