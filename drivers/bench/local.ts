/**
 * `npm run bench:local`: in one run, for each local datapath (vhost-user, memif, veth) at 64 B and
 * 1518 B: our generator's MRR (receive rate at full offered load), the raw capacity of the same DUT and
 * path driven by testpmd flowgen (telemetry rates on both ends), their ratio, the generator's
 * self-test ceiling, and its rate error at 1 Mpps. Prints a table and writes results/<run>/bench-local.json.
 *
 *   npm run bench:local [-- --kinds vhost-user,memif --window 5 --warmup 2]
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, exitCodeOf } from '../../core/errors.ts';
import { datapathKind, type DatapathKind } from '../../lab/schema.ts';
import type { TrialResult } from '../../method/trial.ts';
import { createDpdkRuntime, type DpdkRuntime } from '../dpdk/runtime.ts';
import type { RunningDatapath } from '../datapath/datapath.ts';
import { openGeneratorOn } from '../datapath/local/generator-for.ts';
import { runLeftovers } from '../datapath/local/leftovers.ts';
import { localDatapath } from '../datapath/local/local-datapath.ts';
import { measureOnDatapath } from '../datapath/measure.ts';
import { measureRawCapacity } from '../datapath/raw-capacity.ts';
import { generatorSelfTest } from '../loadgen/self-test.ts';
import { localShell } from '../shell/local.ts';

const { values: args } = parseArgs({
  options: {
    kinds: { type: 'string', default: 'vhost-user,memif,veth' },
    frames: { type: 'string', default: '64,1518' },
    window: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    /** Offered load for MRR, aggregate pps: far above what any local path carries. */
    offered: { type: 'string', default: '60000000' },
    'rate-check-pps': { type: 'string', default: '1000000' },
  },
});
const parseKinds = (): DatapathKind[] => args.kinds.split(',').map((k) => {
  const parsed = datapathKind.safeParse(k);
  if (!parsed.success) throw new ConfigError(`unknown datapath ${JSON.stringify(k)}`, { where: 'bench:local --kinds', hint: 'use vhost-user, memif, veth (comma-separated)' });
  return parsed.data;
});
const frames = args.frames.split(',').map(Number);
const windowS = Number(args.window);
const warmupS = Number(args.warmup);
const offeredPps = Number(args.offered);
const rateCheckPps = Number(args['rate-check-pps']);

interface Row {
  kind: DatapathKind;
  frameBytes: number;
  mrrPps: number;
  rawPps: number;
  rawDutRxPps?: number;
  ratio: number;
  ceilingPps?: number;
  mrrTrial: Omit<TrialResult, 'latency'>;
}
interface RateCheck {
  kind: DatapathKind;
  requestedPps: number;
  receivedPps: number;
  offeredPps: number;
  errorPct: number;
  lossRatio: number;
}

const shell = localShell();
const runId = `bench${Date.now().toString(36)}`;
const runDir = resolve('results', runId);
const mpps = (pps: number | undefined) => (pps === undefined ? 'n/a' : (pps / 1e6).toFixed(3));
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

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

async function withDatapath<T>(kind: DatapathKind, runtime: DpdkRuntime, fn: (dp: RunningDatapath) => Promise<T>): Promise<T> {
  if (interrupted) throw new Error('interrupted');
  const dp = await localDatapath(kind, { shell, runId, runDir, runtime }).up();
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
  const kinds = parseKinds();
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
      // Raw capacity and MRR of one frame size back to back, so that both see the same machine load.
      for (const frameBytes of frames) {
        // testpmd flowgen takes the frame size at start: a fresh datapath for it, since memif in DPDK
        // 22.11 may crash the DUT when a peer disconnects.
        log(`${kind} ${frameBytes}B: raw capacity (testpmd flowgen, ${warmupS}+${windowS} s)`);
        const raw = await withDatapath(kind, runtime, (dp) => measureRawCapacity(dp, { shell, runtime, frameBytes, warmupS, windowS }));
        await withDatapath(kind, runtime, async (dp) => {
          const gen = await openGeneratorOn(dp, { shell, runtime, ...(ceiling[frameBytes] === undefined ? {} : { ceilingPps: ceiling[frameBytes] }) });
          const closeGen = () => gen.close();
          live.add(closeGen);
          try {
            log(`${kind} ${frameBytes}B: MRR through our generator (offered ${mpps(offeredPps)} Mpps)`);
            const r = await measureOnDatapath(dp, gen, { loadPps: offeredPps, durationS: windowS, warmupS, profile: { kind: 'fixed', frameBytes }, flows: 16, direction: 'bidirectional' });
            const { latency: _l, ...mrrTrial } = r;
            rows.push({
              kind,
              frameBytes,
              mrrPps: r.receivedPps,
              rawPps: raw.genRxPps,
              ...(raw.dutRxPps === undefined ? {} : { rawDutRxPps: raw.dutRxPps }),
              ratio: r.receivedPps / raw.genRxPps,
              ...(ceiling[frameBytes] === undefined ? {} : { ceilingPps: ceiling[frameBytes] }),
              mrrTrial,
            });
            // The rate check needs a path that carries the rate without loss; veth's kernel path does not.
            if (kind !== 'veth' && frameBytes === 64) {
              log(`${kind} 64B: rate accuracy at ${mpps(rateCheckPps)} Mpps`);
              const c = await measureOnDatapath(dp, gen, { loadPps: rateCheckPps, durationS: windowS, warmupS: 1, profile: { kind: 'fixed', frameBytes: 64 }, flows: 16, direction: 'bidirectional' });
              rateChecks.push({
                kind,
                requestedPps: rateCheckPps,
                receivedPps: c.receivedPps,
                offeredPps: c.offeredPps,
                errorPct: (Math.abs(c.receivedPps - rateCheckPps) / rateCheckPps) * 100,
                lossRatio: c.lossRatio,
              });
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
    await rm(join(runDir, 'selftest'), { recursive: true, force: true });
  }

  const lines = [
    `local lab benchmark, run ${runId}, ${started.toISOString()}, ${generatorVersion}; DUT l3fwd (1 lcore, CPU 0), generator CPU 1; ${warmupS} s warm-up + ${windowS} s window per figure; load average ${loadBefore} before, ${loadavg()[0]!.toFixed(1)} after`,
    '',
    '| datapath | frame | MRR, our generator (Mpps) | raw capacity, testpmd flowgen (Mpps) | MRR / raw | generator self-test ceiling (Mpps) |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.kind} | ${r.frameBytes} B | ${mpps(r.mrrPps)} | ${mpps(r.rawPps)} | ${(r.ratio * 100).toFixed(1)} % | ${mpps(r.ceilingPps)} |`),
    '',
    '| datapath | requested | received | offered (achieved pacing) | rate error | loss ratio |',
    '|---|---|---|---|---|---|',
    ...rateChecks.map((c) => `| ${c.kind} 64 B | ${mpps(c.requestedPps)} Mpps | ${mpps(c.receivedPps)} Mpps | ${mpps(c.offeredPps)} Mpps | ${c.errorPct.toFixed(2)} % | ${c.lossRatio.toExponential(2)} |`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  await writeFile(join(runDir, 'bench-local.json'), JSON.stringify({ runId, startedAt: started.toISOString(), generatorVersion, windowS, warmupS, offeredPps, ceiling, rows, rateChecks }, null, 2));
  log(`figures in ${join(runDir, 'bench-local.json')}`);

  const done = kinds
    .filter((k) => k === 'memif' || k === 'vhost-user')
    .every((k) => (rows.find((r) => r.kind === k && r.frameBytes === 64)?.ratio ?? 0) >= 0.8 && (rateChecks.find((c) => c.kind === k)?.errorPct ?? 100) <= 1);
  log(done ? 'memif and vhost-user at 64 B: MRR >= 80 % of raw capacity, rate error <= 1 % at 1 Mpps' : 'NOT MET: MRR < 80 % of raw capacity or rate error > 1 % (see the tables; the machine may be contended)');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:local failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(exitCodeOf(err));
  },
);
