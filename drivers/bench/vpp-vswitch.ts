/**
 * `npm run bench:vpp-vswitch`: VPP as the vswitch between generator and l3fwd on two cores, by VPP's
 * rx-mode, against l3fwd alone on the same datapath (no vswitch). On two CPUs VPP shares the DUT's CPU
 * with l3fwd (three pollers, two cores): in polling mode the two time-slice; in interrupt mode VPP sleeps
 * until a peer signals a ring; adaptive switches between the two. Per cell and frame size: MRR (received
 * rate at an offered load above any of them), and at a low load (0.1 Mpps) the loss and the latency
 * (every packet stamped). Cells are interleaved: each round brings every cell up once, in a rotated order,
 * and MRR is compared with the baseline's of the same round. Prints a table; writes
 * results/<run>/bench-vpp-vswitch.json.
 *
 *   npm run bench:vpp-vswitch [-- --datapath memif-vpp --modes interrupt,adaptive,polling --rounds 3 --frames 64,1518]
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { ConfigError, exitCodeOf } from '../../core/errors.ts';
import { percentiles } from '../../method/latency.ts';
import { createDpdkRuntime, type DpdkRuntime } from '../dpdk/runtime.ts';
import type { RunningDatapath } from '../datapath/datapath.ts';
import { openGeneratorOn } from '../datapath/local/generator-for.ts';
import { runLeftovers } from '../datapath/local/leftovers.ts';
import { localDatapath } from '../datapath/local/local-datapath.ts';
import { vppVswitchDatapath, type RunningVppVswitch, type VppVswitchDatapath } from '../datapath/local/vpp-vswitch.ts';
import { measureOnDatapath } from '../datapath/measure.ts';
import { localShell } from '../shell/local.ts';
import { locateVpp } from '../vpp/locate-vpp.ts';
import { VPP_RX_MODES, type VppRxMode } from '../vpp/vppctl.ts';

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

const bad = (what: string, hint: string): never => {
  throw new ConfigError(what, { where: 'bench:vpp-vswitch', hint });
};
const datapath = (['memif-vpp', 'vhost-user-vpp'] as const).find((d) => d === args.datapath) ?? bad(`unknown datapath ${JSON.stringify(args.datapath)}`, 'use memif-vpp or vhost-user-vpp');
/** The same datapath without the vswitch: the generator straight to l3fwd. */
const baseline = datapath === 'memif-vpp' ? 'memif' : 'vhost-user';
const modes = args.modes.split(',').map((m) => VPP_RX_MODES.find((k) => k === m) ?? bad(`unknown rx-mode ${JSON.stringify(m)}`, `known: ${VPP_RX_MODES.join(', ')}`));
const frames = args.frames.split(',').map(Number);
const rounds = Number(args.rounds);
const windowS = Number(args.window);
const warmupS = Number(args.warmup);
const offeredPps = Number(args.offered);
const lowLoadPps = Number(args['low-load']);
if (!(rounds >= 1 && windowS > 0 && warmupS >= 0 && offeredPps > 0 && lowLoadPps > 0)) bad('rounds, window, warmup, offered and low-load must be positive numbers', 'e.g. --rounds 3 --window 2');

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

const shell = localShell();
const runId = `benchv${Date.now().toString(36)}`;
const runDir = resolve('results', runId);
const mpps = (pps: number) => (pps / 1e6).toFixed(3);
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

const live = new Set<() => Promise<unknown>>();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: tearing down`);
    void (async () => {
      for (const f of [...live].reverse()) await f().catch(() => undefined);
      process.exit(130);
    })();
  });
}

async function withCell<T>(cell: Cell, runtime: DpdkRuntime, fn: (dp: RunningDatapath) => Promise<T>): Promise<T> {
  const opts = { shell, runId, runDir, runtime, dut: 'l3fwd' as const };
  const dp = await (cell === 'none' ? localDatapath(baseline, opts) : vppVswitchDatapath(datapath as VppVswitchDatapath, { ...opts, vswitchRxMode: cell })).up();
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
  const l = locateVpp();
  if ('absent' in l) bad(`VPP is needed: ${l.absent}`, 'build it: WIRESPEED_VPP_SRC=... npm run setup (docs/local-lab.md)');
  await mkdir(runDir, { recursive: true });
  const runtime = createDpdkRuntime({ shell, runDir, runId });
  live.add(() => runtime.cleanup());
  const samples: Sample[] = [];
  const started = new Date();
  const loadBefore = loadavg()[0]!.toFixed(1);
  try {
    for (let round = 0; round < rounds; round++) {
      const order = cells.map((_, i) => cells[(i + round) % cells.length]!);
      for (const cell of order) {
        await withCell(cell, runtime, async (dp) => {
          const gen = await openGeneratorOn(dp, { shell, runtime });
          const closeGen = () => gen.close();
          live.add(closeGen);
          try {
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
              log(`round ${round + 1}/${rounds} ${cellName(cell)} ${frameBytes} B: MRR ${mpps(mrr.receivedPps)} Mpps; at ${mpps(lowLoadPps)} Mpps loss ${low.lossRatio.toExponential(2)}`);
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

  const rows: string[] = [];
  for (const frameBytes of frames) {
    for (const cell of cells) {
      const mine = samples.filter((s) => s.cell === cell && s.frameBytes === frameBytes);
      if (mine.length === 0) continue;
      const m = mine.map((s) => s.mrrPps);
      const ratios = mine.flatMap((s) => {
        const ref = samples.find((x) => x.cell === 'none' && x.frameBytes === frameBytes && x.round === s.round);
        return ref && ref.mrrPps > 0 ? [s.mrrPps / ref.mrrPps] : [];
      });
      const med = (f: (s: Sample) => number | undefined) => {
        const xs = mine.map(f).filter((x): x is number => x !== undefined);
        return xs.length > 0 ? median(xs) : undefined;
      };
      const us = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(0));
      rows.push(
        `| ${frameBytes} B | ${cellName(cell)} | ${mpps(median(m))} (${mpps(Math.min(...m))}-${mpps(Math.max(...m))}) | ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}) | ${med((s) => s.lowLoadLossRatio)!.toExponential(1)} | ${us(med((s) => s.latencyP50Us))} / ${us(med((s) => s.latencyP99Us))} / ${us(med((s) => s.latencyMaxUs))} |`,
      );
    }
  }
  const lines = [
    `l3fwd behind VPP on ${datapath}, run ${runId}, ${started.toISOString()}: ${rounds} interleaved rounds, ${warmupS} s warm-up + ${windowS} s window per figure; MRR offered ${mpps(offeredPps)} Mpps, low load ${mpps(lowLoadPps)} Mpps; l3fwd and VPP on CPU 0, generator on CPU 1; load average ${loadBefore} before, ${loadavg()[0]!.toFixed(1)} after`,
    '',
    `| frame | path | MRR median (min-max), Mpps | MRR / ${baseline} alone, same round: median (min-max) | loss at low load (median) | latency at low load p50 / p99 / max, µs (medians) |`,
    '|---|---|---|---|---|---|',
    ...rows,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  await writeFile(join(runDir, 'bench-vpp-vswitch.json'), JSON.stringify({ runId, startedAt: started.toISOString(), datapath, rounds, windowS, warmupS, offeredPps, lowLoadPps, samples }, null, 2));
  log(`figures in ${join(runDir, 'bench-vpp-vswitch.json')}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:vpp-vswitch failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(exitCodeOf(err));
  },
);
