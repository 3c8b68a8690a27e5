/**
 * `npm run bench:pktgen`: on the same local path and DUT (l3fwd), in one run, interleaved and repeated:
 * the MRR of pktgen-dpdk, the MRR of our generator (wsp-gen) and the raw capacity of the path driven
 * by testpmd flowgen; ratios per round, then their median. This VM's absolute rates swing with the
 * other tenants, so only ratios from the same round compare. The rounds done are printed also when a
 * later one fails.
 *
 *   flock /tmp/wirespeed-lab.lock npm run bench:pktgen [-- --kinds vhost-user,memif --rounds 3 --window 5 --frame 64]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { ProvisionError } from '../../core/errors.ts';
import type { DatapathKind } from '../../lab/schema.ts';
import type { TrialSpec } from '../../method/trial.ts';
import type { RunningDatapath } from '../datapath/datapath.ts';
import { openGeneratorOn } from '../datapath/local/generator-for.ts';
import { localDatapath } from '../datapath/local/local-datapath.ts';
import { openPktgenOn } from '../datapath/local/pktgen-for.ts';
import { measureOnDatapath } from '../datapath/measure.ts';
import { measureRawCapacity } from '../datapath/raw-capacity.ts';
import { describeLocation, locatePktgen, type PktgenLocation } from '../loadgen/pktgen/locate-pktgen.ts';
import { pacedPps } from '../loadgen/pktgen/trial-plan.ts';
import { localShell } from '../shell/local.ts';
import { benchOptions } from './bench-args.ts';
import { markdownTable, mpps, pct, runBench, type BenchContext, type BenchFailure, type BenchReport } from './bench-run.ts';

const { values: args } = parseArgs({
  options: {
    kinds: { type: 'string', default: 'vhost-user,memif' },
    frame: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
    window: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
  },
});
const { kinds, frameBytes, rounds, windowS, warmupS } = benchOptions('bench:pktgen', (check) => ({
  kinds: check.datapaths('kinds', args.kinds, ['vhost-user', 'memif']),
  frameBytes: check.number('frame', args.frame, { integer: true }),
  rounds: check.number('rounds', args.rounds, { integer: true }),
  windowS: check.number('window', args.window),
  warmupS: check.number('warmup', args.warmup, { zero: true }),
}));

interface Round {
  kind: DatapathKind;
  round: number;
  rawPps: number;
  wspPps: number;
  pktgenPps: number;
  pktgenOfferedPps: number;
}
const rows: Round[] = [];
let pktgen: Exclude<PktgenLocation, { kind: 'absent' }> | undefined;

async function measure(b: BenchContext): Promise<void> {
  const { shell, runtime, runId, runDir } = b;
  const pg = pktgen!;
  const up = (kind: DatapathKind) => (): Promise<RunningDatapath> => localDatapath(kind, { shell, runId, runDir, runtime, generatorMemoryMb: 512 }).up();
  // MRR: a load far above what the path carries; each generator offers what it can.
  const mrrSpec = (loadPps: number): TrialSpec => ({ loadPps, durationS: windowS, warmupS, profile: { kind: 'fixed', frameBytes }, flows: 1, direction: 'bidirectional' });
  for (let round = 1; round <= rounds; round++) {
    for (const kind of kinds) {
      // A fresh datapath per generator: memif in DPDK 22.11 may crash the DUT when a peer leaves.
      b.step(`round ${round} ${kind}: raw capacity (testpmd flowgen)`);
      const raw = await b.withDatapath(up(kind), (dp) => measureRawCapacity(dp, { shell, runtime, frameBytes, warmupS, windowS }));
      b.step(`round ${round} ${kind}: wsp-gen MRR`);
      const wsp = await b.withDatapath(up(kind), (dp) =>
        b.withGenerator(
          () => openGeneratorOn(dp, { shell, runtime, extra: { tuning: { drainMs: 1000, quietMs: 250 } } }),
          (gen) => measureOnDatapath(dp, gen, mrrSpec(60_000_000)),
        ),
      );
      b.step(`round ${round} ${kind}: pktgen MRR`);
      const p = await b.withDatapath(up(kind), (dp) =>
        b.withGenerator(
          async () => (await openPktgenOn(dp, { shell, runtime, pktgen: pg })).session,
          (session) => {
            // pktgen paces by the link speed it negotiates: its whole link rate, one packet below it (its
            // percentage must stay <= 100).
            const line = session.linkMbps.map((m) => pacedPps(100, frameBytes, m) - 1);
            return measureOnDatapath(dp, session, mrrSpec(line.reduce((a, c) => a + c, 0)));
          },
        ),
      );
      rows.push({ kind, round, rawPps: raw.genRxPps, wspPps: wsp.receivedPps, pktgenPps: p.receivedPps, pktgenOfferedPps: p.offeredPps });
      b.log(`round ${round} ${kind}: raw ${mpps(raw.genRxPps)}, wsp-gen ${mpps(wsp.receivedPps)}, pktgen ${mpps(p.receivedPps)} (offered ${mpps(p.offeredPps)}) Mpps`);
    }
  }
}

function report(b: BenchContext, failure?: BenchFailure): BenchReport {
  const lines = [
    `pktgen benchmark, run ${b.runId}, ${b.startedAt.toISOString()}: ${pktgen ? describeLocation(pktgen) : 'pktgen not located'}; DUT l3fwd (1 lcore, CPU 0); every generator on CPU 1 (pktgen: main and worker lcore both); ${frameBytes} B, 1 flow, bidirectional; ${warmupS} s warm-up + ${windowS} s window; ${rounds} rounds, interleaved; load average ${b.loadBefore} before, ${loadavg()[0]!.toFixed(1)} after` +
      (failure ? `; STOPPED EARLY (${failure.where}): the rounds below are what was measured before` : ''),
    '',
    ...markdownTable(
      ['datapath', 'round', 'raw capacity, testpmd flowgen (Mpps)', 'MRR wsp-gen (Mpps)', 'MRR pktgen (Mpps)', 'pktgen offered (Mpps)', 'wsp-gen / raw', 'pktgen / raw', 'pktgen / wsp-gen'],
      [
        ...rows.map((r) => [r.kind, String(r.round), mpps(r.rawPps), mpps(r.wspPps), mpps(r.pktgenPps), mpps(r.pktgenOfferedPps), pct(r.wspPps / r.rawPps), pct(r.pktgenPps / r.rawPps), pct(r.pktgenPps / r.wspPps)]),
        ...kinds.flatMap((k) => {
          const rs = rows.filter((r) => r.kind === k);
          if (rs.length === 0) return [];
          return [[k, 'median', '', '', '', '', pct(median(rs.map((r) => r.wspPps / r.rawPps))), pct(median(rs.map((r) => r.pktgenPps / r.rawPps))), pct(median(rs.map((r) => r.pktgenPps / r.wspPps)))]];
        }),
      ],
    ),
  ];
  return { lines, exitCode: 0 };
}

runBench({
  name: 'bench:pktgen',
  runIdPrefix: 'pgb',
  preflight: async () => {
    const l = await locatePktgen(localShell());
    if (l.kind === 'absent') throw new ProvisionError(describeLocation(l), { where: 'bench:pktgen', hint: 'build it: npm run setup (docs/local-lab.md)' });
    pktgen = l;
  },
  measure,
  report,
  scratchDirs: ['sock'],
  removeRunDir: true,
});
