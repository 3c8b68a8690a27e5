/**
 * `npm run bench:local`: our generator's MRR against the raw capacity of the same DUT and path (testpmd
 * flowgen, telemetry rates on both ends), interleaved. This host's speed changes by 3x between minutes, so
 * one figure of each taken minutes apart says nothing: for each datapath and frame size, one DUT start,
 * then at least 5 pairs of windows, raw and MRR alternating (the order flips every pair), and the ratio of
 * each pair. Prints per row the median, min and max ratio beside the host-stall probe of both pollers,
 * and the generator's rate error at 1 Mpps; writes results/<run>/bench-local.json. Exits 1 when a row
 * at a goal frame size has a median ratio below the goal.
 *
 *   npm run bench:local [-- --kinds vhost-user,memif --frames 64,1518 --pairs 5 --window 3 --warmup 1
 *                          --rings default,1024 --goal 0.9 --goal-frames 64]
 *
 * `--rings` adds rows with another generator-side ring depth (vhost queue_size and descriptors, memif
 * rsize), windows of every ring depth interleaved on the same DUT start.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, exitCodeOf } from '../../core/errors.ts';
import { datapathKind, type DatapathKind } from '../../lab/schema.ts';
import { describeStalls, mergeLoopGaps, summarizeStalls, type LoopGaps } from '../../method/host-stalls.ts';
import type { TrialSpec } from '../../method/trial.ts';
import { createDpdkRuntime } from '../dpdk/runtime.ts';
import { loopGapsBetween, readLoopGaps, type CumulativeLoopGaps } from '../dpdk/loop-gaps.ts';
import type { RunningDatapath } from '../datapath/datapath.ts';
import { openGeneratorOn } from '../datapath/local/generator-for.ts';
import { runLeftovers } from '../datapath/local/leftovers.ts';
import { localDatapath } from '../datapath/local/local-datapath.ts';
import { measureOnDatapath } from '../datapath/measure.ts';
import { measureRawCapacity } from '../datapath/raw-capacity.ts';
import { generatorSelfTest } from '../loadgen/self-test.ts';
import { localShell } from '../shell/local.ts';
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

const positive = (name: string, text: string, integer = false): number => {
  const v = Number(text);
  if (!(v > 0) || (integer && !Number.isInteger(v))) throw new ConfigError(`--${name} ${text} is not a positive ${integer ? 'whole ' : ''}number`, { where: 'bench:local' });
  return v;
};
const kinds: DatapathKind[] = args.kinds.split(',').map((k) => {
  const parsed = datapathKind.safeParse(k);
  if (!parsed.success) throw new ConfigError(`unknown datapath ${JSON.stringify(k)}`, { where: 'bench:local --kinds', hint: 'use vhost-user, memif, veth (comma-separated)' });
  return parsed.data;
});
const frames = args.frames.split(',').map((f) => positive('frames', f, true));
const pairs = positive('pairs', args.pairs, true);
const windowS = positive('window', args.window);
const warmupS = positive('warmup', args.warmup);
const offeredPps = positive('offered', args.offered);
const rateCheckPps = positive('rate-check-pps', args['rate-check-pps']);
const goal = positive('goal', args.goal);
const goalFrames = args['goal-frames'].split(',').filter((f) => f !== '').map((f) => positive('goal-frames', f, true));
const rings: ('default' | number)[] = args.rings.split(',').map((r) => (r === 'default' ? 'default' : positive('rings', r, true)));

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
interface Row {
  readonly kind: DatapathKind;
  readonly frameBytes: number;
  readonly ring: number;
  readonly pairs: Pair[];
  readonly ratio: { readonly median: number; readonly min: number; readonly max: number };
  readonly mrrMedianPps: number;
  readonly rawMedianPps: number;
  readonly generatorLimited: boolean;
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

const shell = localShell();
const runId = `bench${Date.now().toString(36)}`;
const runDir = resolve('results', runId);
const mpps = (pps: number | undefined) => (pps === undefined || !Number.isFinite(pps) ? 'n/a' : (pps / 1e6).toFixed(3));
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** What is up right now, torn down on Ctrl-C (DPDK processes run in their own process groups). */
const live = new Set<() => Promise<unknown>>();
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    interrupted = true;
    log(`${sig}: tearing down`);
    void (async () => {
      for (const f of [...live].reverse()) await f().catch(() => undefined); // generator, datapath, runtime
      process.exit(130);
    })();
  });
}

async function withLive<T>(close: () => Promise<unknown>, fn: () => Promise<T>): Promise<T> {
  live.add(close);
  try {
    return await fn();
  } finally {
    live.delete(close);
    await close();
  }
}

/** The DUT's stall probe around one window (absent when the DUT has none). */
async function dutProbe(dp: RunningDatapath): Promise<() => Promise<LoopGaps | undefined>> {
  const before: CumulativeLoopGaps | undefined = dp.dutTelemetry ? await readLoopGaps(dp.dutTelemetry) : undefined;
  return async () => {
    const after = before && dp.dutTelemetry ? await readLoopGaps(dp.dutTelemetry) : undefined;
    return before && after ? loopGapsBetween(before, after) : undefined;
  };
}

async function main(): Promise<number> {
  await mkdir(runDir, { recursive: true });
  const runtime = createDpdkRuntime({ shell, runDir, runId });
  live.add(() => runtime.cleanup());
  const rows: Row[] = [];
  const rateChecks: RateCheck[] = [];
  let ceiling: Record<number, number> = {};
  let generatorVersion = '';
  const started = new Date();
  const loadBefore = loadavg()[0]!.toFixed(1);
  try {
    log('generator self-test (memif loop, no DUT)');
    const self = await generatorSelfTest({ shell, runtime, cpus: [1], socketDir: join(runDir, 'selftest'), frameSizes: frames, durationS: windowS, warmupS: Math.min(warmupS, 1) });
    ceiling = { ...self.ceilingPps };
    generatorVersion = self.version;

    for (const kind of kinds) {
      for (const frameBytes of frames) {
        if (interrupted) throw new Error('interrupted');
        // One DUT start per datapath and frame size: every window of the row (and of the other ring
        // depths) runs against this same DUT process.
        const dp = await localDatapath(kind, { shell, runId, runDir, runtime }).up();
        await withLive(
          () => dp.down(),
          async () => {
            const variants = rings.map((r) => (r === 'default' ? dp : withRingDepth(dp, r)));
            const acc = variants.map(() => ({ pairs: [] as Pair[], dut: [] as LoopGaps[], gen: [] as LoopGaps[], attempted: [] as number[] }));
            const spec = (loadPps: number, w = warmupS): TrialSpec => ({ loadPps, durationS: windowS, warmupS: w, profile: { kind: 'fixed', frameBytes }, flows: 16, direction: 'bidirectional' });
            for (let i = 0; i < pairs; i++) {
              for (const [v, view] of variants.entries()) {
                const a = acc[v]!;
                const depth = ringDepthOf(view);
                const raw = async () => {
                  log(`${kind} ${frameBytes}B ring ${depth} pair ${i + 1}/${pairs}: raw (testpmd flowgen)`);
                  let probe: (() => Promise<LoopGaps | undefined>) | undefined;
                  const r = await measureRawCapacity(view, {
                    shell,
                    runtime,
                    frameBytes,
                    warmupS,
                    windowS,
                    onWindow: async (edge) => {
                      if (edge === 'start') probe = await dutProbe(dp);
                      else {
                        const g = await probe?.();
                        if (g) a.dut.push(g);
                      }
                    },
                  });
                  return r;
                };
                const mrr = async () => {
                  log(`${kind} ${frameBytes}B ring ${depth} pair ${i + 1}/${pairs}: MRR (our generator, ${mpps(offeredPps)} Mpps offered)`);
                  const gen = await openGeneratorOn(view, { shell, runtime, ...(ceiling[frameBytes] === undefined ? {} : { ceilingPps: ceiling[frameBytes] }) });
                  return withLive(
                    () => gen.close(),
                    async () => {
                      const probe = await dutProbe(dp);
                      const r = await measureOnDatapath(dp, gen, spec(offeredPps));
                      const g = await probe();
                      if (g) a.dut.push(g);
                      if (r.loopGaps) a.gen.push(r.loopGaps);
                      // The rate check needs a path that carries the rate without loss; veth's kernel path does not.
                      if (kind !== 'veth' && frameBytes === 64 && i === pairs - 1 && v === 0) {
                        log(`${kind} 64B: rate accuracy at ${mpps(rateCheckPps)} Mpps`);
                        const c = await measureOnDatapath(dp, gen, spec(rateCheckPps, 1));
                        rateChecks.push({
                          kind,
                          requestedPps: rateCheckPps,
                          receivedPps: c.receivedPps,
                          offeredPps: c.offeredPps,
                          errorPct: (Math.abs(c.receivedPps - rateCheckPps) / rateCheckPps) * 100,
                          lossRatio: c.lossRatio,
                        });
                      }
                      return r;
                    },
                  );
                };
                // Alternate the order: a drift of the host during a pair then biases neither side.
                const rawFirst = i % 2 === 0;
                const first = rawFirst ? await raw() : await mrr();
                const second = rawFirst ? await mrr() : await raw();
                const r = (rawFirst ? first : second) as Awaited<ReturnType<typeof raw>>;
                const m = (rawFirst ? second : first) as Awaited<ReturnType<typeof mrr>>;
                a.attempted.push(m.offeredPps);
                a.pairs.push({
                  order: rawFirst ? 'raw-first' : 'mrr-first',
                  rawPps: r.genRxPps,
                  ...(r.dutRxPps === undefined ? {} : { rawDutRxPps: r.dutRxPps }),
                  mrrPps: m.receivedPps,
                  mrrAttemptedPps: m.offeredPps,
                  ratio: m.receivedPps / r.genRxPps,
                  at: new Date().toISOString(),
                });
                if (!dp.dutAlive()) throw new Error(`the DUT died during ${kind} ${frameBytes}B: ${dp.dutDeath()}`);
              }
            }
            variants.forEach((view, v) => {
              const a = acc[v]!;
              const ratios = a.pairs.map((p) => p.ratio);
              const dutGaps = mergeLoopGaps(a.dut);
              const genGaps = mergeLoopGaps(a.gen);
              const mrrMedianPps = median(a.pairs.map((p) => p.mrrPps));
              rows.push({
                kind,
                frameBytes,
                ring: ringDepthOf(view),
                pairs: a.pairs,
                ratio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) },
                mrrMedianPps,
                rawMedianPps: median(a.pairs.map((p) => p.rawPps)),
                // Received nearly all it attempted, and attempted far less than offered: the generator's figure.
                generatorLimited: median(a.attempted) < 0.9 * offeredPps && mrrMedianPps > 0.98 * median(a.attempted),
                ...(dutGaps ? { dutStalls: describeStalls(summarizeStalls(dutGaps)) } : {}),
                ...(genGaps ? { genStalls: describeStalls(summarizeStalls(genGaps)) } : {}),
              });
            });
          },
        );
      }
    }
  } finally {
    await runtime.cleanup().catch((e: unknown) => log(`runtime cleanup: ${String(e)}`));
    const left = await runLeftovers({ shell, runId, dirs: [runtime.runtimeDir, join(runDir, 'sock')] });
    if (left.length > 0) log(`LEFT BEHIND:\n  ${left.join('\n  ')}`);
    await rm(join(runDir, 'sock'), { recursive: true, force: true });
    await rm(join(runDir, 'selftest'), { recursive: true, force: true });
  }

  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const lines = [
    `local lab benchmark, run ${runId}, ${started.toISOString()}, ${generatorVersion}; DUT l3fwd (1 lcore, CPU 0), generator CPU 1; ` +
      `${pairs} interleaved pairs of ${warmupS} s warm-up + ${windowS} s windows per row, one DUT start per datapath and frame; load average ${loadBefore} before, ${loadavg()[0]!.toFixed(1)} after`,
    '',
    '| datapath | frame | ring | MRR / raw, median | min | max | MRR median (Mpps) | raw median (Mpps) | self-test ceiling (Mpps) | DUT loop stalls | generator loop stalls |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.kind} | ${r.frameBytes} B | ${r.ring} | ${pct(r.ratio.median)} | ${pct(r.ratio.min)} | ${pct(r.ratio.max)} | ${mpps(r.mrrMedianPps)}${r.generatorLimited ? ' (generator-limited)' : ''} | ${mpps(r.rawMedianPps)} | ${mpps(ceiling[r.frameBytes])} | ${r.dutStalls ?? 'n/a'} | ${r.genStalls ?? 'n/a'} |`,
    ),
    '',
    '| datapath | requested | received | offered (achieved pacing) | rate error | loss ratio |',
    '|---|---|---|---|---|---|',
    ...rateChecks.map((c) => `| ${c.kind} 64 B | ${mpps(c.requestedPps)} Mpps | ${mpps(c.receivedPps)} Mpps | ${mpps(c.offeredPps)} Mpps | ${c.errorPct.toFixed(2)} % | ${c.lossRatio.toExponential(2)} |`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  await writeFile(join(runDir, 'bench-local.json'), JSON.stringify({ runId, startedAt: started.toISOString(), generatorVersion, windowS, warmupS, pairs, offeredPps, ceiling, rows, rateChecks }, null, 2));
  log(`figures in ${join(runDir, 'bench-local.json')}`);

  const missed = rows.filter((r) => goalFrames.includes(r.frameBytes) && !(r.ratio.median >= goal));
  const badRate = rateChecks.filter((c) => c.errorPct > 1);
  if (missed.length === 0 && badRate.length === 0) {
    log(`goal met: median MRR/raw >= ${goal} at ${goalFrames.join(', ')} B; rate error <= 1 % at ${mpps(rateCheckPps)} Mpps`);
    return 0;
  }
  for (const r of missed) log(`NOT MET: ${r.kind} ${r.frameBytes} B ring ${r.ring}: median MRR/raw ${pct(r.ratio.median)} < ${pct(goal)}`);
  for (const c of badRate) log(`NOT MET: ${c.kind} rate error ${c.errorPct.toFixed(2)} % > 1 % at ${mpps(c.requestedPps)} Mpps`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:local failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(exitCodeOf(err));
  },
);
