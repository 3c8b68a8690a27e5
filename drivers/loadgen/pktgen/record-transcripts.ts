/**
 * Record mode: run the real pktgen against l3fwd on a local datapath and keep what was said over its Lua
 * socket, the counters read, the clock and the trial results, as fixtures/pktgen/pktgen-<version>-<datapath>.jsonl.
 * The fake pktgen (fixtures/pktgen/fake-pktgen.ts) replays these; pktgen.replay.test.ts checks that the
 * driver computes from them exactly what it computed live.
 *
 *   flock /tmp/wirespeed-lab.lock npx tsx drivers/loadgen/pktgen/record-transcripts.ts [--datapath vhost-user|memif] [--out DIR]
 *   flock /tmp/wirespeed-lab.lock npx tsx drivers/loadgen/pktgen/record-transcripts.ts --failover [--out DIR]
 *
 * --failover records one failover trial instead (pktgen-<version>-vhost-user-failover.jsonl): live counter
 * bins over a constant load while l3fwd is restarted on the restartable vhost-user path, with the event's
 * times in the trial entry; certify's tests judge the figure it gives.
 *
 * Uses the pktgen locate-pktgen.ts finds (WIRESPEED_PKTGEN_PREFIX selects another build).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { localDatapath } from '../../datapath/local/local-datapath.ts';
import { vhostUserDatapath } from '../../datapath/local/vhost-user.ts';
import { runFailover, wallClockMs } from '../failover-run.ts';
import { openPktgenOn } from '../../datapath/local/pktgen-for.ts';
import { createDpdkRuntime } from '../../dpdk/runtime.ts';
import { localShell } from '../../shell/local.ts';
import type { DatapathKind } from '../../../lab/schema.ts';
import { IMIX_7_4_1, type TrialSpec } from '../../../method/trial.ts';
import { realClock } from './clock.ts';
import { describeLocation, locatePktgen } from './locate-pktgen.ts';
import { TranscriptRecorder } from './transcript.ts';

const { values } = parseArgs({
  options: { datapath: { type: 'string', default: 'vhost-user' }, out: { type: 'string', default: 'fixtures/pktgen' }, failover: { type: 'boolean', default: false } },
});
const failover = values.failover === true;
const kind = (failover ? 'vhost-user' : values.datapath) as DatapathKind;

/** The failover recording: a DUT restart 1 s into a 3 s window at 100 kpps, in 50 ms bins (the suite's bins). */
export const RECORDED_FAILOVER = { loadPps: 100_000, durationS: 3, eventAtS: 1, binS: 0.05 } as const;

/** The trials every recording runs: each behaviour the driver's tests rely on. */
export const RECORDED_TRIALS: readonly (TrialSpec & { readonly why: string })[] = [
  { why: 'low rate, nothing lost', loadPps: 100_000, durationS: 2, profile: { kind: 'fixed', frameBytes: 64 }, flows: 1, direction: 'bidirectional' },
  { why: 'a short trial still attempts packets', loadPps: 100_000, durationS: 0.5, profile: { kind: 'fixed', frameBytes: 64 }, flows: 1, direction: 'bidirectional' },
  { why: 'range mode: 16 flows at 1518 B', loadPps: 100_000, durationS: 1, profile: { kind: 'fixed', frameBytes: 1518 }, flows: 16, direction: 'bidirectional' },
  { why: 'unidirectional', loadPps: 50_000, durationS: 1, profile: { kind: 'fixed', frameBytes: 64 }, flows: 1, direction: 'unidirectional' },
  { why: 'latency stream', loadPps: 100_000, durationS: 2, profile: { kind: 'fixed', frameBytes: 64 }, flows: 1, direction: 'bidirectional', latency: { streamPps: 1000 } },
  { why: 'IMIX 7:4:1 from the pcap loaded at start (pcap mode), then back to a fixed size', loadPps: 100_000, durationS: 1, profile: IMIX_7_4_1, flows: 1, direction: 'bidirectional' },
  { why: 'IMIX with a latency stream', loadPps: 100_000, durationS: 1, profile: IMIX_7_4_1, flows: 1, direction: 'bidirectional', latency: { streamPps: 1000 } },
  { why: 'far above what pktgen and the path can do here: loss and deficit', loadPps: 20_000_000, durationS: 1, profile: { kind: 'fixed', frameBytes: 64 }, flows: 1, direction: 'bidirectional' },
];

async function main(): Promise<void> {
  const shell = localShell();
  const found = await locatePktgen(shell);
  if (found.kind === 'absent') {
    console.error(describeLocation(found));
    process.exit(3);
  }
  const runId = `rec${process.pid}`;
  const runDir = await mkdtemp(join(tmpdir(), 'wsp-rec-'));
  const runtime = createDpdkRuntime({ shell, runId, runDir });
  const rec = new TranscriptRecorder(
    {
      pktgen: found.version.text,
      source: 'recorded',
      made: failover
        ? `drivers/loadgen/pktgen/record-transcripts.ts --failover: ${describeLocation(found)} against l3fwd (local lab, restartable vhost-user: l3fwd the vhost client), l3fwd restarted under load`
        : `drivers/loadgen/pktgen/record-transcripts.ts --datapath ${kind}: ${describeLocation(found)} against l3fwd (local lab, ${kind}), pktgen main and worker lcores on CPU 1, l3fwd on CPU 0`,
      recordedAt: new Date().toISOString(),
    },
    realClock,
  );
  const opts = { shell, runId, runDir, runtime, generatorMemoryMb: 512 };
  const dp = await (failover ? vhostUserDatapath(opts, { restartable: true }) : localDatapath(kind, opts)).up();
  try {
    const pg = await openPktgenOn(dp, {
      shell,
      runtime,
      pktgen: found,
      clock: rec.clock,
      onExchange: rec.exchange,
      wrapCounters: (r) => rec.counters(r),
      wrapLatencyFiles: (f) => rec.latencyFiles(f),
    });
    try {
      const restart = dp.capabilities?.restartDut;
      if (failover && restart) {
        const { loadPps, durationS, eventAtS, binS } = RECORDED_FAILOVER;
        const session = pg.session;
        const run = await runFailover({
          measure: (spec, signal) => session.measure(spec, signal),
          measureOpened: (spec, opened, signal) => session.measureOpened(spec, opened, signal),
          base: { profile: { kind: 'fixed', frameBytes: 64 }, flows: 1, direction: 'bidirectional' },
          loadPps,
          durationS,
          eventAtS,
          binS,
          inject: async () => {
            const startMs = wallClockMs();
            await restart.restartDut();
            return { startMs, endMs: wallClockMs() };
          },
        });
        rec.trial(run.trial.spec, run.trial, { what: 'dut-restart', startMs: run.event.startMs, endMs: run.event.endMs });
        console.log(`failover: restart ${run.eventTS.toFixed(3)} s + ${((run.event.endMs - run.event.startMs) / 1000).toFixed(3)} s; ` + run.directions.map((d) => `${d.name} silent ${d.blockedS.toFixed(3)}-${d.blockedMaxS?.toFixed(3)} s, lost ${d.lostPackets}`).join('; '));
      }
      for (const t of failover ? [] : RECORDED_TRIALS) {
        const { why, ...spec } = t;
        const absent = pg.session.whyNot(spec);
        if (absent !== null) {
          console.log(`${why}: skipped, ${absent}`);
          continue;
        }
        const r = await pg.session.measure(spec);
        rec.trial(spec, r);
        const d = pg.session.lastTrial();
        console.log(`${why}: attempted ${r.attempted}, received ${r.received}, requested ${r.requested}, loss ${(r.lossRatio * 100).toFixed(3)} %, window ${r.actualDurationS.toFixed(3)} s, rebuild ${d?.rebuildS.toFixed(2)} s${r.latency ? `, ${r.latency.count} latency samples` : ''}`);
      }
    } finally {
      await pg.session.close();
    }
    const file = join(values.out!, `pktgen-${found.version.text}-${kind}${failover ? '-failover' : ''}.jsonl`);
    rec.save(file);
    console.log(`wrote ${file}`);
  } finally {
    await dp.down();
    await runtime.cleanup().catch(() => undefined);
    await rm(runDir, { recursive: true, force: true });
  }
}

await main();
