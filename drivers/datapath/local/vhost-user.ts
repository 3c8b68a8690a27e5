/**
 * vhost-user on the local lab: the DUT is the vhost server (net_vhost, it does the copies), the
 * generator the virtio_user client (needs shared memory: --single-file-segments). Measured here: DUT as
 * the server is as fast as the reverse, and a vhost server survives clients coming and going, while a
 * virtio_user DUT dies with SIGPIPE when its server goes away.
 */
import type { Datapath } from '../datapath.ts';
import type { LocalDatapathOptions } from './local-options.ts';
import { socketPairDatapath } from './socket-pair.ts';

/** The local vhost-user datapath. */
export function vhostUserDatapath(opts: LocalDatapathOptions): Datapath {
  return socketPairDatapath(
    {
      kind: 'vhost-user',
      socketName: (p) => `vhost${p}.sock`,
      dutVdev: (p, s) => `net_vhost${p},iface=${s},queues=1`,
      generatorVdev: (p, s) => `net_virtio_user${p},path=${s},queues=1,queue_size=4096`,
      placement: { singleFileSegments: true },
    },
    opts,
  );
}
