/**
 * `npm run bench:duts`: the DUT applications side by side on one datapath (default memif), in one run:
 * MRR (received rate at an offered load far above any of them) of l3fwd, testpmd (io), VPP L2 cross-connect
 * and VPP IPv4 routing, at 64 B and 1518 B. This VM's rates swing threefold between minutes, so the DUTs
 * are interleaved: each round brings every DUT up once (in a rotated order) and measures both frame sizes,
 * and each DUT's figure is compared with l3fwd's of the same round. Each round also measures the generator's
 * own ceiling (wsp-gen's two ports on one memif socket, no DUT: generatorSelfTest), rotated in with the DUTs,
 * so the table says how far below the tester the DUTs are. Prints median, min and max per DUT and frame size
 * over the rounds, and writes results/<run>/bench-duts.json.
 *
 *   npm run bench:duts [-- --datapath memif --duts l3fwd,testpmd-io,vpp-l2xc,vpp-ip4base --rounds 5 --window 2 --warmup 1]
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { ConfigError, exitCodeOf } from '../../core/errors.ts';
import { datapathKind, type DatapathKind } from '../../lab/schema.ts';
import { createDpdkRuntime, type DpdkRuntime } from '../dpdk/runtime.ts';
import type { RunningDatapath } from '../datapath/datapath.ts';
import { openGeneratorOn } from '../datapath/local/generator-for.ts';
import { runLeftovers } from '../datapath/local/leftovers.ts';
import { localDatapath } from '../datapath/local/local-datapath.ts';
import type { LocalDutKind } from '../datapath/local/local-options.ts';
import { measureOnDatapath } from '../datapath/measure.ts';
import { generatorSelfTest } from '../loadgen/self-test.ts';
import { localShell } from '../shell/local.ts';
import { locateVpp } from '../vpp/locate-vpp.ts';

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

const bad = (what: string, hint: string): never => {
  throw new ConfigError(what, { where: 'bench:duts', hint });
};
const datapath: DatapathKind = datapathKind.safeParse(args.datapath).data ?? bad(`unknown datapath ${JSON.stringify(args.datapath)}`, 'use memif or vhost-user');
const duts = args.duts.split(',').map((d) => ((DUTS as readonly string[]).includes(d) ? (d as LocalDutKind) : bad(`unknown DUT ${JSON.stringify(d)}`, `known: ${DUTS.join(', ')}`)));
const frames = args.frames.split(',').map(Number);
const rounds = Number(args.rounds);
const windowS = Number(args.window);
const warmupS = Number(args.warmup);
const offeredPps = Number(args.offered);
if (!(rounds >= 1 && windowS > 0 && warmupS >= 0 && offeredPps > 0)) bad('rounds, window, warmup and offered must be positive numbers', 'e.g. --rounds 5 --window 2 --warmup 1');

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

const shell = localShell();
const runId = `benchd${Date.now().toString(36)}`;
const runDir = resolve('results', runId);
const mpps = (pps: number) => (pps / 1e6).toFixed(3);
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

const live = new Set<() => Promise<unknown>>();
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    interrupted = true;
    log(`${sig}: tearing down`);
    void (async () => {
      for (const f of [...live].reverse()) await f().catch(() => undefined);
      process.exit(130);
    })();
  });
}

async function withDut<T>(dut: LocalDutKind, runtime: DpdkRuntime, fn: (dp: RunningDatapath) => Promise<T>): Promise<T> {
  if (interrupted) throw new Error('interrupted');
  const dp = await localDatapath(datapath, { shell, runId, runDir, runtime, dut }).up();
  const down = () => dp.down();
  live.add(down);
  try {
    return await fn(dp);
  } finally {
    live.delete(down);
    await dp.down();
  }
}

async function main(): Promise<number> {
  if (duts.some((d) => d.startsWith('vpp-'))) {
    const l = locateVpp();
    if ('absent' in l) bad(`the VPP DUTs need VPP: ${l.absent}`, 'or leave them out: --duts l3fwd,testpmd-io');
  }
  await mkdir(runDir, { recursive: true });
  const runtime = createDpdkRuntime({ shell, runDir, runId });
  live.add(() => runtime.cleanup());
  const samples: Sample[] = [];
  const started = new Date();
  const loadBefore = loadavg()[0]!.toFixed(1);
  try {
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so that no DUT always runs first (right after a quiet pause) or last.
      const cells: Cell[] = [...duts, CEILING];
      const order = cells.map((_, i) => cells[(i + round) % cells.length]!);
      for (const dut of order) {
        if (dut === CEILING) {
          const st = await generatorSelfTest({ shell, runtime, role: 'st', cpus: [1], socketDir: join(runDir, 'st'), frameSizes: frames, durationS: windowS, warmupS, offeredPps });
          for (const frameBytes of frames) {
            const r = st.trials[frameBytes]!;
            samples.push({ round, dut, frameBytes, mrrPps: r.receivedPps, offeredPps: r.offeredPps, lossRatio: r.lossRatio, dutVersion: st.version });
            log(`round ${round + 1}/${rounds} ${CEILING} ${frameBytes} B: ${mpps(r.receivedPps)} Mpps (offered ${mpps(r.offeredPps)})`);
          }
          continue;
        }
        await withDut(dut, runtime, async (dp) => {
          const gen = await openGeneratorOn(dp, { shell, runtime });
          const closeGen = () => gen.close();
          live.add(closeGen);
          try {
            for (const frameBytes of frames) {
              const r = await measureOnDatapath(dp, gen, { loadPps: offeredPps, durationS: windowS, warmupS, profile: { kind: 'fixed', frameBytes }, flows: 16, direction: 'bidirectional' });
              const drops = r.dut ? { ...r.dut.drops } : undefined;
              samples.push({ round, dut, frameBytes, mrrPps: r.receivedPps, offeredPps: r.offeredPps, lossRatio: r.lossRatio, dutVersion: dp.dut.version, ...(drops ? { dutDrops: drops } : {}) });
              log(`round ${round + 1}/${rounds} ${dut} ${frameBytes} B: MRR ${mpps(r.receivedPps)} Mpps (offered ${mpps(r.offeredPps)})`);
            }
          } finally {
            live.delete(closeGen);
            await gen.close();
          }
        });
      }
    }
  } finally {
    await runtime.cleanup().catch((e: unknown) => log(`runtime cleanup: ${String(e)}`));
    const left = await runLeftovers({ shell, runId, dirs: [runtime.runtimeDir, join(runDir, 'sock')] });
    if (left.length > 0) log(`LEFT BEHIND:\n  ${left.join('\n  ')}`);
    await rm(join(runDir, 'sock'), { recursive: true, force: true });
  }

  const versions = new Map(samples.map((s) => [s.dut, s.dutVersion]));
  const rows: string[] = [];
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
      rows.push(`| ${frameBytes} B | ${dut} ${versions.get(dut) ?? ''} | ${mpps(median(m))} | ${mpps(Math.min(...m))} | ${mpps(Math.max(...m))} | ${ratio} |`);
    }
  }
  const lines = [
    `DUTs on ${datapath}, run ${runId}, ${started.toISOString()}: ${rounds} interleaved rounds, ${warmupS} s warm-up + ${windowS} s window per figure, offered ${mpps(offeredPps)} Mpps; DUT on CPU 0 (one polling thread), generator on CPU 1; "${CEILING}" is wsp-gen alone (two ports on one memif socket, no DUT: the most any DUT row can show); load average ${loadBefore} before, ${loadavg()[0]!.toFixed(1)} after`,
    '',
    '| frame | DUT | MRR median (Mpps) | min | max | MRR / l3fwd in the same round: median (min-max) |',
    '|---|---|---|---|---|---|',
    ...rows,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  await writeFile(join(runDir, 'bench-duts.json'), JSON.stringify({ runId, startedAt: started.toISOString(), datapath, rounds, windowS, warmupS, offeredPps, samples }, null, 2));
  log(`figures in ${join(runDir, 'bench-duts.json')}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:duts failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(exitCodeOf(err));
  },
);
