/**
 * `npm run bench:local`: our generator's MRR against the raw capacity of the same DUT and path (testpmd
 * flowgen, telemetry rates on both ends), interleaved. This host's speed changes by 3x between minutes, so
 * one figure of each taken minutes apart says nothing: for each datapath and frame size, one DUT start,
 * then at least 5 pairs of windows, raw and MRR alternating (the order flips every pair), and the ratio of
 * each pair. Prints per row the median, min and max ratio beside the host-stall probe of both pollers,
 * and the generator's rate error at 1 Mpps; writes results/<run>/bench-local.json. Exits 1 when a row
 * at a goal frame size has a median ratio below the goal. When a step fails, the rows and pairs measured
 * before it are printed (a row cut short says how many pairs it has), then the failure; exit non-zero.
 * A DUT that dies between windows (DPDK 22.11's memif kills the peer that stays at some disconnects) is
 * started again and the window measured on it; the row counts those restarts and says why.
 *
 *   npm run bench:local [-- --kinds vhost-user,memif --frames 64,1518 --pairs 5 --window 3 --warmup 1
 *                          --rings default,1024 --goal 0.9 --goal-frames 64]
 *
 * `--rings` adds rows with another generator-side ring depth (vhost queue_size and descriptors, memif
 * rsize), windows of every ring depth interleaved on the same DUT start.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { MeasurementError } from '../../core/errors.ts';
import type { DatapathKind } from '../../lab/schema.ts';
import { describeStalls, mergeLoopGaps, summarizeStalls, type LoopGaps } from '../../method/host-stalls.ts';
import type { TrialSpec } from '../../method/trial.ts';
import { loopGapsBetween, readLoopGaps, type CumulativeLoopGaps } from '../dpdk/loop-gaps.ts';
import type { RunningDatapath } from '../datapath/datapath.ts';
import { openGeneratorOn } from '../datapath/local/generator-for.ts';
import { localDatapath } from '../datapath/local/local-datapath.ts';
import { measureOnDatapath } from '../datapath/measure.ts';
import { measureRawCapacity } from '../datapath/raw-capacity.ts';
import { generatorSelfTest } from '../loadgen/self-test.ts';
import { benchOptions } from './bench-args.ts';
import { markdownTable, mpps, pct, runBench, type BenchContext, type BenchFailure, type BenchReport } from './bench-run.ts';
import { ringDepthOf, withRingDepth } from './ring-variant.ts';

const { values: args } = parseArgs({
  options: {
    kinds: { type: 'string', default: 'vhost-user,memif' },
    frames: { type: 'string', default: '64,1518' },
    pairs: { type: 'string', default: '5' },
    window: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    rings: { type: 'string', default: 'default' },
    /** Offered load for MRR, aggregate pps: far above what any local path carries. */
    offered: { type: 'string', default: '60000000' },
    'rate-check-pps': { type: 'string', default: '1000000' },
    goal: { type: 'string', default: '0.9' },
    'goal-frames': { type: 'string', default: '64' },
  },
});

const { kinds, frames, pairs, windowS, warmupS, offeredPps, rateCheckPps, goal, goalFrames, rings } = benchOptions('bench:local', (check) => ({
  kinds: check.datapaths('kinds', args.kinds),
  frames: check.integers('frames', args.frames),
  pairs: check.number('pairs', args.pairs, { integer: true }),
  windowS: check.number('window', args.window),
  warmupS: check.number('warmup', args.warmup),
  offeredPps: check.number('offered', args.offered),
  rateCheckPps: check.number('rate-check-pps', args['rate-check-pps']),
  goal: check.number('goal', args.goal),
  goalFrames: check.integers('goal-frames', args['goal-frames']),
  rings: args.rings.split(',').map((r) => (r === 'default' ? 'default' : check.number('rings', r, { integer: true }))) as ('default' | number)[],
}));

interface Pair {
  readonly order: 'raw-first' | 'mrr-first';
  readonly rawPps: number;
  readonly rawDutRxPps?: number;
  readonly mrrPps: number;
  /** What our generator really attempted per second (below the offered load: it is the limit). */
  readonly mrrAttemptedPps: number;
  readonly ratio: number;
  readonly at: string;
}
/** One row's windows as they are measured (kept from the first pair on, so a failure loses none). */
interface RowWindows {
  readonly kind: DatapathKind;
  readonly frameBytes: number;
  readonly ring: number;
  readonly pairs: Pair[];
  readonly dut: LoopGaps[];
  readonly gen: LoopGaps[];
  /** New DUT starts the row needed, and why (the DUT's death). */
  readonly dutRestarts: { readonly beforeWindow: string; readonly death: string }[];
}
interface Row {
  readonly kind: DatapathKind;
  readonly frameBytes: number;
  readonly ring: number;
  readonly pairs: readonly Pair[];
  readonly ratio: { readonly median: number; readonly min: number; readonly max: number };
  readonly mrrMedianPps: number;
  readonly rawMedianPps: number;
  readonly generatorLimited: boolean;
  readonly dutRestarts: RowWindows['dutRestarts'];
  readonly dutStalls?: string;
  readonly genStalls?: string;
}
interface RateCheck {
  readonly kind: DatapathKind;
  readonly requestedPps: number;
  readonly receivedPps: number;
  readonly offeredPps: number;
  readonly errorPct: number;
  readonly lossRatio: number;
}

/** Everything measured so far. */
const state = { rows: [] as RowWindows[], rateChecks: [] as RateCheck[], ceiling: {} as Record<number, number>, generatorVersion: '' };

/** The DUT's stall probe around one window (absent when the DUT has none). */
async function dutProbe(dp: RunningDatapath): Promise<() => Promise<LoopGaps | undefined>> {
  const before: CumulativeLoopGaps | undefined = dp.dutTelemetry ? await readLoopGaps(dp.dutTelemetry) : undefined;
  return async () => {
    const after = before && dp.dutTelemetry ? await readLoopGaps(dp.dutTelemetry) : undefined;
    return before && after ? loopGapsBetween(before, after) : undefined;
  };
}

/**
 * DPDK 22.11's memif PMD kills the DUT (SIGSEGV, or a PANIC in the interrupt thread) at some peer
 * disconnects (findings §2): the row then continues on a new DUT start, and says how many it needed.
 * A bounded number per row: a DUT that dies at every window is a failure, not noise.
 */
const MAX_DUT_RESTARTS_PER_PAIR = 2;

async function measure(b: BenchContext): Promise<void> {
  const { shell, runtime, runId, runDir } = b;
  b.step('generator self-test (memif loop, no DUT)');
  const self = await generatorSelfTest({ shell, runtime, cpus: [1], socketDir: join(runDir, 'selftest'), frameSizes: frames, durationS: windowS, warmupS: Math.min(warmupS, 1) });
  state.ceiling = { ...self.ceilingPps };
  state.generatorVersion = self.version;

  for (const kind of kinds) {
    for (const frameBytes of frames) {
      b.step(`${kind} ${frameBytes}B: DUT start`);
      // One DUT start per datapath and frame size: every window of the row (and of the other ring
      // depths) runs against this same DUT process, unless it dies (see MAX_DUT_RESTARTS_PER_PAIR).
      const up = () => localDatapath(kind, { shell, runId, runDir, runtime }).up();
      let dp: RunningDatapath = await up();
      await b.withLive(
        () => dp.down(),
        async () => {
          const viewsOf = (d: RunningDatapath) => rings.map((r) => (r === 'default' ? d : withRingDepth(d, r)));
          let views = viewsOf(dp);
          const rows = views.map((view): RowWindows => ({ kind, frameBytes, ring: ringDepthOf(view), pairs: [], dut: [], gen: [], dutRestarts: [] }));
          state.rows.push(...rows);
          let restarts = 0;
          /** Runs one window; when the DUT is dead before it, or died and took the window with it, on a new DUT start. */
          const window = async <T>(row: RowWindows, label: string, fn: (view: RunningDatapath) => Promise<T>): Promise<T> => {
            for (;;) {
              if (!dp.dutAlive()) {
                const death = dp.dutDeath() ?? 'the DUT is not running';
                if (++restarts > MAX_DUT_RESTARTS_PER_PAIR * pairs) {
                  throw new MeasurementError(`the DUT died ${restarts} times in this row; last: ${death}`, { where: `${kind} ${frameBytes}B`, hint: 'a DUT that dies at (almost) every window is broken: read its log; memif: findings §2' });
                }
                row.dutRestarts.push({ beforeWindow: label, death: death.split('\n')[0]! });
                b.step(`${label}: DUT restart ${restarts} (${death.split('\n')[0]})`);
                await dp.down().catch(() => undefined);
                dp = await up();
                views = viewsOf(dp);
              }
              b.step(label);
              try {
                return await fn(views[rows.indexOf(row)]!);
              } catch (e) {
                if (dp.dutAlive()) throw e; // not the DUT's death: a failure of its own
                b.log(`${label}: failed with the DUT dead (${String(e).split('\n')[0]}): again on a new DUT start`);
              }
            }
          };
          const spec = (loadPps: number, w = warmupS): TrialSpec => ({ loadPps, durationS: windowS, warmupS: w, profile: { kind: 'fixed', frameBytes }, flows: 16, direction: 'bidirectional' });
          for (let i = 0; i < pairs; i++) {
            for (const [v, a] of rows.entries()) {
              const label = `${kind} ${frameBytes}B ring ${a.ring} pair ${i + 1}/${pairs}`;
              const raw = () =>
                window(a, `${label}: raw (testpmd flowgen)`, (view) => {
                  let probe: (() => Promise<LoopGaps | undefined>) | undefined;
                  const dut: LoopGaps[] = [];
                  return measureRawCapacity(view, {
                    shell,
                    runtime,
                    frameBytes,
                    warmupS,
                    windowS,
                    onWindow: async (edge) => {
                      if (edge === 'start') probe = await dutProbe(dp);
                      else {
                        const g = await probe?.();
                        if (g) dut.push(g);
                      }
                    },
                  }).then((r) => ({ r, dut }));
                });
              const mrr = () =>
                window(a, `${label}: MRR (our generator, ${mpps(offeredPps)} Mpps offered)`, (view) => {
                  const ceilingPps = state.ceiling[frameBytes];
                  return b.withGenerator(
                    () => openGeneratorOn(view, { shell, runtime, ...(ceilingPps === undefined ? {} : { ceilingPps }) }),
                    async (gen) => {
                      const probe = await dutProbe(dp);
                      const m = await measureOnDatapath(dp, gen, spec(offeredPps));
                      const g = await probe();
                      // The rate check needs a path that carries the rate without loss; veth's kernel path does not.
                      if (kind !== 'veth' && frameBytes === 64 && i === pairs - 1 && v === 0) {
                        b.step(`${kind} 64B: rate accuracy at ${mpps(rateCheckPps)} Mpps`);
                        const c = await measureOnDatapath(dp, gen, spec(rateCheckPps, 1));
                        state.rateChecks.push({
                          kind,
                          requestedPps: rateCheckPps,
                          receivedPps: c.receivedPps,
                          offeredPps: c.offeredPps,
                          errorPct: (Math.abs(c.receivedPps - rateCheckPps) / rateCheckPps) * 100,
                          lossRatio: c.lossRatio,
                        });
                      }
                      return { m, dut: g ? [g] : [] };
                    },
                  );
                });
              // Alternate the order: a drift of the host during a pair then biases neither side.
              const rawFirst = i % 2 === 0;
              let r: Awaited<ReturnType<typeof raw>>;
              let m: Awaited<ReturnType<typeof mrr>>;
              if (rawFirst) {
                r = await raw();
                m = await mrr();
              } else {
                m = await mrr();
                r = await raw();
              }
              a.dut.push(...r.dut, ...m.dut);
              if (m.m.loopGaps) a.gen.push(m.m.loopGaps);
              a.pairs.push({
                order: rawFirst ? 'raw-first' : 'mrr-first',
                rawPps: r.r.genRxPps,
                ...(r.r.dutRxPps === undefined ? {} : { rawDutRxPps: r.r.dutRxPps }),
                mrrPps: m.m.receivedPps,
                mrrAttemptedPps: m.m.offeredPps,
                ratio: m.m.receivedPps / r.r.genRxPps,
                at: new Date().toISOString(),
              });
            }
          }
        },
      );
    }
  }
}

function rowOf(w: RowWindows): Row | undefined {
  if (w.pairs.length === 0) return undefined;
  const ratios = w.pairs.map((p) => p.ratio);
  const dutGaps = mergeLoopGaps(w.dut);
  const genGaps = mergeLoopGaps(w.gen);
  const attempted = median(w.pairs.map((p) => p.mrrAttemptedPps));
  const mrrMedianPps = median(w.pairs.map((p) => p.mrrPps));
  return {
    kind: w.kind,
    frameBytes: w.frameBytes,
    ring: w.ring,
    pairs: w.pairs,
    ratio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) },
    mrrMedianPps,
    rawMedianPps: median(w.pairs.map((p) => p.rawPps)),
    // Received nearly all it attempted, and attempted far less than offered: the generator's figure.
    generatorLimited: attempted < 0.9 * offeredPps && mrrMedianPps > 0.98 * attempted,
    dutRestarts: w.dutRestarts,
    ...(dutGaps ? { dutStalls: describeStalls(summarizeStalls(dutGaps)) } : {}),
    ...(genGaps ? { genStalls: describeStalls(summarizeStalls(genGaps)) } : {}),
  };
}

function report(b: BenchContext, failure?: BenchFailure): BenchReport {
  const rows = state.rows.flatMap((w) => rowOf(w) ?? []);
  const { ceiling, rateChecks } = state;
  const lines = [
    `local lab benchmark, run ${b.runId}, ${b.startedAt.toISOString()}, ${state.generatorVersion}; DUT l3fwd (1 lcore, CPU 0), generator CPU 1; ` +
      `${pairs} interleaved pairs of ${warmupS} s warm-up + ${windowS} s windows per row, one DUT start per datapath and frame (more where the DUT died: DUT restarts); load average ${b.loadBefore} before, ${loadavg()[0]!.toFixed(1)} after` +
      (failure ? `; STOPPED EARLY (${failure.where}): the rows below are what was measured before` : ''),
    '',
    ...markdownTable(
      ['datapath', 'frame', 'ring', 'MRR / raw, median', 'min', 'max', 'MRR median (Mpps)', 'raw median (Mpps)', 'self-test ceiling (Mpps)', 'DUT restarts', 'DUT loop stalls', 'generator loop stalls'],
      rows.map((r) => [
        r.kind,
        `${r.frameBytes} B`,
        String(r.ring),
        pct(r.ratio.median) + (r.pairs.length < pairs ? ` (${r.pairs.length} of ${pairs} pairs)` : ''),
        pct(r.ratio.min),
        pct(r.ratio.max),
        mpps(r.mrrMedianPps) + (r.generatorLimited ? ' (generator-limited)' : ''),
        mpps(r.rawMedianPps),
        mpps(ceiling[r.frameBytes]),
        r.dutRestarts.length === 0 ? '0' : `${r.dutRestarts.length} (${[...new Set(r.dutRestarts.map((d) => d.death.replace(/^.*\((.*)\)\s*$/, '$1')))].join(', ')})`,
        r.dutStalls ?? 'n/a',
        r.genStalls ?? 'n/a',
      ]),
    ),
    '',
    ...markdownTable(
      ['datapath', 'requested', 'received', 'offered (achieved pacing)', 'rate error', 'loss ratio'],
      rateChecks.map((c) => [`${c.kind} 64 B`, `${mpps(c.requestedPps)} Mpps`, `${mpps(c.receivedPps)} Mpps`, `${mpps(c.offeredPps)} Mpps`, `${c.errorPct.toFixed(2)} %`, c.lossRatio.toExponential(2)]),
    ),
  ];
  const missed = rows.filter((r) => goalFrames.includes(r.frameBytes) && !(r.ratio.median >= goal));
  const badRate = rateChecks.filter((c) => c.errorPct > 1);
  const met = missed.length === 0 && badRate.length === 0;
  return {
    lines,
    json: { file: 'bench-local.json', data: { runId: b.runId, startedAt: b.startedAt.toISOString(), generatorVersion: state.generatorVersion, windowS, warmupS, pairs, offeredPps, ceiling, rows, rateChecks } },
    verdict: met
      ? [`goal met: median MRR/raw >= ${goal} at ${goalFrames.join(', ')} B; rate error <= 1 % at ${mpps(rateCheckPps)} Mpps`]
      : [
          ...missed.map((r) => `NOT MET: ${r.kind} ${r.frameBytes} B ring ${r.ring}: median MRR/raw ${pct(r.ratio.median)} < ${pct(goal)}`),
          ...badRate.map((c) => `NOT MET: ${c.kind} rate error ${c.errorPct.toFixed(2)} % > 1 % at ${mpps(c.requestedPps)} Mpps`),
        ],
    exitCode: met ? 0 : 1,
  };
}

runBench({ name: 'bench:local', runIdPrefix: 'bench', measure, report, scratchDirs: ['sock', 'selftest'] });
