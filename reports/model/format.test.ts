import { test, expect } from '@playwright/test';
import { fmtDelta, fmtDuration, fmtLatency, fmtLoss, fmtMpps, fmtPps } from './format.ts';

test('rates: Mpps from 0.1 Mpps up, kpps below, pps under 1000', () => {
  expect(fmtPps(14_880_952)).toBe('14.881 Mpps');
  expect(fmtPps(512_000)).toBe('0.512 Mpps'); // a veth rate reads in the same unit as the others
  expect(fmtPps(99_950)).toBe('100.0 kpps');
  expect(fmtPps(10_000)).toBe('10.0 kpps');
  expect(fmtPps(999)).toBe('999 pps');
  expect(fmtPps(Number.NaN)).toBe('–');
  expect(fmtMpps(4_213_000)).toBe('4.213');
});

test('loss: always a percentage, 3 significant digits, an exponent below 0.01 %', () => {
  expect(fmtLoss(0)).toBe('0 %');
  expect(fmtLoss(0.0125)).toBe('1.25 %');
  expect(fmtLoss(0.005)).toBe('0.5 %');
  expect(fmtLoss(1)).toBe('100 %');
  expect(fmtLoss(0.0001)).toBe('0.01 %');
  expect(fmtLoss(0.00005)).toBe('5.0e-3 %');
});

test('durations, latencies and deltas', () => {
  expect(fmtDuration(0.4)).toBe('0.4 s');
  expect(fmtDuration(12.4)).toBe('12 s');
  expect(fmtDuration(59.7)).toBe('60 s');
  expect(fmtDuration(123)).toBe('2 min 3 s');
  expect(fmtDuration(119.6)).toBe('2 min 0 s'); // never "1 min 60 s"
  expect(fmtDuration(3900)).toBe('1 h 5 min');
  expect(fmtLatency(850)).toBe('850 ns');
  expect(fmtLatency(8780)).toBe('8.78 µs');
  expect(fmtLatency(23_900_000)).toBe('23.9 ms');
  expect(fmtDelta(0.032)).toBe('+3.2 %');
  expect(fmtDelta(-0.061)).toBe('-6.1 %');
});
