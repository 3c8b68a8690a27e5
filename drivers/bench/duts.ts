/**
 * `npm run bench:duts`: the DUT applications side by side on one datapath (default memif), in one run:
 * MRR (received rate at an offered load far above any of them) of l3fwd, testpmd (io), VPP L2 cross-connect
 * and VPP IPv4 routing, at 64 B and 1518 B. This VM's rates swing threefold between minutes, so the DUTs
 * are interleaved: each round brings every DUT up once (in a rotated order) and measures both frame sizes,
 * and each DUT's figure is compared with l3fwd's of the same round. Each round also measures the generator's
 * own ceiling (wsp-gen's two ports on one memif socket, no DUT: generatorSelfTest), rotated in with the DUTs,
 * so the table says how far below the tester the DUTs are. Prints median, min and max per DUT and frame size
 * over the rounds (also of the rounds done when a later one fails), and writes results/<run>/bench-duts.json.
 *
 *   npm run bench:duts [-- --datapath memif --duts l3fwd,testpmd-io,vpp-l2xc,vpp-ip4base --rounds 5 --window 2 --warmup 1]
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { ConfigError } from '../../core/errors.ts';
import { openGeneratorOn } from '../datapath/local/generator-for.ts';
import { localDatapath } from '../datapath/local/local-datapath.ts';
import type { LocalDutKind } from '../datapath/local/local-options.ts';
import { measureOnDatapath } from '../datapath/measure.ts';
import { generatorSelfTest } from '../loadgen/self-test.ts';
import { locateVpp } from '../vpp/locate-vpp.ts';
import { benchOptions } from './bench-args.ts';
import { markdownTable, mpps, rotated, runBench, type BenchContext, type BenchFailure, type BenchReport } from './bench-run.ts';

const DUTS: readonly LocalDutKind[] = ['l3fwd', 'testpmd-io', 'testpmd-macswap', 'vpp-l2xc', 'vpp-ip4base'];

const { values: args } = parseArgs({
  options: {
    datapath: { type: 'string', default: 'memif' },
    duts: { type: 'string', default: 'l3fwd,testpmd-io,vpp-l2xc,vpp-ip4base' },
    frames: { type: 'string', default: '64,1518' },
    rounds: { type: 'string', default: '5' },
    window: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '1' },
    /** Offered load, aggregate pps: above what any DUT here forwards. */
    offered: { type: 'string', default: '40000000' },
  },
});

const { datapath, duts, frames, rounds, windowS, warmupS, offeredPps } = benchOptions('bench:duts', (check) => ({
  datapath: check.datapaths('datapath', args.datapath)[0]!,
  duts: check.oneOf('duts', args.duts, DUTS),
  frames: check.integers('frames', args.frames),
  rounds: check.number('rounds', args.rounds, { integer: true }),
  windowS: check.number('window', args.window),
  warmupS: check.number('warmup', args.warmup, { zero: true }),
  offeredPps: check.number('offered', args.offered),
}));

/** The generator alone (its self-test), measured in the same rotation as the DUTs. */
const CEILING = 'generator ceiling';
type Cell = LocalDutKind | typeof CEILING;

interface Sample {
  round: number;
  dut: Cell;
  frameBytes: number;
  mrrPps: number;
  offeredPps: number;
  lossRatio: number;
  dutVersion: string;
  /** What the DUT counted as dropped, where it reports it (VPP). */
  dutDrops?: Record<string, number>;
}
const samples: Sample[] = [];

async function measure(b: BenchContext): Promise<void> {
  const { shell, runtime, runId, runDir } = b;
  for (let round = 0; round < rounds; round++) {
    for (const dut of rotated<Cell>([...duts, CEILING], round)) {
      b.step(`round ${round + 1}/${rounds} ${dut}`);
      if (dut === CEILING) {
        const st = await generatorSelfTest({ shell, runtime, role: 'st', cpus: [1], socketDir: join(runDir, 'st'), frameSizes: frames, durationS: windowS, warmupS, offeredPps });
        for (const frameBytes of frames) {
          const r = st.trials[frameBytes]!;
          samples.push({ round, dut, frameBytes, mrrPps: r.receivedPps, offeredPps: r.offeredPps, lossRatio: r.lossRatio, dutVersion: st.version });
          b.log(`round ${round + 1}/${rounds} ${CEILING} ${frameBytes} B: ${mpps(r.receivedPps)} Mpps (offered ${mpps(r.offeredPps)})`);
        }
        continue;
      }
      await b.withDatapath(
        () => localDatapath(datapath, { shell, runId, runDir, runtime, dut }).up(),
        (dp) =>
          b.withGenerator(
            () => openGeneratorOn(dp, { shell, runtime }),
            async (gen) => {
              for (const frameBytes of frames) {
                const r = await measureOnDatapath(dp, gen, { loadPps: offeredPps, durationS: windowS, warmupS, profile: { kind: 'fixed', frameBytes }, flows: 16, direction: 'bidirectional' });
                const drops = r.dut ? { ...r.dut.drops } : undefined;
                samples.push({ round, dut, frameBytes, mrrPps: r.receivedPps, offeredPps: r.offeredPps, lossRatio: r.lossRatio, dutVersion: dp.dut.version, ...(drops ? { dutDrops: drops } : {}) });
                b.log(`round ${round + 1}/${rounds} ${dut} ${frameBytes} B: MRR ${mpps(r.receivedPps)} Mpps (offered ${mpps(r.offeredPps)})`);
              }
            },
          ),
      );
    }
  }
}

function report(b: BenchContext, failure?: BenchFailure): BenchReport {
  const versions = new Map(samples.map((s) => [s.dut, s.dutVersion]));
  const rows: string[][] = [];
  for (const frameBytes of frames) {
    for (const dut of [...duts, CEILING] as Cell[]) {
      const mine = samples.filter((s) => s.dut === dut && s.frameBytes === frameBytes);
      if (mine.length === 0) continue;
      const m = mine.map((s) => s.mrrPps);
      // The ratio to l3fwd within each round: both saw the same minutes of this machine.
      const ratios = mine.flatMap((s) => {
        const ref = samples.find((x) => x.dut === 'l3fwd' && x.frameBytes === frameBytes && x.round === s.round);
        return ref && ref.mrrPps > 0 ? [s.mrrPps / ref.mrrPps] : [];
      });
      const ratio = ratios.length > 0 ? `${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})` : 'n/a';
      rows.push([`${frameBytes} B`, `${dut} ${versions.get(dut) ?? ''}`, mpps(median(m)), mpps(Math.min(...m)), mpps(Math.max(...m)), ratio]);
    }
  }
  const lines = [
    `DUTs on ${datapath}, run ${b.runId}, ${b.startedAt.toISOString()}: ${rounds} interleaved rounds, ${warmupS} s warm-up + ${windowS} s window per figure, offered ${mpps(offeredPps)} Mpps; DUT on CPU 0 (one polling thread), generator on CPU 1; "${CEILING}" is wsp-gen alone (two ports on one memif socket, no DUT: the most any DUT row can show); load average ${b.loadBefore} before, ${loadavg()[0]!.toFixed(1)} after` +
      (failure ? `; STOPPED EARLY (${failure.where}): the figures below are of the rounds before` : ''),
    '',
    ...markdownTable(['frame', 'DUT', 'MRR median (Mpps)', 'min', 'max', 'MRR / l3fwd in the same round: median (min-max)'], rows),
  ];
  return { lines, json: { file: 'bench-duts.json', data: { runId: b.runId, startedAt: b.startedAt.toISOString(), datapath, rounds, windowS, warmupS, offeredPps, samples } }, exitCode: 0 };
}

runBench({
  name: 'bench:duts',
  runIdPrefix: 'benchd',
  preflight: () => {
    const l = duts.some((d) => d.startsWith('vpp-')) ? locateVpp() : undefined;
    if (l && 'absent' in l) throw new ConfigError(`the VPP DUTs need VPP: ${l.absent}`, { where: 'bench:duts --duts', hint: 'or leave them out: --duts l3fwd,testpmd-io' });
  },
  measure,
  report,
  scratchDirs: ['sock', 'st'],
});
