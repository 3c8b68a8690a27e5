/**
 * How many packets the generator-side rings of a running datapath hold: what a poller's stall can be
 * absorbed by before packets drop. vhost-user: virtio queue_size (capped by the generator's descriptors);
 * memif: 2^rsize (the client sizes the rings; DPDK's default rsize is 10).
 */
import type { RunningDatapath } from './datapath.ts';

/** The generator-side ring depth a datapath uses now (virtio queue_size, 2^rsize, or descriptors). */
export function ringDepthOf(dp: RunningDatapath): number {
  const vdev = dp.generatorPorts.find((p) => p.kind === 'vdev')?.vdev ?? '';
  const q = /(?:^|,)queue_size=(\d+)/.exec(vdev)?.[1];
  const r = /(?:^|,)rsize=(\d+)/.exec(vdev)?.[1];
  if (q !== undefined) return Math.min(Number(q), dp.generator?.ringSize ?? 1024);
  if (r !== undefined) return 2 ** Number(r);
  if (vdev.startsWith('net_memif')) return 1024; // memif's default rsize is 10
  return dp.generator?.ringSize ?? 1024;
}
