/** The sink against a database that accepts connections and never answers: the run is not held up. */
import { expect, test } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleRun } from '../../fixtures/records/sample.ts';
import { openRunStore } from '../store/jsonl.ts';
import { resolveInfluxConfig } from './config.ts';
import { recordToPoints, runTagsOf } from './points.ts';
import { InfluxSink } from './sink.ts';
import { readSpool } from './spool.ts';

let root: string;
let server: Server;
const sockets: Socket[] = [];
let url: string;
test.beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wsp-h5-sink-'));
  server = createServer((s) => sockets.push(s)); // reads nothing, answers nothing
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
test.afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  await rm(root, { recursive: true, force: true });
});

for (const api of ['v1', 'v2'] as const) {
  test(`${api}: a database that never answers: every point ends in the spool, the store closes, the message is secret-free`, async () => {
    const token = 'wsp-h5-hanging-secret';
    const config = resolveInfluxConfig({ influxUrl: url, influxApi: api, influxDb: 'w', influxBucket: 'w', influxToken: token }, {}, { timeoutMs: 300, attempts: 2, retryDelayMs: 20, batchSize: 5 })!;
    const records = sampleRun({ runId: `hang-${api}`, startMs: Date.parse('2026-11-22T00:00:00Z'), seed: 2, frames: [64], withLatency: false });
    const errors: string[] = [];
    const sink = new InfluxSink(config, { spoolDir: join(root, `hang-${api}`), onError: (m) => errors.push(m) });
    const store = await openRunStore(`hang-${api}`, { resultsDir: root, sinks: [sink] });
    for (const r of records) await store.append(r);
    await store.close();
    const start = records[0]!;
    const expected = records.flatMap((r) => recordToPoints(r, start.kind === 'run-start' ? runTagsOf(start) : undefined)).length;
    const spool = await readSpool(join(root, `hang-${api}`));
    expect(spool.lines).toHaveLength(expected);
    expect(sink.status()).toMatchObject({ delivered: 0, pending: expected });
    expect(errors[0]).toMatch(/did not take \d+ points, spooled to .*no answer within 300 ms/);
    expect(errors.join('\n')).not.toContain(token);
    // Later batches skipped the dead database (cool-down) instead of waiting again.
    expect(expected).toBeGreaterThan(3 * 5);
    expect(errors).toHaveLength(1);
  });
}
