/**
 * wsp-gen for real: generator to generator over memif, no DUT. Asserts what the lab relies on:
 * pacing accuracy at the receiver, consistent counters, latency, unsent counted as loss, a dead
 * generator reported as a MeasurementError, and nothing left behind.
 */
import { expect, test } from '@playwright/test';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeasurementError, ProvisionError } from '../../core/errors.ts';
import { starvedBy } from '../../method/host-stalls.ts';
import { percentiles } from '../../method/latency.ts';
import { IMIX_7_4_1, averageFrameBytes } from '../../method/trial.ts';
import { createDpdkRuntime, type DpdkRuntime } from '../dpdk/runtime.ts';
import { localShell } from '../shell/local.ts';
import { ealArgs } from '../dpdk/eal.ts';
import { DEFAULT_GENERATOR_BINARY, openLocalGenerator, type LocalGeneratorSession } from './local-generator.ts';
import { generatorSelfTest } from './self-test.ts';
import { alive } from '../../fixtures/alive.ts';

const shell = localShell();
let dir: string;
let runtime: DpdkRuntime;
let runSeq = 0;

test.beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wsp-lg-'));
  runtime = createDpdkRuntime({ shell, runDir: dir, runId: `lg${process.pid}${++runSeq}` });
});

test.afterEach(async () => {
  await runtime.cleanup();
  await rm(dir, { recursive: true, force: true });
});

/** Everything a session could leave: hugepage files, runtime dir, sockets, the process. */
async function expectNothingLeft(session: LocalGeneratorSession): Promise<void> {
  expect(await runtime.leftovers(session.prefix)).toEqual([]);
  expect(alive(session.pid)).toBe(false);
  const socks = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.sock'));
  expect(socks).toEqual([]);
}

/** One process owns both ends of a memif socket: a DUT-less loop p0 <-> p1. */
function loopPorts(sock: string) {
  const m = `id=0,socket=${sock},socket-abstract=no`;
  return [
    { kind: 'vdev', name: 'p0', vdev: `net_memif0,role=server,${m}` },
    { kind: 'vdev', name: 'p1', vdev: `net_memif1,role=client,${m}` },
  ] as const;
}

test('holds 1 Mpps within 1 % at the receiver, both directions consistent, latency measured', async () => {
  const sock = join(dir, 'loop.sock');
  const gen = await openLocalGenerator({ shell, runtime, cpus: [1], ports: loopPorts(sock), memoryMb: 128 });
  try {
    expect(gen.hello.ports.map((p) => p.name)).toEqual(['net_memif0', 'net_memif1']);
    const r = await gen.measure({
      loadPps: 1e6,
      durationS: 3,
      warmupS: 0.5,
      profile: { kind: 'fixed', frameBytes: 64 },
      flows: 16,
      direction: 'bidirectional',
      latency: 'all',
    });
    test.info().annotations.push({ type: 'rate', description: `requested 1e6, offered ${r.offeredPps.toFixed(0)}, received ${r.receivedPps.toFixed(0)} pps` });
    // The generator polls both ends of the loop: a stall longer than memif's default 1024-slot rings
    // buffer is the host's doing, measured by its loop probe; skip saying so (only then).
    const starved = r.receivedPps < 0.99e6 ? starvedBy([{ name: 'generator', gaps: r.loopGaps }], 1024, 500_000) : undefined;
    test.skip(starved !== undefined, `${starved}; received ${r.receivedPps.toFixed(0)} pps of 1e6`);
    expect(r.receivedPps / 1e6).toBeGreaterThan(0.99);
    expect(r.receivedPps / 1e6).toBeLessThan(1.01);
    expect(r.directions.map((d) => d.name)).toEqual(['p0->p1', 'p1->p0']);
    for (const d of r.directions) {
      expect(d.sent + d.unsent).toBe(d.attempted);
      expect(d.received).toBe(d.sent); // a memif loop loses nothing
      expect(d.reordered).toBe(0);
      expect(d.duplicated).toBe(0);
      expect(d.attempted / r.attempted).toBeCloseTo(0.5, 2);
    }
    expect(r.lost).toBe(0);
    expect(r.attempted).toBe(r.directions[0]!.attempted + r.directions[1]!.attempted);
    const lat = r.latency!;
    expect(lat.count).toBe(r.received);
    const [p50, p99] = percentiles(lat, [50, 99]) as [number, number];
    expect(p50).toBeGreaterThan(0);
    expect(p50).toBeLessThanOrEqual(p99);
    expect(p99).toBeLessThanOrEqual(lat.maxNs);

    // IMIX 7:4:1 with a sampled latency stream, same session (EAL started once).
    const before = await gen.stats();
    const imix = await gen.measure({
      loadPps: 2e5,
      durationS: 1,
      profile: IMIX_7_4_1,
      flows: 100,
      direction: 'unidirectional',
      latency: { streamPps: 1000 },
    });
    const after = await gen.stats();
    expect(imix.directions).toHaveLength(1);
    expect(imix.received).toBe(imix.sent);
    const obytes = after.ports[0]!.obytes - before.ports[0]!.obytes;
    const opackets = after.ports[0]!.opackets - before.ports[0]!.opackets;
    // Port counters see frames without FCS: the mix's mean less 4 bytes (the 12-slot sequence repeats).
    expect(obytes / opackets).toBeCloseTo(averageFrameBytes(IMIX_7_4_1) - 4, 0);
    expect(imix.latency!.count).toBeGreaterThan(0);
    expect(imix.latency!.count).toBeLessThan(imix.received / 10); // sampled, not every packet
  } finally {
    await gen.close();
  }
  await expectNothingLeft(gen);
});

test('a peer that does not drain: refused packets are unsent, counted as loss, pacing goes on', async () => {
  // The idle second generator is a DUT that stopped polling: its ring fills, our TX is refused.
  const sock = join(dir, 'stall.sock');
  const m = `id=0,socket=${sock},socket-abstract=no`;
  const sender = await openLocalGenerator({ shell, runtime, role: 'tx', cpus: [1], memoryMb: 128, ports: [{ kind: 'vdev', name: 'p0', vdev: `net_memif0,role=server,${m}` }] });
  const sink = await openLocalGenerator({ shell, runtime, role: 'sink', cpus: [0], memoryMb: 128, ports: [{ kind: 'vdev', name: 'p0', vdev: `net_memif0,role=client,${m}` }] });
  try {
    const r = await sender.measure({ loadPps: 30e6, durationS: 1, profile: { kind: 'fixed', frameBytes: 64 }, flows: 1, direction: 'unidirectional' });
    expect(r.unsent).toBeGreaterThan(0);
    expect(r.sent + r.unsent).toBe(r.attempted);
    expect(r.received).toBe(0);
    expect(r.lost).toBe(r.requested); // ring refusals and any deficit alike
    expect(r.lossRatio).toBe(1);
    // Pacing continued while the ring refused: far more attempts than one ring's worth.
    expect(r.attempted).toBeGreaterThan(100 * 1024);
  } finally {
    await sink.close();
    await sender.close();
  }
  await expectNothingLeft(sender);
  await expectNothingLeft(sink);
});

test('a generator killed mid-trial gives a MeasurementError with its exit, and leaves nothing', async () => {
  const gen = await openLocalGenerator({ shell, runtime, cpus: [1], ports: loopPorts(join(dir, 'kill.sock')), memoryMb: 128 });
  try {
    const trial = gen.measure({ loadPps: 1e5, durationS: 20, profile: { kind: 'fixed', frameBytes: 64 }, flows: 1, direction: 'bidirectional' });
    setTimeout(() => process.kill(gen.pid, 'SIGKILL'), 1500);
    const err = await trial.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MeasurementError);
    expect((err as MeasurementError).message).toMatch(/died.*killed by SIGKILL/s);
    // The session stays unusable, with the same reason.
    await expect(gen.measure({ loadPps: 1e5, durationS: 1, profile: { kind: 'fixed', frameBytes: 64 }, flows: 1, direction: 'bidirectional' })).rejects.toThrow(MeasurementError);
  } finally {
    await gen.close();
  }
  await expectNothingLeft(gen);
});

test('self-test reports the ceiling and the latency bias per frame size and cleans up after itself', async () => {
  const r = await generatorSelfTest({ shell, runtime, cpus: [1], socketDir: join(dir, 's'), durationS: 1, warmupS: 0.2, memoryMb: 128 });
  test.info().annotations.push({ type: 'ceiling', description: `64B ${r.ceilingPps[64]?.toFixed(0)} pps, 1518B ${r.ceilingPps[1518]?.toFixed(0)} pps` });
  for (const size of [64, 1518]) {
    const t = r.trials[size]!;
    expect(r.ceilingPps[size]).toBeGreaterThan(0);
    expect(t.received).toBe(t.sent); // the loop itself loses nothing; the ceiling is the generator's pace
    // The bias trial: 100 kpps, every packet stamped, through the same loop.
    const b = r.byProfile.find((p) => p.profile.kind === 'fixed' && p.profile.frameBytes === size)!.biasTrial!;
    expect(b.spec.loadPps).toBe(100_000);
    expect(b.latency!.count).toBe(b.received);
    expect(percentiles(b.latency!, [50])[0]).toBeGreaterThan(0);
  }
  expect(r.version).toMatch(/^wsp-gen\/1 \(DPDK /);
  expect(await runtime.leftovers(runtime.prefix('selftest'))).toEqual([]);
  expect((await readdir(join(dir, 's'))).length).toBe(0);
});

test('an aborted trial stops early and the session stays usable', async () => {
  const gen = await openLocalGenerator({ shell, runtime, cpus: [1], ports: loopPorts(join(dir, 'ab.sock')), memoryMb: 128 });
  try {
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(new Error('stop now')), 1000);
    const trial = gen.measure({ loadPps: 1e5, durationS: 30, profile: { kind: 'fixed', frameBytes: 64 }, flows: 1, direction: 'bidirectional' }, ac.signal);
    await expect(trial).rejects.toThrow('stop now');
    expect(Date.now() - started).toBeLessThan(25_000); // did not run the 30 s
    const r = await gen.measure({ loadPps: 1e5, durationS: 0.5, profile: { kind: 'fixed', frameBytes: 1518 }, flows: 1, direction: 'unidirectional' });
    expect(r.received).toBe(r.sent);
    expect(r.received).toBeGreaterThan(0);
  } finally {
    await gen.close();
  }
  await expectNothingLeft(gen);
});

test('wsp-gen answers bad requests with JSON errors and keeps serving', async () => {
  const prefix = runtime.prefix('raw');
  const sock = join(dir, 'raw.sock');
  const m = `id=0,socket=${sock},socket-abstract=no`;
  await runtime.prepare();
  const lines: string[] = [];
  let buf = '';
  const proc = await shell.spawn(
    [DEFAULT_GENERATOR_BINARY, ...ealArgs({ filePrefix: prefix, lcores: [1], memoryMb: 128, noPci: true, allowPci: [], vdevs: [`net_memif0,role=server,${m}`, `net_memif1,role=client,${m}`] })],
    {
      env: runtime.env(),
      onStdout: (c) => {
        buf += c;
        const parts = buf.split('\n');
        buf = parts.pop()!;
        lines.push(...parts);
      },
    },
  );
  const next = async (): Promise<Record<string, unknown>> => {
    for (let i = 0; i < 3000 && lines.length === 0 && !proc.exited(); i++) await new Promise((r) => setTimeout(r, 10));
    const line = lines.shift();
    if (line === undefined) throw new Error(`no reply; wsp-gen output: ${proc.output().slice(-2000)}`);
    return JSON.parse(line) as Record<string, unknown>;
  };
  const ask = async (line: string): Promise<Record<string, unknown>> => {
    await proc.write(line + '\n');
    return next();
  };
  try {
    expect(await next()).toMatchObject({ event: 'hello', ok: true });
    expect(await ask('not json')).toMatchObject({ ok: false, error: expect.stringContaining('bad request JSON') });
    expect(await ask('{"id":1}')).toMatchObject({ id: 1, ok: false, error: expect.stringContaining('"cmd"') });
    expect(await ask('{"id":2,"cmd":"fly"}')).toMatchObject({ id: 2, ok: false, error: expect.stringContaining('unknown command') });
    expect(await ask('{"id":3,"cmd":"trial","pps_per_dir":-5,"duration_s":1,"frame":64}')).toMatchObject({ id: 3, ok: false, error: expect.stringContaining('pps_per_dir') });
    expect(await ask('{"id":4,"cmd":"trial","pps_per_dir":1000,"duration_s":1,"frame":1519}')).toMatchObject({ id: 4, ok: false, error: expect.stringContaining('frame') });
    expect(await ask('{"id":5,"cmd":"trial","pps_per_dir":1000,"duration_s":1,"frame":64,"rate":1}')).toMatchObject({ id: 5, ok: false, error: expect.stringContaining('unknown trial field "rate"') });
    expect(await ask('{"id":6,"cmd":"trial","pps_per_dir":1000,"duration_s":1,"sizes":[64,1518],"weights":[7]}')).toMatchObject({ id: 6, ok: false });
    expect(await ask('{"id":7,"cmd":"trial","pps_per_dir":1000,"duration_s":1,"frame":64,"flows":0}')).toMatchObject({ id: 7, ok: false, error: expect.stringContaining('flows') });
    expect(await ask('{"id":8,"cmd":"stats","nested":{"a":1}}')).toMatchObject({ ok: false, error: expect.stringContaining('nested') });
    expect(await ask(`{"id":9,"cmd":"stats","pad":"${'x'.repeat(70_000)}"}`)).toMatchObject({ ok: false, error: expect.stringContaining('too long') });
    expect(await ask('{"id":"s1","cmd":"stats"}')).toMatchObject({ id: 's1', ok: true, cmd: 'stats' });
    // During a trial: stats are answered, other commands refused, abort ends it.
    await proc.write('{"id":10,"cmd":"trial","pps_per_dir":10000,"duration_s":30,"frame":64}\n');
    await new Promise((r) => setTimeout(r, 300));
    expect(await ask('{"id":11,"cmd":"hello"}')).toMatchObject({ id: 11, ok: false, error: expect.stringContaining('busy') });
    expect(await ask('{"id":12,"cmd":"stats"}')).toMatchObject({ id: 12, ok: true });
    expect(await ask('{"id":13,"cmd":"abort"}')).toMatchObject({ id: 13, ok: true, aborted: true });
    expect(await next()).toMatchObject({ id: 10, ok: true, aborted: true });
    expect(await ask('{"id":14,"cmd":"quit"}')).toMatchObject({ id: 14, ok: true });
    expect(await proc.wait()).toEqual({ exitCode: 0, signal: null });
  } finally {
    await proc.kill(1000);
    await runtime.cleanupPrefix(prefix);
    await rm(sock, { force: true });
  }
  expect(await runtime.leftovers(prefix)).toEqual([]);
});

test('a generator that cannot start is a ProvisionError with the reason, and leaves nothing', async () => {
  // virtio_user needs a vhost server on the socket: probing fails, the generator finds no port.
  const err = await openLocalGenerator({
    shell,
    runtime,
    role: 'nostart',
    cpus: [1],
    memoryMb: 64,
    ports: [{ kind: 'vdev', name: 'p0', vdev: `net_virtio_user0,path=${join(dir, 'nobody.sock')},queues=1` }],
  }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProvisionError);
  expect((err as ProvisionError).message).toMatch(/could not start: found 0 ports/);
  expect(await runtime.leftovers(runtime.prefix('nostart'))).toEqual([]);
});
