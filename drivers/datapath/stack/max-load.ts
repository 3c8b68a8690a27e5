/**
 * The most load worth offering: on hardware the line rate of the generator's links at their negotiated
 * speed (lab/line-rate.ts), aggregated over the transmitting ports; on virtual ports, which have no line
 * rate, what the generator itself delivers, measured in this run (its self-test).
 */
import { lineRatePps } from '../../../lab/line-rate.ts';
import { averageFrameBytes, type Direction, type TrafficProfile } from '../../../method/trial.ts';
import type { GeneratorCeiling, LinkRate, MaxOfferedLoad } from './stack.ts';

/** Line rate over the links that transmit: both for bidirectional traffic, p0 alone otherwise. */
export function lineRateLoad(links: readonly LinkRate[], profile: TrafficProfile, direction: Direction = 'bidirectional'): MaxOfferedLoad & { basis: 'line-rate' } {
  const frameBytes = averageFrameBytes(profile);
  const tx = direction === 'bidirectional' ? links : links.slice(0, 1);
  return {
    basis: 'line-rate',
    loadPps: tx.reduce((s, l) => s + lineRatePps(l.speedGbps, frameBytes), 0),
    lineRateBps: Math.min(...links.map((l) => l.speedGbps)) * 1e9,
    links,
  };
}

/** The generator's ceiling as the max load of virtual ports. */
export function ceilingLoad(c: GeneratorCeiling): MaxOfferedLoad {
  return { basis: 'generator-ceiling', loadPps: c.ceilingPps, selfTest: c };
}
