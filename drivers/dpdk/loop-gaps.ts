/**
 * The DUT's host-stall probe: our l3fwd build (drivers/dpdk/l3fwd/vdev.patch, wsp_loop_probe.h) counts the
 * gaps of 10 µs or more between iterations of its main loop and serves them, cumulative since start, as
 * the telemetry command /wirespeed/loop_gaps. A DUT without the probe (VPP, testpmd, stock l3fwd)
 * answers null: the probe is then simply absent.
 */
import { z } from 'zod';
import { TransportError } from '../../core/errors.ts';
import { bucketIndex, bucketLowerNs, bucketWidthNs } from '../../method/histogram.ts';
import type { LoopGaps } from '../../method/host-stalls.ts';
import type { TelemetryClient } from './telemetry.ts';

export const LOOP_GAPS_COMMAND = '/wirespeed/loop_gaps';

const count = z.number().int().nonnegative();

/** The reply as the probe writes it (cumulative counters). */
export const loopGapsReply = z
  .object({
    iterations: count,
    observed_ns: count,
    threshold_ns: count,
    count,
    min_ns: count,
    max_ns: count,
    sum_ns: count,
    lower_ns: z.array(count),
    counts: z.array(count),
  })
  .refine((r) => r.lower_ns.length === r.counts.length, { message: 'lower_ns and counts differ in length' });
export type CumulativeLoopGaps = z.infer<typeof loopGapsReply>;

/** Read the DUT's cumulative loop gaps; undefined when the DUT has no probe. */
export async function readLoopGaps(tel: TelemetryClient): Promise<CumulativeLoopGaps | undefined> {
  const reply = await tel.raw(LOOP_GAPS_COMMAND);
  if (reply === null || reply === undefined) return undefined;
  const parsed = loopGapsReply.safeParse(reply);
  if (!parsed.success) {
    throw new TransportError(`${LOOP_GAPS_COMMAND} reply has an unexpected shape: ${z.prettifyError(parsed.error)}`, {
      where: `telemetry ${tel.socketPath}`,
      hint: 'the DUT was built from another version of drivers/dpdk/l3fwd/vdev.patch: run `npm run setup`',
    });
  }
  return parsed.data;
}

/**
 * The gaps between two cumulative readings: bucket counts, count and sum by difference; the smallest and
 * largest gap from the window's own buckets (the exact maximum when it was set inside the window).
 */
export function loopGapsBetween(before: CumulativeLoopGaps, after: CumulativeLoopGaps): LoopGaps {
  const was = new Map(before.lower_ns.map((l, i) => [l, before.counts[i] ?? 0]));
  const buckets: [number, number][] = [];
  after.lower_ns.forEach((l, i) => {
    const n = (after.counts[i] ?? 0) - (was.get(l) ?? 0);
    if (n > 0) buckets.push([l, n]);
  });
  buckets.sort((a, b) => a[0] - b[0]);
  const n = buckets.reduce((s, [, c]) => s + c, 0);
  const top = buckets.at(-1);
  const topEdge = top === undefined ? 0 : bucketLowerNs(bucketIndex(top[0])) + bucketWidthNs(bucketIndex(top[0])) - 1;
  const maxNs = n === 0 ? 0 : after.max_ns > before.max_ns ? after.max_ns : Math.min(after.max_ns, topEdge);
  const minNs = n === 0 ? 0 : Math.max(after.min_ns, buckets[0]![0]);
  return {
    observedS: Math.max(0, after.observed_ns - before.observed_ns) / 1e9,
    iterations: Math.max(0, after.iterations - before.iterations),
    thresholdNs: after.threshold_ns,
    gaps: { scheme: 'log-linear-32', buckets, count: n, minNs, maxNs, sumNs: Math.max(0, after.sum_ns - before.sum_ns) },
  };
}
