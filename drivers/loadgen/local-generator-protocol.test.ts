import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, MeasurementError } from '../../core/errors.ts';
import { bucketIndex, bucketLowerNs } from '../../method/histogram.ts';
import { IMIX_7_4_1, type TrialSpec } from '../../method/trial.ts';
import { ownedSocketOf } from './local-generator.ts';
import { parseLine, toTrialResult, trialReplySchema, trialRequest, validateTrial, type TrialReply } from './local-generator-protocol.ts';

const spec64: TrialSpec = { loadPps: 2e6, durationS: 10, profile: { kind: 'fixed', frameBytes: 64 }, flows: 4, direction: 'bidirectional', latency: 'all' };

/** A trial reply as wsp-gen writes it (docs/local-generator.md), one direction with losses and odd events. */
function reply(patch: Partial<TrialReply> = {}): TrialReply {
  const dir = (name: string, tx: number, rx: number, extra: Partial<TrialReply['directions'][number]> = {}) => ({
    name,
    tx_port: tx,
    rx_port: rx,
    attempted: 10_000_000,
    sent: 9_999_000,
    unsent: 1_000,
    received: 9_998_000,
    lost: 2_000,
    reordered: 3,
    duplicated: 1,
    deficit: 0,
    warmup_attempted: 1_000_000,
    warmup_unsent: 0,
    gap: null,
    latency: { count: 4, min_ns: 40, max_ns: 9_000, sum_ns: 40 + 41 + 2_000 + 9_000, buckets: [[40, 1], [41, 1], [1984, 1], [8960, 1]] as [number, number][] },
    ...extra,
  });
  return trialReplySchema.parse({
    id: 7,
    cmd: 'trial',
    ok: true,
    aborted: false,
    actual_s: 10.000002,
    overrun_s: 0.00001,
    drain_s: 0.004,
    window_start_unix_us: 1_795_320_765_851_082,
    tsc_hz: 2_450_000_000,
    stray: 0,
    pps_per_dir: 1e6,
    mix: [[64, 1]],
    loop: { iterations: 90_000_000, span_s: 10.1, threshold_ns: 10_000, count: 3, min_ns: 12_000, max_ns: 4_200_000, sum_ns: 12_000 + 30_000 + 4_200_000, buckets: [[11776, 1], [29696, 1], [4194304, 1]] },
    directions: [dir('p0->p1', 0, 1), dir('p1->p0', 1, 0, { unsent: 0, sent: 10_000_000, received: 10_000_000, lost: 0 })],
    ...patch,
  });
}

test('a trial request splits the aggregate load over the directions and names the frame', () => {
  expect(trialRequest(3, spec64)).toEqual({ id: 3, cmd: 'trial', pps_per_dir: 1e6, duration_s: 10, warmup_s: 0, flows: 4, direction: 'bidirectional', frame: 64, latency: 'all' });
  const imix = trialRequest(4, { ...spec64, profile: IMIX_7_4_1, direction: 'unidirectional', latency: { streamPps: 1000 }, warmupS: 1 }, { catchup: 0, depthUs: 100 });
  expect(imix).toMatchObject({ pps_per_dir: 2e6, sizes: [64, 570, 1518], weights: [7, 4, 1], latency: 'sample', latency_pps_per_dir: 1000, warmup_s: 1, catchup: 0, depth_us: 100 });
  expect(imix).not.toHaveProperty('frame');
  expect(trialRequest(5, { ...spec64, latency: { streamPps: 1000 } })).toMatchObject({ latency: 'sample', latency_pps_per_dir: 500 });
  const none = trialRequest(6, { loadPps: 1, durationS: 1, profile: { kind: 'fixed', frameBytes: 1518 }, flows: 1, direction: 'unidirectional' });
  expect(none).not.toHaveProperty('latency');
});

const invalid: Array<[string, Partial<TrialSpec>, number, RegExp]> = [
  ['zero load', { loadPps: 0 }, 2, /loadPps 0/],
  ['a NaN load', { loadPps: Number.NaN }, 2, /loadPps NaN/],
  ['a 63-byte frame', { profile: { kind: 'fixed', frameBytes: 63 } }, 2, /frame size 63/],
  ['a jumbo frame', { profile: { kind: 'fixed', frameBytes: 1519 } }, 2, /frame size 1519/],
  ['zero flows', { flows: 0 }, 2, /flows 0/],
  ['fractional flows', { flows: 1.5 }, 2, /flows 1.5/],
  ['too many flows', { flows: 70000 }, 2, /flows 70000/],
  ['zero duration', { durationS: 0 }, 2, /durationS 0/],
  ['negative warm-up', { warmupS: -1 }, 2, /warmupS -1/],
  ['bidirectional on one port', {}, 1, /needs two ports/],
  ['a zero latency stream', { latency: { streamPps: 0 } }, 2, /streamPps 0/],
  ['an IMIX weight of 0', { profile: { kind: 'imix', name: 'x', mix: [{ frameBytes: 64, weight: 0 }] } }, 2, /weight 0/],
  ['an IMIX too long to interleave', { profile: { kind: 'imix', name: 'x', mix: [{ frameBytes: 64, weight: 1000 }, { frameBytes: 1518, weight: 25 }] } }, 2, /sum to 1025/],
];
for (const [name, patch, ports, message] of invalid) {
  test(`rejects ${name} before anything is sent`, () => {
    expect(() => validateTrial({ ...spec64, ...patch }, ports, 'gen')).toThrow(ConfigError);
    expect(() => validateTrial({ ...spec64, ...patch }, ports, 'gen')).toThrow(message);
  });
}

test('a reply becomes a TrialResult: unsent is loss, rates over the measured window, both latencies merged', () => {
  const r = toTrialResult(spec64, reply());
  expect(r.attempted).toBe(20_000_000);
  expect(r.unsent).toBe(1_000);
  expect(r.received).toBe(19_998_000);
  expect(r.lost).toBe(2_000);
  expect(r.lossRatio).toBeCloseTo(1e-4, 12);
  expect(r.reordered).toBe(6);
  expect(r.duplicated).toBe(2);
  expect(r.actualDurationS).toBe(10.000002);
  expect(r.offeredPps).toBeCloseTo(20_000_000 / 10.000002, 6);
  expect(r.receivedPps).toBeCloseTo(19_998_000 / 10.000002, 6);
  expect(r.startedAt).toBe('2026-11-22T04:12:45.851Z');
  expect(r.directions.map((d) => [d.name, d.unsent])).toEqual([['p0->p1', 1000], ['p1->p0', 0]]);
  expect(r.latency).toEqual({ scheme: 'log-linear-32', buckets: [[40, 2], [41, 2], [1984, 2], [8960, 2]], count: 8, minNs: 40, maxNs: 9000, sumNs: 2 * 11081 });
  const { latency: _all, ...noLatency } = spec64;
  expect(toTrialResult(noLatency, reply()).latency).toBeUndefined();
});

test('packets the generator could not attempt (its deficit) were requested all the same: they are loss', () => {
  const r0 = reply();
  const short: TrialReply = { ...r0, directions: [{ ...r0.directions[0]!, deficit: 500_000 }, r0.directions[1]!] };
  const r = toTrialResult(spec64, short);
  expect(r.requested).toBe(20_500_000);
  expect(r.attempted).toBe(20_000_000);
  expect(r.lost).toBe(502_000);
  expect(r.lossRatio).toBeCloseTo(502_000 / 20_500_000, 12);
  expect(r.directions[0]).toMatchObject({ requested: 10_500_000, attempted: 10_000_000 });
  // The offered rate is what was really attempted, not what was asked for.
  expect(r.offeredPps).toBeCloseTo(20_000_000 / 10.000002, 6);
});

test('outage gap, timeline and the loop-stall probe are carried into the TrialResult', () => {
  const r0 = reply();
  const gap = { packets: 250_000, before_seq: 999_999, after_seq: 1_250_000, before_tx_s: 1.000001, after_tx_s: 1.250002, before_rx_s: 1.00002, after_rx_s: 1.26 };
  const withGap: TrialReply = {
    ...r0,
    timeline_ms: 5000,
    directions: [
      { ...r0.directions[0]!, gap, timeline: { attempted: [5_000_000, 5_000_000], received: [4_750_000, 5_000_000] } },
      { ...r0.directions[1]!, timeline: { attempted: [5_000_000, 5_000_000], received: [5_000_000, 5_000_000] } },
    ],
  };
  const r = toTrialResult({ ...spec64, timelineS: 5 }, withGap);
  expect(r.directions[0]!.gap).toEqual({ packets: 250_000, beforeSeq: 999_999, afterSeq: 1_250_000, beforeTxS: 1.000001, afterTxS: 1.250002, beforeRxS: 1.00002, afterRxS: 1.26 });
  expect(r.directions[1]!.gap).toBeUndefined();
  expect(r.directions[0]!.timeline).toEqual({ binS: 5, attempted: [5_000_000, 5_000_000], received: [4_750_000, 5_000_000] });
  expect(r.loopGaps).toMatchObject({ observedS: 10.1, iterations: 90_000_000, thresholdNs: 10_000 });
  expect(r.loopGaps!.gaps).toMatchObject({ count: 3, maxNs: 4_200_000 });
  // A timeline asked for and missing means an old binary: refused, not silently empty.
  expect(() => toTrialResult({ ...spec64, timelineS: 5 }, r0)).toThrow(/rebuild wsp-gen/);
  expect(trialRequest(1, { ...spec64, timelineS: 0.01 })).toMatchObject({ timeline_ms: 10 });
  expect(() => validateTrial({ ...spec64, timelineS: 0.001 }, 2, 'gen')).toThrow(/10000 bins/);
  // Loop buckets that do not add up are refused like latency buckets.
  expect(() => toTrialResult(spec64, { ...r0, loop: { ...r0.loop, count: 4 } })).toThrow(/loop gaps/);
});

test('a trial with nothing attempted is invalid (MeasurementError), never a lossless pass', () => {
  const r0 = reply();
  const idle = (d: TrialReply['directions'][number]) => ({ ...d, attempted: 0, sent: 0, unsent: 0, received: 0, lost: 0, reordered: 0, duplicated: 0, deficit: 0, latency: { count: 0, min_ns: 0, max_ns: 0, sum_ns: 0, buckets: [] } });
  const nothing: TrialReply = { ...r0, directions: r0.directions.map(idle) };
  expect(() => toTrialResult(spec64, nothing)).toThrow(MeasurementError);
  expect(() => toTrialResult(spec64, nothing)).toThrow(/nothing was attempted/);
});

test('counters that contradict each other are refused, never passed on', () => {
  const r = reply();
  const broken = (d: Partial<TrialReply['directions'][number]>): TrialReply => ({ ...r, directions: [{ ...r.directions[0]!, ...d }, r.directions[1]!] });
  expect(() => toTrialResult(spec64, broken({ sent: 5 }))).toThrow(/≠ attempted/);
  expect(() => toTrialResult(spec64, broken({ received: 9_999_001 }))).toThrow(/more than were sent/);
  expect(() => toTrialResult(spec64, broken({ latency: { ...r.directions[0]!.latency, buckets: [[65, 4]] } }))).toThrow(/not a log-linear-32 bucket/);
  expect(() => toTrialResult(spec64, broken({ latency: { ...r.directions[0]!.latency, count: 5 } }))).toThrow(/buckets hold 4/);
  expect(() => toTrialResult(spec64, { ...r, actual_s: 0 })).toThrow(/empty/);
  expect(() => toTrialResult({ ...spec64, direction: 'unidirectional' }, r)).toThrow(/2 direction/);
});

test('stdout lines: protocol objects are recognised, anything else is not trusted', () => {
  expect(parseLine('{"event":"hello","ok":true,"version":"wsp-gen/1"}')).toMatchObject({ event: 'hello' });
  expect(parseLine('{"id":3,"cmd":"trial","ok":false,"error":"busy"}')).toMatchObject({ id: 3, ok: false });
  expect(parseLine('EAL: Detected shared linkage of DPDK')).toBeNull();
  expect(parseLine('[1,2]')).toBeNull();
  expect(parseLine('{"no":"ok field"}')).toBeNull();
  expect(trialReplySchema.safeParse({ ...reply(), surprise: 1 }).success).toBe(false);
});

test('the generator owns (and removes) only the sockets it listens on', () => {
  expect(ownedSocketOf('net_memif0,role=server,id=0,socket=/r/m0.sock,socket-abstract=no')).toBe('/r/m0.sock');
  expect(ownedSocketOf('net_memif0,role=client,id=0,socket=/r/m0.sock,socket-abstract=no')).toBeUndefined();
  expect(ownedSocketOf('net_memif0,role=server,socket=/r/m0.sock')).toBeUndefined(); // abstract: no file
  expect(ownedSocketOf('net_vhost0,iface=/r/v.sock,queues=1')).toBe('/r/v.sock');
  expect(ownedSocketOf('net_vhost0,iface=/r/v.sock,client=1')).toBeUndefined();
  expect(ownedSocketOf('net_virtio_user0,path=/r/v.sock,queues=1')).toBeUndefined();
  expect(ownedSocketOf('net_virtio_user0,path=/r/v.sock,server=1')).toBe('/r/v.sock');
  expect(ownedSocketOf('net_af_xdp0,iface=veth0')).toBeUndefined();
});

test("the C histogram (local-gen/hist.h) indexes exactly like method/histogram.ts", () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsp-hist-'));
  try {
    const bin = join(dir, 'hist-index');
    execFileSync('cc', ['-O2', '-Wall', '-Werror', '-o', bin, fileURLToPath(new URL('./testdata/hist-index.c', import.meta.url))]);
    const values: number[] = [];
    for (let v = 0; v < 5000; v++) values.push(v);
    for (let e = 12; e < 52; e++) for (const f of [0, 1, 0.37, 0.5, 0.999]) values.push(Math.floor(2 ** e * (1 + f)) - 1, Math.floor(2 ** e * (1 + f)));
    const out = execFileSync(bin, { input: values.join('\n') + '\n' }).toString().trim().split('\n');
    const expected = values.map((v) => `${bucketIndex(v)} ${bucketLowerNs(bucketIndex(v))}`);
    const firstDiff = out.findIndex((line, i) => line !== expected[i]);
    expect(firstDiff, `first mismatch at value ${values[firstDiff]}: C says ${out[firstDiff]}, TS ${expected[firstDiff]}`).toBe(-1);
    expect(out).toHaveLength(values.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('IMIX sizes are interleaved deterministically in the exact ratio (local-gen/mix.h)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsp-mix-'));
  try {
    const bin = join(dir, 'mix-seq');
    execFileSync('cc', ['-O2', '-Wall', '-Werror', '-o', bin, fileURLToPath(new URL('./testdata/mix-seq.c', import.meta.url))]);
    const seq = (...w: number[]): string => execFileSync(bin, w.map(String)).toString().trim();
    // 64/570/1518 at 7:4:1, as docs/local-generator.md lists it.
    expect(seq(7, 4, 1)).toBe('0 1 0 0 1 0 2 0 1 0 1 0');
    for (const w of [[1], [3, 1], [5, 5], [1, 2, 3, 4, 5, 6, 7, 8], [1000, 24]]) {
      const s = seq(...w).split(' ').map(Number);
      expect(s).toHaveLength(w.reduce((a, b) => a + b, 0));
      w.forEach((weight, i) => expect(s.filter((x) => x === i)).toHaveLength(weight));
    }
    expect(seq(5, 5)).toBe('0 1 0 1 0 1 0 1 0 1');
    expect(seq(7, 0, 1)).toBe('invalid');
    expect(seq(1000, 25)).toBe('invalid'); // 1025 slots: more than the generator keeps
    expect(seq(1, 1, 1, 1, 1, 1, 1, 1, 1)).toBe('invalid'); // 9 sizes
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
