import { expect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.ts';
import { resultRecord, runStart, trialRecord, trialResult } from '../../fixtures/records/sample.ts';
import type { RunRecord } from '../schema/record.ts';
import { openRunStore, readRun } from './jsonl.ts';
import type { ResultSink, SinkStatus } from './sink.ts';

let root: string;
test.beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wsp-h5-store-'));
});
test.afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const at = '2026-11-22T04:00:00Z';

test('records are appended in order, read back equal, and a complete run is not partial', async () => {
  const seen: RunRecord[] = [];
  const sink: ResultSink = {
    name: 'memory',
    write: (r) => void seen.push(r),
    flush: async () => {},
    close: async () => {},
    status: (): SinkStatus => ({ name: 'memory', delivered: seen.length, pending: 0 }),
  };
  const store = await openRunStore('r1', { resultsDir: root, sinks: [sink] });
  const written = [
    runStart('r1', at),
    trialRecord('r1', at, 's', 0, trialResult(1e6, 0, { kind: 'fixed', frameBytes: 64 }, at)),
    resultRecord({ runId: 'r1', at, datapath: 'memif', frameBytes: 64, ndrPps: 4e6, seed: 1 }),
  ];
  await Promise.all(written.map((r) => store.append(r)));
  const end = await store.write({ kind: 'run-end', endedAt: at, status: 'completed', counts: { passed: 1, failed: 0, skipped: 0 } });
  await store.close();
  const run = await readRun(join(root, 'r1'));
  expect(run.errors).toEqual([]);
  expect(run.partial).toBe(false);
  expect(run.runId).toBe('r1');
  expect(run.records).toEqual([...written, end]);
  expect(seen).toEqual(run.records);
});

test('an invalid record is refused before the file or a sink sees it', async () => {
  const store = await openRunStore('r2', { resultsDir: root });
  await store.append(runStart('r2', at));
  const bad = { ...resultRecord({ runId: 'r2', at, datapath: 'memif', frameBytes: 64, ndrPps: 4e6, seed: 1 }), flows: 0 };
  expect(() => store.append(bad)).toThrow(ConfigError);
  expect(() => store.append(runStart('other', at))).toThrow(/does not match the store's run "r2"/);
  await store.close();
  const lines = (await readFile(join(root, 'r2', 'records.jsonl'), 'utf8')).trim().split('\n');
  expect(lines).toHaveLength(1);
});

test('a writer killed mid-run keeps every record it appended; the cut line is reported, the run is partial', async () => {
  // The child appends records forever; we SIGKILL it after it reported 5 appended (each after fsync).
  const script = `
    import { openRunStore } from ${JSON.stringify(new URL('./jsonl.ts', import.meta.url).pathname)};
    import { runStart, trialRecord, trialResult } from ${JSON.stringify(new URL('../../fixtures/records/sample.ts', import.meta.url).pathname)};
    const at = '2026-11-22T04:00:00Z';
    const store = await openRunStore('killed', { resultsDir: process.argv.at(-1) });
    await store.append(runStart('killed', at));
    for (let i = 0; ; i++) {
      await store.append(trialRecord('killed', at, 's', i, trialResult(1e6 + i, 0, { kind: 'fixed', frameBytes: 64 }, at)));
      process.stdout.write('appended ' + i + '\\n');
    }`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, root], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: new URL('../..', import.meta.url).pathname, // where node_modules/tsx resolves
  });
  let acknowledged = -1;
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve());
    child.stdout.on('data', (b: Buffer) => {
      for (const m of b.toString().matchAll(/appended (\d+)/g)) acknowledged = Math.max(acknowledged, Number(m[1]));
      if (acknowledged >= 4) child.kill('SIGKILL');
    });
  });
  // Simulate the worst case of a kill: half a line written.
  await appendFile(join(root, 'killed', 'records.jsonl'), '{"schemaVersion":1,"kind":"tri');
  const run = await readRun(join(root, 'killed'));
  expect(run.partial).toBe(true);
  const trials = run.records.filter((r) => r.kind === 'trial');
  expect(trials.length).toBeGreaterThanOrEqual(acknowledged + 1);
  expect(trials.map((t) => (t.kind === 'trial' ? t.seq : -1))).toEqual(trials.map((_, i) => i));
  expect(run.errors).toHaveLength(1);
  expect(run.errors[0]?.message).toContain('last line is cut short');
});

test('readRun on a missing directory says what to give', async () => {
  await expect(readRun(join(root, 'nope'))).rejects.toThrow(/no run at .*nope[\s\S]*results\/<run-id>/);
});
