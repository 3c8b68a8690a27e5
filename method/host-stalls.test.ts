import { expect, test } from '@playwright/test';
import { histogramFromValues } from './latency.ts';
import { describeStalls, starvedBy, summarizeStalls, type LoopGaps } from './host-stalls.ts';

const gaps = (valuesNs: number[], observedS = 5): LoopGaps => ({ observedS, iterations: 1e7, thresholdNs: 10_000, gaps: histogramFromValues(valuesNs) });

test('stalls of 1 ms or more are summarised for people; shorter gaps are ordinary iterations', () => {
  const s = summarizeStalls(gaps([12_000, 15_000, 4_000_000, 30_000_000], 60));
  expect(s.stalls).toBe(2);
  expect(s.perMinute).toBeCloseTo(2, 9);
  expect(describeStalls(s)).toMatch(/^stalls 4\.\d–30 ms \(median–max\), 2 ≥ 1\.0 ms \(2\.0 per minute\), 0\.\d % of 60 s watched$/);
  expect(describeStalls(summarizeStalls(gaps([12_000])))).toBe('no stall ≥ 1.0 ms in 5.0 s watched');
});

test('the host starved a poller only when a stall outlasts what the rings buffer at the rate', () => {
  // 4096 slots at 250 kpps per direction hold 16.4 ms.
  expect(starvedBy([{ name: 'DUT', gaps: gaps([12_000_000]) }, { name: 'generator', gaps: gaps([3_000_000]) }], 4096, 250_000)).toBeUndefined();
  expect(starvedBy([{ name: 'DUT', gaps: gaps([12_000_000]) }, { name: 'generator', gaps: gaps([70_000_000]) }], 4096, 250_000)).toBe(
    "the host starved the generator's poller: a stall of 70.0 ms in the window, longer than the 16.4 ms its 4096-slot rings buffer at 250 kpps per direction",
  );
  // No probe, or a probe that saw nothing: never an excuse.
  expect(starvedBy([{ name: 'DUT', gaps: undefined }, { name: 'generator', gaps: gaps([]) }], 4096, 250_000)).toBeUndefined();
});
