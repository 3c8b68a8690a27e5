/**
 * Trials on a running datapath: the generator measures, and the DUT is watched meanwhile. A DUT that
 * dies during a trial turns the trial into a MeasurementError naming the datapath, its exit and its
 * last lines, whatever the generator saw (its own error, or figures that only show loss).
 */
import { MeasurementError } from '../../core/errors.ts';
import { loopGapsBetween, readLoopGaps } from '../dpdk/loop-gaps.ts';
import { dutCountersDelta, type Measure, type TrialResult, type TrialSpec } from '../../method/trial.ts';
import type { GeneratorSession } from '../loadgen/traffic-generator.ts';
import type { RunningDatapath } from './datapath.ts';

const WATCH_INTERVAL_MS = 50;

function dutDied(dp: RunningDatapath, when: string, cause?: unknown): MeasurementError {
  return new MeasurementError(`the DUT (${dp.dut.kind}, pid ${dp.dut.pid ?? '?'}) died ${when}: ${dp.dutDeath() ?? 'exited'}`, {
    where: `datapath ${dp.kind}`,
    hint: 'the trial measured nothing; read the DUT output above (exit 139 is a crash, 137/143 a kill), then bring the datapath up again',
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Run one trial through `session` while watching the DUT of `dp`. Where the DUT has the host-stall probe
 * (our l3fwd), the gaps its main loop saw during the trial go into the result as `dutLoopGaps`; where it
 * reports its own counters (VPP's stats segment), what it counted over the trial goes in as `dut`.
 */
export async function measureOnDatapath(dp: RunningDatapath, session: GeneratorSession, trial: TrialSpec, signal?: AbortSignal): Promise<TrialResult> {
  if (!dp.dutAlive()) throw dutDied(dp, 'before the trial');
  const probeBefore = dp.dutTelemetry ? await readLoopGaps(dp.dutTelemetry) : undefined;
  const countersBefore = dp.dutCounters ? await dp.dutCounters() : undefined;
  let timer: NodeJS.Timeout | undefined;
  const watched = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      if (!dp.dutAlive()) reject(dutDied(dp, 'during the trial'));
    }, WATCH_INTERVAL_MS);
  });
  const measuring = session.measure(trial, signal);
  // If the DUT wins the race, the generator's late answer (or error) is of no interest.
  measuring.catch(() => undefined);
  try {
    const result = await Promise.race([measuring, watched]);
    // Died right at the end: the counters may miss what it dropped on the way out.
    if (!dp.dutAlive()) throw dutDied(dp, 'at the end of the trial');
    const probeAfter = probeBefore && dp.dutTelemetry ? await readLoopGaps(dp.dutTelemetry) : undefined;
    const countersAfter = countersBefore && dp.dutCounters ? await dp.dutCounters() : undefined;
    return {
      ...result,
      ...(probeBefore && probeAfter ? { dutLoopGaps: loopGapsBetween(probeBefore, probeAfter) } : {}),
      ...(countersBefore && countersAfter ? { dut: dutCountersDelta(countersBefore, countersAfter) } : {}),
    };
  } catch (err) {
    if (err instanceof MeasurementError && err.where === `datapath ${dp.kind}`) throw err;
    // The generator failed: if the DUT is gone (or going), that is the real cause.
    await new Promise((r) => setTimeout(r, 200));
    if (!dp.dutAlive()) throw dutDied(dp, 'during the trial', err);
    throw err;
  } finally {
    clearInterval(timer);
  }
}

/** A Measure (for the search algorithms) over a running datapath and an open generator session. */
export function datapathMeasurer(dp: RunningDatapath, session: GeneratorSession, base: Omit<TrialSpec, 'loadPps' | 'durationS'>): Measure {
  return (durationS, loadPps, signal) => measureOnDatapath(dp, session, { ...base, durationS, loadPps }, signal);
}
