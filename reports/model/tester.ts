/**
 * What the reader must know before any figure: what the tester itself can do in this run (its self-test
 * ceiling and latency bias per profile) and how much the host took from the pollers (the stall probe of
 * the generator's loop and of the DUT's, over every trial of the run). Built from the records only.
 */
import { mergeLoopGaps, summarizeStalls, type LoopGaps, type StallSummary } from '../../method/host-stalls.ts';
import type { TrafficProfile } from '../../method/trial.ts';
import type { RunView } from './run-view.ts';

export interface TesterProfile {
  readonly generator: string;
  readonly profile: TrafficProfile;
  readonly ceilingPps?: number;
  /** Loopback latency median (what latency figures carry of the tester itself) and its p99. */
  readonly biasNs?: number;
  readonly biasP99Ns?: number;
  readonly unavailable?: string;
}

export interface TesterView {
  readonly profiles: readonly TesterProfile[];
  /** Stalls of 1 ms or more in the generator's trial loop (self-test and every trial). */
  readonly generatorStalls?: StallSummary;
  /** The same in the DUT's main loop, where the DUT has the probe. */
  readonly dutStalls?: StallSummary;
}

/** The tester and host of a run, from its self-test records and the loop gaps of its trials. */
export function testerView(view: RunView): TesterView {
  const profiles: TesterProfile[] = view.selfTests.map((s) => ({
    generator: s.generator,
    profile: s.profile,
    ...(s.ceilingPps === undefined ? {} : { ceilingPps: s.ceilingPps }),
    ...(s.bias === undefined ? {} : { biasNs: s.bias.biasNs, biasP99Ns: s.bias.p99Ns }),
    ...(s.unavailable === undefined ? {} : { unavailable: s.unavailable }),
  }));
  const trials = [...view.trialsByScenario.values()].flat().map((t) => t.trial);
  const gen = mergeLoopGaps([...view.selfTests.flatMap((s) => (s.loopGaps ? [s.loopGaps as LoopGaps] : [])), ...trials.flatMap((t) => (t.loopGaps ? [t.loopGaps as LoopGaps] : []))]);
  const dut = mergeLoopGaps(trials.flatMap((t) => (t.dutLoopGaps ? [t.dutLoopGaps as LoopGaps] : [])));
  return {
    profiles,
    ...(gen === undefined ? {} : { generatorStalls: summarizeStalls(gen) }),
    ...(dut === undefined ? {} : { dutStalls: summarizeStalls(dut) }),
  };
}
