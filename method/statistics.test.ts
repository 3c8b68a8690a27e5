import { expect, test } from '@playwright/test';
import { ConfigError } from '../core/errors.ts';
import { compareSamples, studentTCdf, studentTQuantile, summarizeRepeats } from './statistics.ts';

// Reference values from SciPy 1.17 (stats.t.ppf / stats.t.cdf / stats.ttest_ind(equal_var=False)).

test('Student t quantiles and CDF match SciPy', () => {
  expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.262157162798205, 9);
  expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706204736174694, 7);
  expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.0422724563012378, 9);
  expect(studentTQuantile(0.95, 5)).toBeCloseTo(2.0150483733330233, 9);
  expect(studentTCdf(1.5, 3.7)).toBeCloseTo(0.8932009153989933, 9);
  expect(studentTCdf(0, 7)).toBeCloseTo(0.5, 12);
});

test('repeats: mean, sample stdev and the t-based 95 % interval', () => {
  const s = summarizeRepeats([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(s.n).toBe(10);
  expect(s.mean).toBe(5.5);
  expect(s.stdev).toBeCloseTo(3.0276503540974917, 12);
  const half = (2.262157162798205 * 3.0276503540974917) / Math.sqrt(10);
  expect(s.ci95Low).toBeCloseTo(5.5 - half, 9);
  expect(s.ci95High).toBeCloseTo(5.5 + half, 9);
  expect(summarizeRepeats([7])).toEqual({ n: 1, mean: 7, stdev: 0, ci95Low: 7, ci95High: 7 });
  expect(() => summarizeRepeats([])).toThrow(ConfigError);
  expect(() => summarizeRepeats([1, Number.NaN])).toThrow(/not a finite number/);
});

test("A/B: a clear throughput gain is 'better' by Welch's test, with SciPy's p-value and interval", () => {
  const a = [9.8, 10.1, 10.0, 9.9, 10.2, 10.0];
  const b = [10.4, 10.6, 10.3, 10.5, 10.7];
  const c = compareSamples(a, b);
  expect(c.method).toBe('welch');
  expect(c.pValue!).toBeCloseTo(0.0005420134551743455, 9);
  const meanA = 10;
  expect(c.deltaRel).toBeCloseTo(0.05, 12);
  expect(c.ciLow).toBeCloseTo(0.2903677559624965 / meanA, 9);
  expect(c.ciHigh).toBeCloseTo(0.7096322440375036 / meanA, 9);
  expect(c.verdict).toBe('better');
  // The same numbers as latency: higher is worse.
  expect(compareSamples(a, b, { higherIsBetter: false }).verdict).toBe('worse');
});

test("A/B: noise alone is 'same'", () => {
  const c = compareSamples([100, 102, 98, 101, 99], [100.5, 99, 101.5, 100, 99.5, 101]);
  expect(c.pValue!).toBeCloseTo(0.7658538180642811, 9);
  expect(c.verdict).toBe('same');
  expect(c.ciLow).toBeLessThan(0);
  expect(c.ciHigh).toBeGreaterThan(0);
});

test('A/B with one sample per side falls back to a relative tolerance and says so', () => {
  const same = compareSamples([100], [101.5]);
  expect(same).toMatchObject({ method: 'tolerance', pValue: null, verdict: 'same' });
  expect(same.note).toMatch(/single sample/);
  expect(compareSamples([100], [95]).verdict).toBe('worse');
  expect(compareSamples([100], [95], { tolerance: 0.1 }).verdict).toBe('same');
  expect(compareSamples([100, 100], [90]).method).toBe('tolerance');
});

test('A/B without spread: any difference is certain', () => {
  expect(compareSamples([5, 5, 5], [5, 5, 5])).toMatchObject({ verdict: 'same', pValue: 1 });
  expect(compareSamples([5, 5, 5], [4, 4, 4])).toMatchObject({ verdict: 'worse', pValue: 0 });
  expect(() => compareSamples([0, 0], [1, 1])).toThrow(/baseline mean is 0/);
});
