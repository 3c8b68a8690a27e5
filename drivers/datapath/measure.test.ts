import { test, expect } from '@playwright/test';
import { MeasurementError, TransportError } from '../../core/errors.ts';
import type { TrialResult, TrialSpec } from '../../method/trial.ts';
import type { GeneratorSession } from '../loadgen/traffic-generator.ts';
import type { RunningDatapath } from './datapath.ts';
import { measureOnDatapath } from './measure.ts';

const spec: TrialSpec = { loadPps: 1000, durationS: 1, profile: { kind: 'fixed', frameBytes: 64 }, flows: 1, direction: 'bidirectional' };

/** A datapath whose DUT dies when told to. */
function fakeDatapath() {
  let alive = true;
  const dp: RunningDatapath = {
    kind: 'memif',
    generatorPorts: [],
    dut: { kind: 'l3fwd', version: 'DPDK 22.11.11', pid: 4242 },
    dutLog: () => 'L3FWD: entering main loop on lcore 0',
    dutAlive: () => alive,
    dutDeath: () => (alive ? null : 'l3fwd (dut) exited (exit 139: segmentation fault)\n  last output: Segmentation fault'),
    down: async () => undefined,
    [Symbol.asyncDispose]: async () => undefined,
  };
  return { dp, kill: () => (alive = false) };
}

/** A generator whose trial ends after `ms` with a result, or with `error`. */
function fakeSession(ms: number, error?: Error): GeneratorSession {
  const measure = (t: TrialSpec) =>
    new Promise<TrialResult>((resolve, reject) =>
      setTimeout(() => (error ? reject(error) : resolve({ spec: t, received: 1 } as unknown as TrialResult)), ms),
    );
  return {
    info: { name: 'fake', version: '0' },
    measure,
    measurer: () => (durationS, loadPps) => measure({ ...spec, durationS, loadPps }),
    close: async () => undefined,
    [Symbol.asyncDispose]: async () => undefined,
  };
}

test('a DUT dying during the trial is a MeasurementError naming the datapath, raised without waiting for the trial to end', async () => {
  const { dp, kill } = fakeDatapath();
  setTimeout(kill, 100);
  const t0 = Date.now();
  const err = await measureOnDatapath(dp, fakeSession(60_000), spec).catch((e: unknown) => e);
  expect(Date.now() - t0).toBeLessThan(30_000);
  expect(err).toBeInstanceOf(MeasurementError);
  expect((err as MeasurementError).where).toBe('datapath memif');
  expect((err as Error).message).toMatch(/the DUT \(l3fwd, pid 4242\) died during the trial: l3fwd \(dut\) exited \(exit 139: segmentation fault\)[\s\S]*Segmentation fault/);
});

test('a generator error caused by the DUT dying is reported as the DUT death, with the generator error as cause', async () => {
  const { dp, kill } = fakeDatapath();
  const genErr = new TransportError('wsp-gen exited (exit 141: broken pipe)');
  const session = fakeSession(10, genErr);
  kill();
  // Dead before the trial: refused up front.
  await expect(measureOnDatapath(dp, session, spec)).rejects.toThrow(/died before the trial/);
  const other = fakeDatapath();
  const s2: GeneratorSession = { ...session, measure: () => new Promise((_, reject) => setTimeout(() => { other.kill(); reject(genErr); }, 10)) };
  const err = await measureOnDatapath(other.dp, s2, spec).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(MeasurementError);
  expect((err as Error).cause).toBe(genErr);
});

test('with the DUT alive, the generator error passes through unchanged, and a good trial is returned', async () => {
  const { dp } = fakeDatapath();
  const genErr = new TransportError('lost the generator');
  await expect(measureOnDatapath(dp, fakeSession(10, genErr), spec)).rejects.toBe(genErr);
  const r = await measureOnDatapath(dp, fakeSession(10), spec);
  expect(r.received).toBe(1);
});
