/**
 * A running datapath seen with another generator-side ring depth: the same DUT, the same sockets, but the
 * generator (ours or testpmd flowgen) attaches with `queue_size`/descriptors (vhost-user) or `rsize`
 * (memif: the client sizes the rings) of the given depth. Lets the benchmark compare ring depths on one
 * DUT start, interleaved, instead of across runs on a host whose speed changes between them.
 */
import { ConfigError } from '../../core/errors.ts';
import type { RunningDatapath } from '../datapath/datapath.ts';
export { ringDepthOf } from '../datapath/ring-depth.ts';

/** The datapath with the generator's rings `slots` deep (a power of two, 256..16384). */
export function withRingDepth(dp: RunningDatapath, slots: number): RunningDatapath {
  if (!Number.isInteger(Math.log2(slots)) || slots < 256 || slots > 16384) {
    throw new ConfigError(`ring depth ${slots} is not a power of two in 256..16384`, { where: 'bench --rings', hint: 'e.g. --rings default,1024' });
  }
  const log2 = Math.log2(slots);
  const ports = dp.generatorPorts.map((p) => {
    if (p.kind !== 'vdev') return p;
    let vdev = p.vdev;
    if (vdev.startsWith('net_virtio_user')) vdev = setArg(vdev, 'queue_size', String(slots));
    else if (vdev.startsWith('net_memif')) vdev = setArg(vdev, 'rsize', String(log2));
    else throw new ConfigError(`cannot set the ring depth of ${vdev.split(',')[0]}`, { where: 'bench --rings', hint: 'ring depths apply to vhost-user and memif' });
    return { ...p, vdev };
  });
  // Both directions' rings full, plus bursts in flight: the generator's pool must cover them.
  return { ...dp, generatorPorts: ports, generator: { ...dp.generator, ringSize: slots, mbufs: Math.max(16383, 4 * slots + 4095) } };
}

function setArg(vdev: string, key: string, value: string): string {
  const parts = vdev.split(',');
  const i = parts.findIndex((kv) => kv.startsWith(`${key}=`));
  if (i >= 0) parts[i] = `${key}=${value}`;
  else parts.push(`${key}=${value}`);
  return parts.join(',');
}
