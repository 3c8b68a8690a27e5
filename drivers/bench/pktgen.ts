/**
 * `npm run bench:pktgen`: on the same local path and DUT (l3fwd), in one run, interleaved and repeated:
 * the MRR of pktgen-dpdk, the MRR of our generator (wsp-gen) and the raw capacity of the path driven
 * by testpmd flowgen; ratios per round, then their median. This VM's absolute rates swing with the
 * other tenants, so only ratios from the same round compare.
 *
 *   flock /tmp/wirespeed-lab.lock npm run bench:pktgen [-- --kinds vhost-user,memif --rounds 3 --window 5 --frame 64]
 */
import { mkdir, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, exitCodeOf } from '../../core/errors.ts';
import { datapathKind, type DatapathKind } from '../../lab/schema.ts';
import type { TrialSpec } from '../../method/trial.ts';
import type { RunningDatapath } from '../datapath/datapath.ts';
import { openGeneratorOn } from '../datapath/local/generator-for.ts';
import { runLeftovers } from '../datapath/local/leftovers.ts';
import { localDatapath } from '../datapath/local/local-datapath.ts';
import { openPktgenOn } from '../datapath/local/pktgen-for.ts';
import { measureOnDatapath } from '../datapath/measure.ts';
import { measureRawCapacity } from '../datapath/raw-capacity.ts';
import { createDpdkRuntime, type DpdkRuntime } from '../dpdk/runtime.ts';
import { describeLocation, locatePktgen } from '../loadgen/pktgen/locate-pktgen.ts';
import { pacedPps } from '../loadgen/pktgen/trial-plan.ts';
import { localShell } from '../shell/local.ts';

const { values: args } = parseArgs({
  options: {
    kinds: { type: 'string', default: 'vhost-user,memif' },
    frame: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
    window: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
  },
});
const kinds = args.kinds.split(',').map((k): DatapathKind => {
  const parsed = datapathKind.safeParse(k);
  if (!parsed.success || (k !== 'vhost-user' && k !== 'memif')) throw new ConfigError(`datapath ${JSON.stringify(k)} is not one pktgen runs on here`, { where: 'bench:pktgen --kinds', hint: 'vhost-user, memif' });
  return parsed.data;
});
const frameBytes = Number(args.frame);
const rounds = Number(args.rounds);
const windowS = Number(args.window);
const warmupS = Number(args.warmup);

const shell = localShell();
const runId = `pgb${Date.now().toString(36)}`;
const runDir = resolve('results', runId);
const mpps = (pps: number) => (pps / 1e6).toFixed(3);
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface Round {
  kind: DatapathKind;
  round: number;
  rawPps: number;
  wspPps: number;
  pktgenPps: number;
  pktgenOfferedPps: number;
}

async function withDatapath<T>(kind: DatapathKind, runtime: DpdkRuntime, fn: (dp: RunningDatapath) => Promise<T>): Promise<T> {
  const dp = await localDatapath(kind, { shell, runId, runDir, runtime, generatorMemoryMb: 512 }).up();
  try {
    return await fn(dp);
  } finally {
    await dp.down();
  }
}

async function main(): Promise<number> {
  const pktgen = await locatePktgen(shell);
  if (pktgen.kind === 'absent') {
    log(describeLocation(pktgen));
    return 3;
  }
  await mkdir(runDir, { recursive: true });
  const runtime = createDpdkRuntime({ shell, runDir, runId });
  const loadBefore = loadavg()[0]!.toFixed(1);
  const started = new Date();
  const rows: Round[] = [];
  // MRR: a load far above what the path carries; each generator offers what it can.
  const mrrSpec = (loadPps: number): TrialSpec => ({ loadPps, durationS: windowS, warmupS, profile: { kind: 'fixed', frameBytes }, flows: 1, direction: 'bidirectional' });
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const kind of kinds) {
        // A fresh datapath per generator: memif in DPDK 22.11 may crash the DUT when a peer leaves.
        log(`round ${round} ${kind}: raw capacity (testpmd flowgen)`);
        const raw = await withDatapath(kind, runtime, (dp) => measureRawCapacity(dp, { shell, runtime, frameBytes, warmupS, windowS }));
        log(`round ${round} ${kind}: wsp-gen MRR`);
        const wsp = await withDatapath(kind, runtime, async (dp) => {
          const gen = await openGeneratorOn(dp, { shell, runtime, extra: { tuning: { drainMs: 1000, quietMs: 250 } } });
          try {
            return await measureOnDatapath(dp, gen, mrrSpec(60_000_000));
          } finally {
            await gen.close();
          }
        });
        log(`round ${round} ${kind}: pktgen MRR`);
        const pg = await withDatapath(kind, runtime, async (dp) => {
          const started = await openPktgenOn(dp, { shell, runtime, pktgen });
          try {
            // pktgen paces by the link speed it negotiates: its whole link rate, one packet below it (its
            // percentage must stay <= 100).
            const line = started.session.linkMbps.map((m) => pacedPps(100, frameBytes, m) - 1);
            return await measureOnDatapath(dp, started.session, mrrSpec(line.reduce((a, b) => a + b, 0)));
          } finally {
            await started.session.close();
          }
        });
        rows.push({ kind, round, rawPps: raw.genRxPps, wspPps: wsp.receivedPps, pktgenPps: pg.receivedPps, pktgenOfferedPps: pg.offeredPps });
        log(`round ${round} ${kind}: raw ${mpps(raw.genRxPps)}, wsp-gen ${mpps(wsp.receivedPps)}, pktgen ${mpps(pg.receivedPps)} (offered ${mpps(pg.offeredPps)}) Mpps`);
      }
    }
  } finally {
    await runtime.cleanup().catch((e: unknown) => log(`runtime cleanup: ${String(e)}`));
    const left = await runLeftovers({ shell, runId, dirs: [join(runDir, 'sock')] });
    if (left.length > 0) log(`LEFT BEHIND:\n  ${left.join('\n  ')}`);
    await rm(runDir, { recursive: true, force: true });
  }
  const lines = [
    `pktgen benchmark, run ${runId}, ${started.toISOString()}: ${describeLocation(pktgen)}; DUT l3fwd (1 lcore, CPU 0); every generator on CPU 1 (pktgen: main and worker lcore both); ${frameBytes} B, 1 flow, bidirectional; ${warmupS} s warm-up + ${windowS} s window; ${rounds} rounds, interleaved; load average ${loadBefore} before, ${loadavg()[0]!.toFixed(1)} after`,
    '',
    '| datapath | round | raw capacity, testpmd flowgen (Mpps) | MRR wsp-gen (Mpps) | MRR pktgen (Mpps) | pktgen offered (Mpps) | wsp-gen / raw | pktgen / raw | pktgen / wsp-gen |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.kind} | ${r.round} | ${mpps(r.rawPps)} | ${mpps(r.wspPps)} | ${mpps(r.pktgenPps)} | ${mpps(r.pktgenOfferedPps)} | ${pct(r.wspPps / r.rawPps)} | ${pct(r.pktgenPps / r.rawPps)} | ${pct(r.pktgenPps / r.wspPps)} |`),
    ...kinds.map((k) => {
      const rs = rows.filter((r) => r.kind === k);
      return `| ${k} | median | | | | | ${pct(median(rs.map((r) => r.wspPps / r.rawPps)))} | ${pct(median(rs.map((r) => r.pktgenPps / r.rawPps)))} | ${pct(median(rs.map((r) => r.pktgenPps / r.wspPps)))} |`;
    }),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:pktgen failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(exitCodeOf(err));
  },
);
