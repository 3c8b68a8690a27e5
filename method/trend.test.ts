import { expect, test } from '@playwright/test';
import { ConfigError } from '../core/errors.ts';
import { mulberry32 } from '../fixtures/dut-model.ts';
import { classifyTrend } from './trend.ts';

/** n results around 10 Mpps with relative Gaussian noise; from index stepAt on, scaled by 1 + step. */
function history(seed: number, n: number, noise: number, stepAt = n, step = 0): number[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    return 10e6 * (1 + (i >= stepAt ? step : 0)) * (1 + noise * z);
  });
}

test('flat noisy series: nothing reported in >= 95 % of 100 seeds', () => {
  let quiet = 0;
  for (let seed = 1; seed <= 100; seed++) {
    const r = classifyTrend(history(seed, 30, 0.01));
    if (r.last === 'normal' && r.groups.length === 1) quiet++;
  }
  expect(quiet).toBeGreaterThanOrEqual(95);
});

test('an injected 5 % drop in the last 10 of 30 runs is a regression in >= 95 % of 100 seeds', () => {
  let flagged = 0;
  for (let seed = 1; seed <= 100; seed++) {
    const r = classifyTrend(history(seed, 30, 0.01, 20, -0.05));
    const last = r.groups.at(-1)!;
    if (r.last === 'regression' && Math.abs(last.start - 20) <= 1 && Math.abs(r.changeRel + 0.05) < 0.01) flagged++;
  }
  expect(flagged).toBeGreaterThanOrEqual(95);
});

test('a 5 % rise is a progression for throughput and a regression for latency', () => {
  const values = history(5, 40, 0.01, 32, 0.05);
  expect(classifyTrend(values).last).toBe('progression');
  expect(classifyTrend(values, { higherIsBetter: false }).last).toBe('regression');
});

test('groups cover the series in order with their means; a recovered dip ends as a progression', () => {
  const values = [...history(9, 20, 0.005), ...history(10, 20, 0.005).map((v) => v * 0.9), ...history(11, 20, 0.005)];
  const r = classifyTrend(values);
  expect(r.groups.map((g) => [g.start, g.end])).toEqual([
    [0, 20],
    [20, 40],
    [40, 60],
  ]);
  expect(r.groups[1]!.mean / r.groups[0]!.mean).toBeCloseTo(0.9, 2);
  expect(r.last).toBe('progression');
  expect(r.changeRel).toBeCloseTo(1 / 0.9 - 1, 2);
});

test('scale does not matter: the same series in pps and in Mpps groups the same', () => {
  const values = history(3, 40, 0.01, 30, -0.05);
  const a = classifyTrend(values);
  const b = classifyTrend(values.map((v) => v / 1e6));
  expect(b.groups.map((g) => g.start)).toEqual(a.groups.map((g) => g.start));
  expect(b.last).toBe(a.last);
});

test('short, constant and bad series', () => {
  expect(classifyTrend([5])).toMatchObject({ last: 'normal', changeRel: 0, groups: [{ start: 0, end: 1, mean: 5, stdev: 0 }] });
  expect(classifyTrend([7, 7, 7, 7, 7, 7]).groups).toHaveLength(1);
  expect(classifyTrend([7, 7, 7, 7, 7, 7, 9, 9, 9, 9, 9, 9]).last).toBe('progression');
  expect(() => classifyTrend([])).toThrow(ConfigError);
  expect(() => classifyTrend([1, Number.POSITIVE_INFINITY])).toThrow(/not finite/);
});
