/**
 * Ethernet line rate, the one place its arithmetic lives: every frame also costs 20 bytes on the wire
 * (7 preamble + 1 start-of-frame delimiter + 12 inter-frame gap), so a link of S bit/s carries at most
 * S / ((frame + 20) * 8) frames per second in each direction (RFC 2544 §20 figures: 14.88 Mpps at 10G 64 B).
 */
import { ConfigError } from '../core/errors.ts';

/** Bytes each frame costs on the wire besides itself: 7 preamble + 1 SFD + 12 inter-frame gap. */
export const L1_OVERHEAD_BYTES = 20;

/** Maximum frames per second on one direction of a link of `speedGbps` at `frameBytes` (with FCS; a mean for a mix). */
export function lineRatePps(speedGbps: number, frameBytes: number): number {
  if (!(speedGbps > 0)) throw new ConfigError(`link speed must be positive, got ${speedGbps} Gb/s`, { hint: 'state speedGbps on the port, e.g. 10, 25 or 100' });
  if (!(frameBytes >= 64)) throw new ConfigError(`frame size must be at least 64 bytes (with FCS), got ${frameBytes}`);
  return (speedGbps * 1e9) / ((frameBytes + L1_OVERHEAD_BYTES) * 8);
}

/** Layer-1 bits per second of a packet rate at `frameBytes` (frame + preamble, SFD and gap). */
export function l1Bps(pps: number, frameBytes: number): number {
  return pps * (frameBytes + L1_OVERHEAD_BYTES) * 8;
}
