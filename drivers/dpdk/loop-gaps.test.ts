import { expect, test } from '@playwright/test';
import { TransportError } from '../../core/errors.ts';
import { bucketIndex, bucketLowerNs } from '../../method/histogram.ts';
import { summarizeStalls } from '../../method/host-stalls.ts';
import { loopGapsBetween, readLoopGaps, type CumulativeLoopGaps } from './loop-gaps.ts';
import type { TelemetryClient } from './telemetry.ts';

const lower = (ns: number) => bucketLowerNs(bucketIndex(ns));

/** Cumulative readings as the probe serves them: an idle DUT, then one that stalled twice for 4 ms and once for 21 ms. */
const before: CumulativeLoopGaps = {
  iterations: 10_000_000,
  observed_ns: 2_000_000_000,
  threshold_ns: 10_000,
  count: 3,
  min_ns: 12_000,
  max_ns: 30_000_000,
  sum_ns: 12_000 + 15_000 + 30_000_000,
  lower_ns: [lower(12_000), lower(15_000), lower(30_000_000)],
  counts: [1, 1, 1],
};
const after: CumulativeLoopGaps = {
  iterations: 25_000_000,
  observed_ns: 5_000_000_000,
  threshold_ns: 10_000,
  count: 6,
  min_ns: 12_000,
  max_ns: 30_000_000,
  sum_ns: before.sum_ns + 4_000_000 + 4_100_000 + 21_000_000,
  lower_ns: [lower(12_000), lower(15_000), lower(4_000_000), lower(21_000_000), lower(30_000_000)],
  counts: [1, 1, 2, 1, 1],
};

test('loop gaps between two cumulative readings are the window own: counts, time and the largest gap in it', () => {
  const g = loopGapsBetween(before, after);
  expect(g.observedS).toBeCloseTo(3, 9);
  expect(g.iterations).toBe(15_000_000);
  expect(g.gaps.count).toBe(3);
  expect(g.gaps.buckets).toEqual([
    [lower(4_000_000), 2],
    [lower(21_000_000), 1],
  ]);
  expect(g.gaps.sumNs).toBe(29_100_000);
  // The all-time maximum (30 ms) happened before the window: the window's is its top bucket's edge.
  expect(g.gaps.maxNs).toBeGreaterThanOrEqual(21_000_000);
  expect(g.gaps.maxNs).toBeLessThan(22_000_000);
  const s = summarizeStalls(g);
  expect(s.stalls).toBe(3);
  expect(s.perMinute).toBeCloseTo(60, 6);
  // Nothing new: an empty histogram, not the old figures.
  expect(loopGapsBetween(after, after).gaps).toMatchObject({ count: 0, buckets: [], maxNs: 0 });
});

function fakeTelemetry(reply: unknown): TelemetryClient {
  return { raw: async () => reply, socketPath: '/run/dpdk/x/dpdk_telemetry.v2' } as unknown as TelemetryClient;
}

test('a DUT without the probe answers null: the probe is absent; a reply of another shape is an error that says to rebuild', async () => {
  expect(await readLoopGaps(fakeTelemetry(null))).toBeUndefined();
  expect(await readLoopGaps(fakeTelemetry(after))).toEqual(after);
  const err = await readLoopGaps(fakeTelemetry({ iterations: 1 })).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TransportError);
  expect((err as TransportError).hint).toMatch(/npm run setup/);
});
