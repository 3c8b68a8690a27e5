import { expect, test } from '@playwright/test';
import { ConfigError } from '../core/errors.ts';
import { EMPTY_HISTOGRAM } from './histogram.ts';
import { histogramFromValues, latencyLoads, mergeHistograms, percentiles, subtractBias, summarize, testerBiasNs } from './latency.ts';

test('percentiles by nearest rank are exact in the 1-ns buckets', () => {
  const h = histogramFromValues(Array.from({ length: 64 }, (_, i) => i)); // 0..63 ns
  // ranks ceil(p% * 64): 32, 58, 64, 64, 1, 64
  expect(percentiles(h, [50, 90, 99, 99.9, 0, 100])).toEqual([31, 57, 63, 63, 0, 63]);
  expect(summarize(h)).toEqual({ count: 64, minNs: 0, maxNs: 63, avgNs: 31.5, p50Ns: 31, p90Ns: 57, p99Ns: 63, p999Ns: 63 });
});

test('a rare outlier shows in p99.9 and max only', () => {
  const values = [...Array(999).fill(10), 5000];
  const s = summarize(histogramFromValues(values));
  expect(s).toMatchObject({ p50Ns: 10, p90Ns: 10, p99Ns: 10, p999Ns: 10, maxNs: 5000, minNs: 10, count: 1000 });
  const s2 = summarize(histogramFromValues([...Array(99).fill(10), 5000]));
  expect(s2.p99Ns).toBe(10);
  expect(s2.p999Ns).toBe(5000); // rank 100 of 100: the outlier's bucket, clamped to the exact max
});

test('values in wide buckets report the bucket middle, within 1/32 of the truth', () => {
  // 1010 ns lies in [1008, 1024) (width 16): middle 1008 + 7.5.
  const h = histogramFromValues([1000, 1010, 1020, 2000]);
  expect(percentiles(h, [50])).toEqual([1015.5]);
  const big = histogramFromValues(Array.from({ length: 10_000 }, (_, i) => 1000 + i * 37));
  const [p50, p99] = percentiles(big, [50, 99]);
  const truth50 = 1000 + 4999 * 37;
  const truth99 = 1000 + 9899 * 37;
  expect(Math.abs(p50! - truth50) / truth50).toBeLessThan(1 / 32);
  expect(Math.abs(p99! - truth99) / truth99).toBeLessThan(1 / 32);
  expect(summarize(big).avgNs).toBeCloseTo(1000 + (9999 * 37) / 2, 6);
});

test('merging histograms equals the histogram of all values', () => {
  const a = [5, 70, 900, 12_345, 1_000_000];
  const b = [6, 70, 901, 99_999, 3, 2_000_000_000];
  expect(mergeHistograms(histogramFromValues(a), histogramFromValues(b), EMPTY_HISTOGRAM)).toEqual(histogramFromValues([...a, ...b]));
  expect(mergeHistograms()).toEqual(EMPTY_HISTOGRAM);
});

test('empty histogram summarises to NaN, not to zero latency', () => {
  const s = summarize(EMPTY_HISTOGRAM);
  expect(s.count).toBe(0);
  expect(Number.isNaN(s.p50Ns) && Number.isNaN(s.maxNs) && Number.isNaN(s.avgNs)).toBe(true);
});

test('latency plan loads: 0/10/50/90 % of PDR, 0 meaning the stamped stream alone', () => {
  expect(latencyLoads(1_000_000)).toEqual([
    { fraction: 0, loadPps: 0 },
    { fraction: 0.1, loadPps: 100_000 },
    { fraction: 0.5, loadPps: 500_000 },
    { fraction: 0.9, loadPps: 900_000 },
  ]);
  expect(() => latencyLoads(0)).toThrow(ConfigError);
  expect(() => latencyLoads(1e6, [1.5])).toThrow(/fraction 1.5/);
});

test('tester bias: loopback median, subtracted and recorded', () => {
  const loopback = histogramFromValues([40, 41, 42, 43, 44]);
  const bias = testerBiasNs(loopback);
  expect(bias).toBe(42);
  const dut = summarize(histogramFromValues([50, 60, 70, 80, 1000]));
  const c = subtractBias(dut, bias);
  expect(c.testerBiasNs).toBe(42);
  expect(c.minNs).toBe(8);
  expect(c.p50Ns).toBe(dut.p50Ns - 42);
  expect(subtractBias(summarize(histogramFromValues([10])), 42).p50Ns).toBe(0); // never negative
  expect(() => testerBiasNs(EMPTY_HISTOGRAM)).toThrow(/loopback latency histogram is empty/);
});
