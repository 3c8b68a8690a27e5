import { expect, test } from '@playwright/test';
import { ConfigError } from '../../core/errors.ts';
import { resultRecord, runStart, trialRecord, trialResult } from '../../fixtures/records/sample.ts';
import { parseRecord } from './parse-record.ts';
import { SCHEMA_VERSION } from './record.ts';
import { formatScenarioId, parseScenarioId, scenarioTags } from './scenario-id.ts';

const at = '2026-11-22T04:00:00Z';
const good = () => resultRecord({ runId: 'r1', at, datapath: 'memif', frameBytes: 64, ndrPps: 4_000_000, seed: 1 });

function messageOf(value: unknown): string {
  try {
    parseRecord(value, { where: 'results/r1/records.jsonl:3' });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('record was accepted');
}

test('valid records of every kind parse back equal', () => {
  const start = runStart('r1', at);
  const trial = trialRecord('r1', at, 'x', 0, trialResult(1e6, 0.001, { kind: 'fixed', frameBytes: 64 }, at));
  for (const r of [start, trial, good()]) expect(parseRecord(JSON.parse(JSON.stringify(r)))).toEqual(r);
});

test('a bad field is named with its path, the kind and the origin', () => {
  const r = good();
  const bad = { ...r, ndr: { ...r.ndr, lowerBoundPps: -5 } };
  const msg = messageOf(bad);
  expect(msg).toContain('results/r1/records.jsonl:3');
  expect(msg).toContain("invalid 'result' record");
  expect(msg).toContain('ndr.lowerBoundPps');
});

test('a missing field says missing, an unknown field is named', () => {
  const { datapath: _d, ...noDatapath } = good();
  expect(messageOf(noDatapath)).toContain("datapath: missing (expected one of");
  expect(messageOf({ ...good(), throughput: 5 })).toContain('unknown field "throughput"');
});

test('bounds must be ordered; failed and skipped results need a reason', () => {
  const r = good();
  expect(messageOf({ ...r, pdr: { ...r.pdr, upperBoundPps: 1 } })).toContain('pdr.upperBoundPps: upperBoundPps must not be below lowerBoundPps');
  expect(messageOf({ ...r, status: 'failed' })).toContain('reason: a failed or skipped result must say why');
});

test('nested trial fields are checked (loss ratio, frame size, histogram)', () => {
  const t = trialRecord('r1', at, 'x', 0, trialResult(1e6, 0, { kind: 'fixed', frameBytes: 64 }, at));
  expect(messageOf({ ...t, trial: { ...t.trial, lossRatio: 2 } })).toContain('trial.lossRatio');
  expect(messageOf({ ...t, trial: { ...t.trial, spec: { ...t.trial.spec, profile: { kind: 'fixed', frameBytes: 10 } } } })).toContain(
    'trial.spec.profile.frameBytes: frameBytes must be at least 64',
  );
});

test('schemaVersion and kind are checked first, with what to do', () => {
  expect(messageOf({ ...good(), schemaVersion: SCHEMA_VERSION + 1 })).toMatch(/schemaVersion \d+ is not supported[\s\S]*newer wirespeed: upgrade/);
  expect(messageOf({ ...good(), schemaVersion: 0 })).toMatch(/schemaVersion 0 is not supported[\s\S]*not a wirespeed record file/);
  const { schemaVersion: _v, ...noVersion } = good();
  expect(messageOf(noVersion)).toContain('record has no schemaVersion');
  expect(messageOf({ ...good(), kind: 'summary' })).toMatch(/unknown record kind "summary"[\s\S]*run-start, trial, result/);
  expect(messageOf([1, 2])).toContain('must be a JSON object, got an array');
  expect(messageOf({ ...good(), at: 'yesterday' })).toContain('at: must be an ISO 8601 time');
});

test('a schemaVersion 1 trial is read with requested = attempted (v1 counted loss against attempted packets)', () => {
  const t = trialRecord('r1', at, 's', 0, trialResult(1_000_000, 0.01, { kind: 'fixed', frameBytes: 64 }, '2026-11-22T04:05:00Z'));
  const strip = <T extends object>(o: T): Omit<T, 'requested'> => {
    const { requested: _r, ...rest } = o as T & { requested?: number };
    return rest;
  };
  const v1 = { ...t, schemaVersion: 1, trial: { ...strip(t.trial), directions: t.trial.directions.map(strip) } };
  const back = parseRecord(JSON.parse(JSON.stringify(v1)));
  expect(back.schemaVersion).toBe(SCHEMA_VERSION);
  if (back.kind !== 'trial') throw new Error('not a trial');
  expect(back.trial.requested).toBe(back.trial.attempted);
  expect(back.trial.directions.map((d) => d.requested)).toEqual(back.trial.directions.map((d) => d.attempted));
});

test('scenario ids round-trip and yield tags, also with hyphenated parts', () => {
  const p = parseScenarioId('2n-e810-c-2p-vhost-user-ovs-testpmd-io-imix-ndrpdr');
  expect(p).toEqual({ nodes: 2, nic: 'e810-c', ports: 2, datapath: 'vhost-user-ovs', dut: 'testpmd-io', frame: 'imix', test: 'ndrpdr' });
  expect(formatScenarioId(p)).toBe('2n-e810-c-2p-vhost-user-ovs-testpmd-io-imix-ndrpdr');
  expect(scenarioTags('1n-local-2p-memif-l3fwd-64b-ndrpdr')).toEqual(['1n', 'local', '2p', 'memif', 'l3fwd', '64b', 'ndrpdr']);
  expect(() => parseScenarioId('memif-64b')).toThrow(/does not follow <nodes>n-<nic>/);
  expect(() => parseScenarioId('1n-local-2p-ethernet-l3fwd-64b-ndrpdr')).toThrow(/datapath is one of/);
});

test("multi-core ids carry CSIT's thread-core tag after the frame; one thread on one core keeps the old id", () => {
  const p = parseScenarioId('2n-x710-2p-pf-l3fwd-64b-2t2c-ndrpdr');
  expect(p).toEqual({ nodes: 2, nic: 'x710', ports: 2, datapath: 'pf', dut: 'l3fwd', frame: '64b', threadsCores: { threads: 2, cores: 2 }, test: 'ndrpdr' });
  expect(formatScenarioId(p)).toBe('2n-x710-2p-pf-l3fwd-64b-2t2c-ndrpdr');
  expect(formatScenarioId({ ...p, frame: 'imix', threadsCores: { threads: 4, cores: 4 }, test: 'latency' })).toBe('2n-x710-2p-pf-l3fwd-imix-4t4c-latency');
  expect(parseScenarioId('2n-x710-2p-pf-l3fwd-imix-4t4c-latency')).toMatchObject({ frame: 'imix', threadsCores: { threads: 4, cores: 4 }, test: 'latency' });
  // CSIT's SMT form parses too (2 threads on one core's siblings), though wirespeed never places lcores so.
  expect(parseScenarioId('2n-x710-2p-sriov-l3fwd-64b-2t1c-ndrpdr').threadsCores).toEqual({ threads: 2, cores: 1 });
  // 1t1c is the default: parsed to no part, formatted without one.
  expect(parseScenarioId('2n-x710-2p-pf-l3fwd-64b-1t1c-ndrpdr').threadsCores).toBeUndefined();
  expect(formatScenarioId({ ...p, threadsCores: { threads: 1, cores: 1 } })).toBe('2n-x710-2p-pf-l3fwd-64b-ndrpdr');
  expect(scenarioTags('2n-x710-2p-pf-l3fwd-64b-4t4c-ndrpdr')).toEqual(['2n', 'x710', '2p', 'pf', 'l3fwd', '64b', '4t4c', 'ndrpdr']);
  expect(() => formatScenarioId({ ...p, threadsCores: { threads: 1, cores: 2 } })).toThrow(/at least one thread per core/);
});
