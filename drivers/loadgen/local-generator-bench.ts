/**
 * Figures of the local generator alone (no DUT), for docs/local-generator.md:
 *   npx tsx drivers/loadgen/local-generator-bench.ts [--cpu 1] [--seconds 5] [--repeat 3]
 * Prints rate accuracy at 1 Mpps (achieved at the receiver / requested) and the self-test ceiling at
 * 64 B and 1518 B over a memif loop. Leaves nothing behind.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { summarize } from '../../method/latency.ts';
import { createDpdkRuntime } from '../dpdk/runtime.ts';
import { localShell } from '../shell/local.ts';
import { openLocalGenerator } from './local-generator.ts';
import { generatorSelfTest } from './self-test.ts';

const { values } = parseArgs({ options: { cpu: { type: 'string', default: '1' }, seconds: { type: 'string', default: '5' }, repeat: { type: 'string', default: '3' } } });
const cpu = Number(values.cpu);
const durationS = Number(values.seconds);
const repeat = Number(values.repeat);
const shell = localShell();
const dir = await mkdtemp(join(tmpdir(), 'wsp-lgb-'));
const runtime = createDpdkRuntime({ shell, runDir: dir, runId: `lgb${process.pid}` });
const f = (n: number): string => Math.round(n).toLocaleString('en-US');

try {
  const sock = join(dir, 'loop.sock');
  const m = `id=0,socket=${sock},socket-abstract=no`;
  {
    await using gen = await openLocalGenerator({
      shell,
      runtime,
      cpus: [cpu],
      memoryMb: 128,
      ports: [
        { kind: 'vdev', name: 'p0', vdev: `net_memif0,role=server,${m}` },
        { kind: 'vdev', name: 'p1', vdev: `net_memif1,role=client,${m}` },
      ],
    });
    console.log(`${gen.info.version}, lcore on CPU ${gen.hello.cpu}, TSC ${gen.hello.tsc_hz} Hz`);
    for (const direction of ['unidirectional', 'bidirectional'] as const) {
      for (let i = 0; i < repeat; i++) {
        const r = await gen.measure({ loadPps: 1e6, durationS, warmupS: 0.5, profile: { kind: 'fixed', frameBytes: 64 }, flows: 16, direction, latency: 'all' });
        const lat = summarize(r.latency!);
        const deficit = gen.lastTrialReply()!.directions.reduce((s, d) => s + d.deficit, 0);
        console.log(
          `1 Mpps 64B ${direction.padEnd(14)} ${durationS} s: received ${f(r.receivedPps)} pps = ${((r.receivedPps / 1e6) * 100).toFixed(3)} % of requested` +
            ` (offered ${f(r.offeredPps)}, lost ${r.lost}, unrecovered deficit ${deficit}); latency p50 ${f(lat.p50Ns)} ns p99 ${f(lat.p99Ns)} ns max ${f(lat.maxNs)} ns`,
        );
      }
    }
  }
  for (let i = 0; i < repeat; i++) {
    const st = await generatorSelfTest({ shell, runtime, cpus: [cpu], socketDir: join(dir, 's'), durationS, memoryMb: 128 });
    console.log(`self-test ceiling (memif loop, both directions, 100 Mpps offered): 64B ${f(st.ceilingPps[64]!)} pps, 1518B ${f(st.ceilingPps[1518]!)} pps`);
  }
} finally {
  await runtime.cleanup();
  await rm(dir, { recursive: true, force: true });
}
