/**
 * vhost-user on the local lab: the DUT is the vhost server (net_vhost, it does the copies), the
 * generator the virtio_user client (needs shared memory: --single-file-segments). Measured here: DUT as
 * the server is as fast as the reverse, and a vhost server survives clients coming and going, while a
 * virtio_user DUT dies with SIGPIPE when its server goes away.
 *
 * The virtqueues are 4096 slots deep (virtio_user's queue_size and the generator's descriptor count:
 * virtio caps a queue at the smaller; the vhost side follows the driver). On this shared VM a poller is
 * routinely off its CPU for 4 ms and at times for 15-30 ms (the latency maximum shows it): the old
 * effective 1024 slots (4 ms at 0.25 Mpps a direction) refused packets the DUT would have forwarded, so
 * no load passed NDR. Deeper is not better: at 16384 slots the buffers in flight outgrow the caches and
 * MRR through vhost fell to 66 % of the raw capacity (4096: 86 %, docs/benchmarks.md). The generator's
 * pool covers both directions' queues: 4 x 4096 slots, plus bursts.
 */
import type { Datapath } from '../datapath.ts';
import type { LocalDatapathOptions } from './local-options.ts';
import { socketPairDatapath } from './socket-pair.ts';

/** virtio_user queue depth on the local lab. */
export const VHOST_QUEUE_SIZE = 4096;
const QUEUE_SIZE = VHOST_QUEUE_SIZE;
/** Where the generator of a local vhost-user path runs: shared memory, a pool for the deep rings. */
export const VHOST_GENERATOR_PLACEMENT = { singleFileSegments: true, ringSize: QUEUE_SIZE, mbufs: 4 * QUEUE_SIZE + 4095 } as const;

/**
 * The local vhost-user datapath. With `restartable` the DUT (net_vhost, still doing the copies) is the
 * vhost *client* of a virtio_user *server* in the generator (the OVS arrangement, findings §2), so the
 * DUT can be restarted under load and reconnect: a virtio_user client cannot reconnect to a restarted
 * server. The stack factory uses that form; both measure the same.
 */
export function vhostUserDatapath(opts: LocalDatapathOptions, o: { restartable?: boolean } = {}): Datapath {
  const client = o.restartable === true;
  return socketPairDatapath(
    {
      kind: 'vhost-user',
      socketName: (p) => `vhost${p}.sock`,
      dutVdev: (p, s) => `net_vhost${p},iface=${s},queues=1${client ? ',client=1' : ''}`,
      generatorVdev: (p, s) => `net_virtio_user${p},path=${s},queues=1,queue_size=${QUEUE_SIZE}${client ? ',server=1' : ''}`,
      placement: VHOST_GENERATOR_PLACEMENT,
      restartable: client,
      ...(client
        ? {}
        : { gaps: { restartDut: 'the DUT is the vhost server here, and a virtio_user client cannot reconnect to a restarted server (the restartable form makes the DUT the client)' } }),
    },
    opts,
  );
}
