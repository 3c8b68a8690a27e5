/**
 * Benchmark: MLRsearch (CSIT's goals: NDR and PDR in one search, width 0.5 %, 1 s final trials, 21 s
 * duration sum, exceed ratio 0.5) against RFC 2544 binary search (60 s trials, one search for NDR with
 * zero loss and one for PDR with 0.5 % loss tolerance, stopping at the same 0.5 % relative width), on the
 * same seeded DUT models at four noise levels. Prints total trial time, the time ratio and the accuracy
 * of each against the model's truth. Trial time is simulated (the model answers at once), so the run
 * takes seconds; the figures are the traffic seconds a real tester would spend.
 *
 * Usage: npm run bench:search [-- --seeds 100]
 */
import { createDutModel, mulberry32, type DutModel } from '../../fixtures/dut-model.ts';
import { mlrSearch } from '../mlrsearch.ts';
import { rfc2544BinarySearch } from '../rfc2544.ts';
import { NDR_GOAL, PDR_GOAL, type SearchGoal } from '../search-goal.ts';

const MIN_LOAD_PPS = 100_000;
const MAX_LOAD_PPS = 14_880_952; // 10GE, 64 B
const WIDTH = 0.005;

const levels = [
  { name: 'noiseless', noise: 0, burstProbabilityPerS: 0 },
  { name: 'low (0.1 % jitter, 1 stall/1000 s)', noise: 0.001, burstProbabilityPerS: 0.001 },
  { name: 'high (0.25 % jitter, 2 stalls/1000 s)', noise: 0.0025, burstProbabilityPerS: 0.002 },
  { name: 'very high (0.5 % jitter = the width, 3 stalls/1000 s)', noise: 0.005, burstProbabilityPerS: 0.003 },
];

interface Tally {
  timeS: number;
  within: Record<string, number>;
  absErr: Record<string, number[]>;
}

function seedsFromArgs(): number {
  const i = process.argv.indexOf('--seeds');
  const n = i >= 0 ? Number(process.argv[i + 1]) : 100;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--seeds wants a positive integer, got ${process.argv[i + 1]}`);
  return n;
}

/** The same model for a seed each time it is asked for: capacity 1-14 Mpps, every third collapses under overload. */
function model(seed: number, level: (typeof levels)[number]): DutModel {
  const capacityPps = 1e6 + mulberry32(seed * 7919)() * 13e6;
  return createDutModel({ capacityPps, seed, ...level, overloadCollapse: seed % 3 === 0 ? 0.5 : 0 });
}

function record(t: Tally, goal: SearchGoal, foundPps: number | null, truthPps: number): void {
  const err = foundPps === null ? 1 : Math.abs(foundPps - truthPps) / truthPps;
  (t.absErr[goal.name] ??= []).push(err);
  if (err <= goal.relativeWidth) t.within[goal.name] = (t.within[goal.name] ?? 0) + 1;
}

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}

const pct = (x: number, digits = 2): string => `${(x * 100).toFixed(digits)} %`;

async function main(): Promise<void> {
  const seeds = seedsFromArgs();
  const goals = [NDR_GOAL, PDR_GOAL];
  console.log(`MLRsearch vs RFC 2544 binary search, ${seeds} seeded DUT models per noise level`);
  console.log(`load range ${MIN_LOAD_PPS}-${MAX_LOAD_PPS} pps, width ${pct(WIDTH, 1)}; accuracy = found lower bound within the width of the truth\n`);
  console.log('| noise | method | mean trial time per DUT | NDR within width | PDR within width | NDR p95 abs error | PDR p95 abs error |');
  console.log('|---|---|---|---|---|---|---|');
  const ratios: string[] = [];
  for (const level of levels) {
    const mlr: Tally = { timeS: 0, within: {}, absErr: {} };
    const bin: Tally = { timeS: 0, within: {}, absErr: {} };
    const short: Tally = { timeS: 0, within: {}, absErr: {} };
    for (let seed = 1; seed <= seeds; seed++) {
      const m1 = model(seed, level);
      const r = await mlrSearch({ goals, measure: m1.measure, minLoadPps: MIN_LOAD_PPS, maxLoadPps: MAX_LOAD_PPS });
      mlr.timeS += r.totalTrialDurationS;
      for (const g of r.goals) record(mlr, g.goal, g.relevantLowerBoundPps, m1.truthPps(g.goal));
      // RFC 2544 needs one search per loss ratio; both run on a fresh model with the same seed.
      const m2 = model(seed, level);
      for (const goal of goals) {
        const b = await rfc2544BinarySearch({
          measure: m2.measure,
          minLoadPps: MIN_LOAD_PPS,
          maxLoadPps: MAX_LOAD_PPS,
          trialDurationS: 60,
          relativeWidth: WIDTH,
          lossTolerance: goal.lossRatio,
        });
        bin.timeS += b.totalTrialDurationS;
        record(bin, goal, b.throughputPps, m2.truthPps(goal));
      }
      // For reference only (not RFC 2544 compliant): the same binary search with 1 s trials.
      const m3 = model(seed, level);
      for (const goal of goals) {
        const b = await rfc2544BinarySearch({
          measure: m3.measure,
          minLoadPps: MIN_LOAD_PPS,
          maxLoadPps: MAX_LOAD_PPS,
          trialDurationS: 1,
          relativeWidth: WIDTH,
          lossTolerance: goal.lossRatio,
        });
        short.timeS += b.totalTrialDurationS;
        record(short, goal, b.throughputPps, m3.truthPps(goal));
      }
    }
    const rows = [
      ['MLRsearch', mlr],
      ['RFC 2544 binary, 60 s', bin],
      ['binary, 1 s (reference)', short],
    ] as const;
    for (const [name, t] of rows) {
      console.log(
        `| ${level.name} | ${name} | ${(t.timeS / seeds).toFixed(1)} s | ${pct((t.within.NDR ?? 0) / seeds, 0)} | ${pct((t.within.PDR ?? 0) / seeds, 0)} | ${pct(quantile(t.absErr.NDR!, 0.95))} | ${pct(quantile(t.absErr.PDR!, 0.95))} |`,
      );
    }
    ratios.push(`${level.name}: MLRsearch / RFC 2544 binary search (60 s) trial time = ${(mlr.timeS / bin.timeS).toFixed(3)}`);
  }
  console.log('');
  for (const r of ratios) console.log(r);
}

await main();
