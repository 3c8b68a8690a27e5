/**
 * The real pktgen-dpdk against l3fwd over vhost-user on the local lab. Skipped, with the reason printed
 * and in the report, where pktgen is absent (docs/hardware.md: `WIRESPEED_PKTGEN_SRC=… npm run setup`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { RunningDatapath } from '../../datapath/datapath.ts';
import { runLeftovers } from '../../datapath/local/leftovers.ts';
import { localDatapath } from '../../datapath/local/local-datapath.ts';
import { openPktgenOn } from '../../datapath/local/pktgen-for.ts';
import { createDpdkRuntime, type DpdkRuntime } from '../../dpdk/runtime.ts';
import { localShell } from '../../shell/local.ts';
import { IMIX_7_4_1, type TrialSpec } from '../../../method/trial.ts';
import { describeLocation, locatePktgen, type PktgenLocation } from './locate-pktgen.ts';
import type { StartedPktgen } from './start-pktgen.ts';

const shell = localShell();
let found: PktgenLocation;
let runDir: string;
let runtime: DpdkRuntime;
let dp: RunningDatapath | undefined;
let pg: StartedPktgen | undefined;
const runId = `pgl${process.pid}`;
const base = { profile: { kind: 'fixed', frameBytes: 64 }, flows: 1, direction: 'bidirectional' } as const satisfies Partial<TrialSpec>;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  found = await locatePktgen(shell);
  if (found.kind === 'absent') {
    console.log(`pktgen lab tests skipped: ${describeLocation(found)}`);
    return;
  }
  test.setTimeout(180_000);
  runDir = await mkdtemp(join(tmpdir(), 'wsp-pgl-'));
  runtime = createDpdkRuntime({ shell, runId, runDir });
  dp = await localDatapath('vhost-user', { shell, runId, runDir, runtime, generatorMemoryMb: 512 }).up();
  pg = await openPktgenOn(dp, { shell, runtime, pktgen: found });
});

test.afterAll(async () => {
  test.setTimeout(60_000);
  await pg?.session.close();
  await dp?.down();
  if (found.kind === 'found') {
    // pktgen's and l3fwd's hugepage files and pktgen's network namespace are gone.
    expect(await runLeftovers({ shell, runId })).toEqual([]);
    await runtime.cleanup();
    await rm(runDir, { recursive: true, force: true });
  }
});

test('zero loss at a low rate over 5 s', async () => {
  test.skip(found.kind === 'absent', found.kind === 'absent' ? found.reason : '');
  test.setTimeout(120_000);
  const r = await pg!.session.measure({ ...base, loadPps: 20_000, durationS: 5 });
  expect(r.actualDurationS).toBeGreaterThan(4.9);
  expect(r.attempted).toBeGreaterThanOrEqual(Math.floor(20_000 * 4.9));
  expect(r.received).toBe(r.attempted);
  expect(r.lossRatio).toBe(0);
});

test('at 3x the MRR the loss is counted: requested - received', async () => {
  test.skip(found.kind === 'absent', found.kind === 'absent' ? found.reason : '');
  test.setTimeout(120_000);
  // MRR: what comes back when pktgen sends as fast as it can (its link rate is far above this path).
  const mrr = await pg!.session.measure({ ...base, loadPps: 2 * 14_000_000, durationS: 1 });
  expect(mrr.receivedPps).toBeGreaterThan(0);
  const r = await pg!.session.measure({ ...base, loadPps: Math.min(3 * mrr.receivedPps, 2 * 14_000_000), durationS: 1 });
  expect(r.lossRatio).toBeGreaterThan(0);
  expect(r.lost).toBe(r.requested - r.received);
  expect(r.received).toBeLessThanOrEqual(r.attempted);
  expect(r.requested).toBeGreaterThanOrEqual(r.attempted);
});

test('IMIX 7:4:1 from the pcap loaded at start: the mix is on the wire, and a fixed size after it is fixed again', async () => {
  test.skip(found.kind === 'absent', found.kind === 'absent' ? found.reason : '');
  test.setTimeout(120_000);
  /** Mean bytes per packet sent in the last trial (DPDK counts frames without the FCS). */
  const meanSent = () => {
    const d = pg!.session.lastTrial()!;
    const sum = (f: (c: NonNullable<ReturnType<typeof d.after.get>>) => number) => [0, 1].reduce((s, p) => s + f(d.after.get(p)!) - f(d.before.get(p)!), 0);
    return sum((c) => c.obytes!) / sum((c) => c.opackets);
  };
  const r = await pg!.session.measure({ ...base, profile: IMIX_7_4_1, loadPps: 20_000, durationS: 2 });
  expect(r.attempted).toBeGreaterThan(0);
  expect(r.received).toBe(r.attempted);
  // 7 x 60 + 4 x 566 + 1 x 1514 bytes in 12 frames: 349.8 on average (whole passes through the pcap, give or take a burst).
  expect(meanSent()).toBeGreaterThan(330);
  expect(meanSent()).toBeLessThan(370);
  const fixed = await pg!.session.measure({ ...base, loadPps: 20_000, durationS: 0.5 });
  expect(fixed.received).toBe(fixed.attempted);
  expect(meanSent()).toBe(60);
});

test('a 0.5 s trial never reads as zero attempted', async () => {
  test.skip(found.kind === 'absent', found.kind === 'absent' ? found.reason : '');
  test.setTimeout(120_000);
  const r = await pg!.session.measure({ ...base, loadPps: 100_000, durationS: 0.5 });
  expect(r.attempted).toBeGreaterThanOrEqual(Math.floor(100_000 * 0.45));
  expect(r.received).toBeGreaterThan(0);
  expect(r.actualDurationS).toBeGreaterThan(0.45);
});
