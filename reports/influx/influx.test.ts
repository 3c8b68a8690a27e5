/**
 * The InfluxDB sink against real servers: VictoriaMetrics (v2 write API) and InfluxDB 1.6 (/write?db=),
 * each started on a free loopback port with a temporary data directory.
 */
import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleRun } from '../../fixtures/records/sample.ts';
import type { RunRecord } from '../schema/record.ts';
import { openRunStore } from '../store/jsonl.ts';
import { resolveInfluxConfig, type InfluxConfig } from './config.ts';
import { MEASUREMENTS, recordToPoints, runTagsOf, type PointData } from './points.ts';
import { InfluxSink } from './sink.ts';
import { pushSpool, SPOOL_FILE } from './spool.ts';
import { startInfluxDb1, startVictoriaMetrics, type TestServer } from './test-servers.ts';
import { dashboard, influxqlQuery, PANELS, promqlQuery } from '../grafana/dashboard.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

function wirespeed(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO, 'cli/wirespeed.js'), ...args], { cwd: REPO, timeout: 60_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 70) : 0, stdout, stderr });
    });
  });
}

const TOKEN = 'wsp-h5-secret-token-7f3a9';
/**
 * VictoriaMetrics keeps about 12 significant decimal digits of a float (its decimal compression truncates),
 * so its values are compared at 11.
 */
const VM_DIGITS = 12;
const RUN_START_MS = Date.parse('2026-11-21T22:00:00Z');

let root: string;
test.beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wsp-h5-influx-run-'));
});
test.afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Expected points, one canonical string per field value: name|labels|timeMs|value. */
function expectedSamples(records: readonly RunRecord[], digits?: number): string[] {
  const start = records.find((r) => r.kind === 'run-start');
  const tags = start && start.kind === 'run-start' ? runTagsOf(start) : undefined;
  return records.flatMap((r) => recordToPoints(r, tags)).flatMap((p) => samplesOf(p, digits)).sort();
}

function pointsOf(records: readonly RunRecord[]): number {
  const start = records.find((r) => r.kind === 'run-start');
  const tags = start && start.kind === 'run-start' ? runTagsOf(start) : undefined;
  return records.flatMap((r) => recordToPoints(r, tags)).length;
}

function samplesOf(p: PointData, digits?: number): string[] {
  return Object.entries(p.fields).map(([f, v]) => canonical(`${p.measurement}_${f}`, p.tags, p.timeMs, v, digits));
}

function canonical(name: string, labels: Readonly<Record<string, string>>, timeMs: number, value: number, digits?: number): string {
  if (digits !== undefined) value = Number(value.toPrecision(digits - 1));
  const l = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',');
  return `${name}|${l}|${timeMs}|${value}`;
}

async function vmSamples(server: TestServer, runId: string): Promise<string[]> {
  await fetch(`${server.url}/internal/force_flush`).then((r) => r.body?.cancel());
  const res = await fetch(`${server.url}/api/v1/export?${new URLSearchParams({ 'match[]': `{__name__=~"wirespeed_.*",run="${runId}"}` })}`);
  expect(res.status).toBe(200);
  const out: string[] = [];
  for (const line of (await res.text()).split('\n')) {
    if (!line.trim()) continue;
    const s = JSON.parse(line) as { metric: Record<string, string>; values: number[]; timestamps: number[] };
    const { __name__: name, ...labels } = s.metric;
    s.values.forEach((v, i) => out.push(canonical(name ?? '?', labels, s.timestamps[i] ?? -1, v, VM_DIGITS)));
  }
  return out.sort();
}

async function influx1Samples(server: TestServer, db: string, runId: string): Promise<string[]> {
  const q = `SELECT * FROM ${Object.values(MEASUREMENTS).join(',')} WHERE "run"='${runId}' GROUP BY *`;
  const res = await fetch(`${server.url}/query?${new URLSearchParams({ db, q, epoch: 'ms' })}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as {
    results: { series?: { name: string; tags: Record<string, string>; columns: string[]; values: (number | null)[][] }[] }[];
  };
  const out: string[] = [];
  for (const s of body.results.flatMap((r) => r.series ?? [])) {
    const labels = Object.fromEntries(Object.entries(s.tags).filter(([, v]) => v !== ''));
    for (const row of s.values) {
      const time = row[0] as number;
      s.columns.forEach((c, i) => {
        const v = row[i];
        if (i > 0 && v !== null && v !== undefined) out.push(canonical(`${s.name}_${c}`, labels, time, v));
      });
    }
  }
  return out.sort();
}

async function runThroughSink(records: readonly RunRecord[], config: InfluxConfig, runId: string) {
  const errors: string[] = [];
  const sink = new InfluxSink(config, { spoolDir: join(root, runId), onError: (m) => errors.push(m) });
  const store = await openRunStore(runId, { resultsDir: root, sinks: [sink] });
  for (const r of records) await store.append(r);
  await store.close();
  return { sink, errors };
}

test('VictoriaMetrics (v2 write API): every point written is read back equal', async () => {
  const vm = await startVictoriaMetrics();
  try {
    const runId = 'vm-run-1';
    const records = sampleRun({ runId, startMs: RUN_START_MS, seed: 7, withFailover: true });
    const config = resolveInfluxConfig({ influxUrl: vm.url, influxBucket: 'wirespeed', influxOrg: 'lab', influxToken: TOKEN }, {}, { batchSize: 50 })!;
    expect(config.api).toBe('v2');
    const { sink, errors } = await runThroughSink(records, config, runId);
    expect(errors).toEqual([]);
    const expected = expectedSamples(records);
    expect(expected.length).toBeGreaterThan(100);
    expect(sink.status()).toMatchObject({ pending: 0 });
    expect(await vmSamples(vm, runId)).toEqual(expectedSamples(records, VM_DIGITS));
    // All four measurements and the tags the dashboard groups by are there.
    for (const m of Object.values(MEASUREMENTS)) expect(expected.some((s) => s.startsWith(`${m}_`))).toBe(true);
    expect(expected[0]).toMatch(/datapath=.*dut=.*frame=.*lab=local.*nic=.*node=local.*run=vm-run-1.*scenario=/);
    // Every panel of the Grafana dashboard (PromQL flavour) finds data, with its variables on "All".
    for (const p of PANELS) {
      for (const f of p.fields.filter((x) => !p.optionalFields?.includes(x))) {
        const expr = promqlQuery(p, f).replace(/\$(lab|datapath|frame|nic|dut)/g, '.*');
        const q = new URLSearchParams({ query: expr, start: String(RUN_START_MS / 1000 - 60), end: String(RUN_START_MS / 1000 + 3600), step: '60' });
        const body = (await (await fetch(`${vm.url}/api/v1/query_range?${q}`)).json()) as { status: string; data: { result: unknown[] } };
        expect(body.status, expr).toBe('success');
        expect(body.data.result.length, `${p.title}: ${expr}`).toBeGreaterThan(0);
      }
    }
  } finally {
    await vm.stop();
  }
});

test('InfluxDB 1.x (/write?db=): every point written is read back equal', async () => {
  const influx = await startInfluxDb1('wirespeed');
  try {
    const runId = 'influx1-run-1';
    const records = sampleRun({ runId, startMs: RUN_START_MS, seed: 11, withFailover: true, frames: [64, 1518] });
    const config = resolveInfluxConfig({}, { WIRESPEED_INFLUX_URL: influx.url, WIRESPEED_INFLUX_DB: 'wirespeed' }, { batchSize: 40 })!;
    expect(config.api).toBe('v1');
    const { errors } = await runThroughSink(records, config, runId);
    expect(errors).toEqual([]);
    expect(await influx1Samples(influx, 'wirespeed', runId)).toEqual(expectedSamples(records));
    // Every panel of the Grafana dashboard (InfluxQL flavour) finds data, with its variables on "All".
    for (const p of PANELS) {
      for (const f of p.fields.filter((x) => !p.optionalFields?.includes(x))) {
        const q = influxqlQuery(p, f)
          .replace(/\$(lab|datapath|frame|nic|dut)/g, '.*')
          .replace('$timeFilter', `time >= ${RUN_START_MS - 60_000}ms AND time <= ${RUN_START_MS + 3_600_000}ms`)
          .replace('$__interval', '1m');
        const res = await fetch(`${influx.url}/query?${new URLSearchParams({ db: 'wirespeed', q })}`);
        const body = (await res.json()) as { results: { series?: unknown[]; error?: string }[] };
        expect(body.results[0]?.error, q).toBeUndefined();
        expect(body.results[0]?.series?.length ?? 0, `${p.title}: ${q}`).toBeGreaterThan(0);
      }
    }
  } finally {
    await influx.stop();
  }
});

test('database down mid-run: points are spooled, pushed later, none lost, none duplicated, token never shown', async () => {
  const vm = await startVictoriaMetrics();
  try {
    const runId = 'vm-outage-1';
    const records = sampleRun({ runId, startMs: RUN_START_MS, seed: 3, withFailover: true });
    const config = resolveInfluxConfig(
      { influxUrl: vm.url, influxBucket: 'wirespeed', influxToken: TOKEN },
      {},
      { batchSize: 25, attempts: 2, retryDelayMs: 50, timeoutMs: 2000, flushIntervalMs: 60_000 },
    )!;
    const errors: string[] = [];
    const sink = new InfluxSink(config, { spoolDir: join(root, runId), onError: (m) => errors.push(m) });
    const store = await openRunStore(runId, { resultsDir: root, sinks: [sink] });
    const half = Math.floor(records.length / 2);
    for (const r of records.slice(0, half)) await store.append(r);
    await sink.flush();
    const deliveredBefore = sink.status().delivered;
    expect(deliveredBefore).toBeGreaterThan(0);

    await vm.stop(false); // the database goes away, data kept
    for (const r of records.slice(half)) await store.append(r);
    await store.close(); // returns although the database is down: the run is not blocked
    expect(sink.spooled).toBeGreaterThan(0);
    expect(sink.status().delivered + sink.spooled).toBe(pointsOf(records));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/ECONNREFUSED[\s\S]*/);

    // Pushing while it is still down keeps the spool and says so.
    await expect(pushSpool(join(root, runId), config)).rejects.toThrow(/pushed 0 of \d+ spooled points/);

    await vm.restart();
    // Pushed later by the command a user runs, configured by environment; the token is not echoed.
    const push = await wirespeed(['report', join(root, runId), '--push', '--json'], {
      WIRESPEED_INFLUX_URL: vm.url,
      WIRESPEED_INFLUX_BUCKET: 'wirespeed',
      WIRESPEED_INFLUX_TOKEN: TOKEN,
    });
    expect(push.stderr).toBe('');
    expect(push.code).toBe(0);
    expect(JSON.parse(push.stdout)).toMatchObject({ runId, partial: false, pushed: { pushed: sink.spooled, mode: 'spool' } });
    expect(push.stdout).not.toContain(TOKEN);
    expect(await readdir(join(root, runId))).not.toContain(SPOOL_FILE);
    // Exactly the expected samples: nothing lost, nothing twice.
    expect(await vmSamples(vm, runId)).toEqual(expectedSamples(records, VM_DIGITS));

    // The token appears nowhere: not in messages, status, or files of the run.
    const files = await readdir(join(root, runId));
    const texts = [...errors, JSON.stringify(sink.status()), ...(await Promise.all(files.map((f) => readFile(join(root, runId, f), 'utf8'))))];
    for (const t of texts) expect(t).not.toContain(TOKEN);
  } finally {
    await vm.stop();
  }
});

test('the Grafana dashboard files on disk are the generated ones (panels are checked against real data above)', async () => {
  for (const flavour of ['influxql', 'promql'] as const) {
    const onDisk = JSON.parse(await readFile(new URL(`../grafana/wirespeed-${flavour}.json`, import.meta.url), 'utf8')) as unknown;
    expect(onDisk, `run: npx tsx reports/grafana/dashboard.ts`).toEqual(dashboard(flavour));
  }
});

test('result points carry the generator as a tag (where the record names it), so queries never mix testers', () => {
  const records = sampleRun({ runId: 'g1', startMs: Date.parse('2026-11-20T09:00:00Z'), seed: 7, frames: [64], withLatency: false });
  const start = records.find((r) => r.kind === 'run-start')!;
  const run = start.kind === 'run-start' ? runTagsOf(start) : undefined;
  const result = records.find((r) => r.kind === 'result')!;
  const tagged = recordToPoints({ ...result, generator: { kind: 'pktgen', version: '23.06.1' } } as RunRecord, run);
  expect(tagged.find((p) => p.measurement === MEASUREMENTS.throughput)?.tags.generator).toBe('pktgen');
  expect(recordToPoints(result, run).find((p) => p.measurement === MEASUREMENTS.throughput)?.tags.generator).toBeUndefined();
});
