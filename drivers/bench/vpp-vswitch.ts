/**
 * `npm run bench:vpp-vswitch`: VPP as the vswitch between generator and l3fwd on two cores, by VPP's
 * rx-mode, against l3fwd alone on the same datapath (no vswitch). On two CPUs VPP shares the DUT's CPU
 * with l3fwd (three pollers, two cores): in polling mode the two time-slice; in interrupt mode VPP sleeps
 * until a peer signals a ring; adaptive switches between the two. Per cell and frame size: MRR (received
 * rate at an offered load above any of them), and at a low load (0.1 Mpps) the loss and the latency
 * (every packet stamped). Cells are interleaved: each round brings every cell up once, in a rotated order,
 * and MRR is compared with the baseline's of the same round. Prints a table (also of the rounds done when
 * a later one fails); writes results/<run>/bench-vpp-vswitch.json.
 *
 *   npm run bench:vpp-vswitch [-- --datapath memif-vpp --modes interrupt,adaptive,polling --rounds 3 --frames 64,1518]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { ConfigError } from '../../core/errors.ts';
import { percentiles } from '../../method/latency.ts';
import { openGeneratorOn } from '../datapath/local/generator-for.ts';
import { localDatapath } from '../datapath/local/local-datapath.ts';
import { vppVswitchDatapath, type RunningVppVswitch } from '../datapath/local/vpp-vswitch.ts';
import { measureOnDatapath } from '../datapath/measure.ts';
import { locateVpp } from '../vpp/locate-vpp.ts';
import { VPP_RX_MODES, type VppRxMode } from '../vpp/vppctl.ts';
import { benchOptions } from './bench-args.ts';
import { markdownTable, mpps, rotated, runBench, type BenchContext, type BenchFailure, type BenchReport } from './bench-run.ts';

const { values: args } = parseArgs({
  options: {
    datapath: { type: 'string', default: 'memif-vpp' },
    modes: { type: 'string', default: 'interrupt,adaptive,polling' },
    frames: { type: 'string', default: '64,1518' },
    rounds: { type: 'string', default: '3' },
    window: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '1' },
    offered: { type: 'string', default: '40000000' },
    'low-load': { type: 'string', default: '100000' },
  },
});

const { datapath, modes, frames, rounds, windowS, warmupS, offeredPps, lowLoadPps } = benchOptions('bench:vpp-vswitch', (check) => ({
  datapath: check.oneOf('datapath', args.datapath, ['memif-vpp', 'vhost-user-vpp'] as const)[0]!,
  modes: check.oneOf('modes', args.modes, VPP_RX_MODES),
  frames: check.integers('frames', args.frames),
  rounds: check.number('rounds', args.rounds, { integer: true }),
  windowS: check.number('window', args.window),
  warmupS: check.number('warmup', args.warmup, { zero: true }),
  offeredPps: check.number('offered', args.offered),
  lowLoadPps: check.number('low-load', args['low-load']),
}));
/** The same datapath without the vswitch: the generator straight to l3fwd. */
const baseline = datapath === 'memif-vpp' ? 'memif' : 'vhost-user';

/** A cell: the baseline (no vswitch) or VPP in one rx-mode. */
type Cell = 'none' | VppRxMode;
const cells: Cell[] = ['none', ...modes];
const cellName = (c: Cell) => (c === 'none' ? `${baseline} (no vswitch)` : `${datapath} ${c}`);

interface Sample {
  round: number;
  cell: Cell;
  frameBytes: number;
  mrrPps: number;
  lowLoadLossRatio: number;
  latencyP50Us?: number;
  latencyP99Us?: number;
  latencyMaxUs?: number;
}
const samples: Sample[] = [];

async function measure(b: BenchContext): Promise<void> {
  const { shell, runtime, runId, runDir } = b;
  for (let round = 0; round < rounds; round++) {
    for (const cell of rotated(cells, round)) {
      b.step(`round ${round + 1}/${rounds} ${cellName(cell)}`);
      const opts = { shell, runId, runDir, runtime, dut: 'l3fwd' as const };
      await b.withDatapath(
        () => (cell === 'none' ? localDatapath(baseline, opts) : vppVswitchDatapath(datapath, { ...opts, vswitchRxMode: cell })).up(),
        (dp) =>
          b.withGenerator(
            () => openGeneratorOn(dp, { shell, runtime }),
            async (gen) => {
              // VPP resets a queue to polling when its peer connects: measure once the mode holds.
              if ('vswitch' in dp) await (dp as RunningVppVswitch).vswitch.rxModeApplied();
              for (const frameBytes of frames) {
                const profile = { kind: 'fixed', frameBytes } as const;
                const mrr = await measureOnDatapath(dp, gen, { loadPps: offeredPps, durationS: windowS, warmupS, profile, flows: 16, direction: 'bidirectional' });
                const low = await measureOnDatapath(dp, gen, { loadPps: lowLoadPps, durationS: windowS, warmupS, profile, flows: 16, direction: 'bidirectional', latency: 'all' });
                const h = low.latency;
                samples.push({
                  round,
                  cell,
                  frameBytes,
                  mrrPps: mrr.receivedPps,
                  lowLoadLossRatio: low.lossRatio,
                  ...(h && h.count > 0 ? { latencyP50Us: percentiles(h, [50])[0]! / 1000, latencyP99Us: percentiles(h, [99])[0]! / 1000, latencyMaxUs: h.maxNs / 1000 } : {}),
                });
                b.log(`round ${round + 1}/${rounds} ${cellName(cell)} ${frameBytes} B: MRR ${mpps(mrr.receivedPps)} Mpps; at ${mpps(lowLoadPps)} Mpps loss ${low.lossRatio.toExponential(2)}`);
              }
            },
          ),
      );
    }
  }
}

function report(b: BenchContext, failure?: BenchFailure): BenchReport {
  const rows: string[][] = [];
  const range = (xs: readonly number[], f: (x: number) => string) => (xs.length > 0 ? `${f(median(xs))} (${f(Math.min(...xs))}-${f(Math.max(...xs))})` : 'n/a');
  for (const frameBytes of frames) {
    for (const cell of cells) {
      const mine = samples.filter((s) => s.cell === cell && s.frameBytes === frameBytes);
      if (mine.length === 0) continue;
      const ratios = mine.flatMap((s) => {
        const ref = samples.find((x) => x.cell === 'none' && x.frameBytes === frameBytes && x.round === s.round);
        return ref && ref.mrrPps > 0 ? [s.mrrPps / ref.mrrPps] : [];
      });
      const med = (f: (s: Sample) => number | undefined) => {
        const xs = mine.map(f).filter((x): x is number => x !== undefined);
        return xs.length > 0 ? median(xs) : undefined;
      };
      const us = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(0));
      rows.push([
        `${frameBytes} B`,
        cellName(cell),
        range(mine.map((s) => s.mrrPps), mpps),
        range(ratios, (x) => x.toFixed(2)),
        med((s) => s.lowLoadLossRatio)!.toExponential(1),
        `${us(med((s) => s.latencyP50Us))} / ${us(med((s) => s.latencyP99Us))} / ${us(med((s) => s.latencyMaxUs))}`,
      ]);
    }
  }
  const lines = [
    `l3fwd behind VPP on ${datapath}, run ${b.runId}, ${b.startedAt.toISOString()}: ${rounds} interleaved rounds, ${warmupS} s warm-up + ${windowS} s window per figure; MRR offered ${mpps(offeredPps)} Mpps, low load ${mpps(lowLoadPps)} Mpps; l3fwd and VPP on CPU 0, generator on CPU 1; load average ${b.loadBefore} before, ${loadavg()[0]!.toFixed(1)} after` +
      (failure ? `; STOPPED EARLY (${failure.where}): the figures below are of the rounds before` : ''),
    '',
    ...markdownTable(['frame', 'path', 'MRR median (min-max), Mpps', `MRR / ${baseline} alone, same round: median (min-max)`, 'loss at low load (median)', 'latency at low load p50 / p99 / max, µs (medians)'], rows),
  ];
  return { lines, json: { file: 'bench-vpp-vswitch.json', data: { runId: b.runId, startedAt: b.startedAt.toISOString(), datapath, rounds, windowS, warmupS, offeredPps, lowLoadPps, samples } }, exitCode: 0 };
}

runBench({
  name: 'bench:vpp-vswitch',
  runIdPrefix: 'benchv',
  preflight: () => {
    const l = locateVpp();
    if ('absent' in l) throw new ConfigError(`VPP is needed: ${l.absent}`, { where: 'bench:vpp-vswitch', hint: 'build it: WIRESPEED_VPP_SRC=... npm run setup (docs/local-lab.md)' });
  },
  measure,
  report,
  scratchDirs: ['sock'],
});
