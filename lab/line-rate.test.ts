import { expect, test } from '@playwright/test';
import { ConfigError } from '../core/errors.ts';
import { l1Bps, lineRatePps } from './line-rate.ts';

// Frames per second on one direction: speed / ((frame + 20 B) * 8). 64 B: 84 B on the wire; 1518 B: 1538 B.
const CASES = [
  { gbps: 10, frame: 64, pps: 14_880_952.38 },
  { gbps: 10, frame: 1518, pps: 812_743.82 },
  { gbps: 25, frame: 64, pps: 37_202_380.95 },
  { gbps: 25, frame: 1518, pps: 2_031_859.56 },
  { gbps: 100, frame: 64, pps: 148_809_523.81 },
  { gbps: 100, frame: 1518, pps: 8_127_438.23 },
] as const;

for (const c of CASES) {
  test(`line rate ${c.gbps}G at ${c.frame} B is ${c.pps} pps, and its L1 bit rate is the link speed`, () => {
    expect(lineRatePps(c.gbps, c.frame)).toBeCloseTo(c.pps, 1);
    expect(l1Bps(lineRatePps(c.gbps, c.frame), c.frame)).toBeCloseTo(c.gbps * 1e9, 0);
  });
}

test('a mean frame size (IMIX 7:4:1, 353.83 B) gives the mix\'s rate', () => {
  const mean = (7 * 64 + 4 * 570 + 1518) / 12;
  expect(Math.round(lineRatePps(10, mean))).toBe(3_343_736);
});

test('bad speed or frame is a ConfigError saying what to do', () => {
  expect(() => lineRatePps(0, 64)).toThrow(ConfigError);
  expect(() => lineRatePps(10, 40)).toThrow(/at least 64 bytes/);
});
