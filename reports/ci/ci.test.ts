/** `wirespeed report DIR` on a run killed half-way: every file written, CI outputs say the run is partial. */
import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resultRecord, sampleRun } from '../../fixtures/records/sample.ts';
import { runView } from '../model/run-view.ts';
import { openRunStore } from '../store/jsonl.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { SCHEMA_VERSION } from '../schema/record.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
let root: string;
test.beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wsp-h5-ci-'));
});
test.afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

test('report on a partial run writes HTML, JUnit and markdown that flag the unfinished scenario', async () => {
  const records = sampleRun({ runId: 'ci-partial', startMs: Date.parse('2026-11-22T03:00:00Z'), seed: 9, frames: [64], withLatency: false, partial: true });
  const cut = records.findLastIndex((r) => r.kind === 'result');
  const store = await openRunStore('ci-partial', { resultsDir: root });
  for (const r of records.slice(0, cut)) await store.append(r);
  await store.close();
  await appendFile(join(root, 'ci-partial', 'records.jsonl'), '{"schemaVersion":1,"kind":"trial","runI'); // killed mid-write

  const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [join(REPO, 'cli/wirespeed.js'), 'report', join(root, 'ci-partial')], { cwd: REPO, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 70) : 0, stdout, stderr }),
    ),
  );
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('**Partial run**');
  expect(r.stdout).toContain(`report:  ${join(root, 'ci-partial', 'report.html')}`);
  expect(r.stderr).toContain('last line is cut short');

  const junit = await readFile(join(root, 'ci-partial', 'junit.xml'), 'utf8');
  // 2 results, the unfinished veth scenario, the missing run-end and the cut line.
  expect(junit).toMatch(/<testsuites name="wirespeed" tests="5" failures="0" errors="3" skipped="0"/);
  expect(junit).toContain('name="1n-local-2p-veth-l3fwd-64b-ndrpdr"');
  expect(junit).toContain('message="no result: the run stopped during this scenario"');
  expect(junit).toContain('message="partial run: no run-end record"');
  const md = await readFile(join(root, 'ci-partial', 'summary.md'), 'utf8');
  expect(md).toMatch(/\| `1n-local-2p-veth-l3fwd-64b-ndrpdr` \| – .* ⚠️ unfinished \|/);
  // NDR, the spread of its 5 repeats (median, range, coefficient of variation), PDR, MRR.
  expect(md).toMatch(/\| `1n-local-2p-memif-l3fwd-64b-ndrpdr` \| 5\.\d{3} Mpps \| median 5\.\d{3} Mpps \(5\.\d{3} Mpps–5\.\d{3} Mpps, CV \d\.\d %, n=5\) \| 5\.\d{3} Mpps \| 5\.\d{3} Mpps \| .* \| virtual \| – \| – \| ✅ passed \|/);
  const html = await readFile(join(root, 'ci-partial', 'report.html'), 'utf8');
  expect(html).toContain('Partial run.');
});

test('JUnit marks failed and skipped scenarios and escapes their reasons', async () => {
  const at = '2026-11-22T03:00:00Z';
  const start = sampleRun({ runId: 'ci-mixed', startMs: Date.parse(at), seed: 1, frames: [64], ndr64Pps: {} })[0]!;
  const failed = resultRecord({ runId: 'ci-mixed', at, datapath: 'memif', frameBytes: 64, ndrPps: 1e6, seed: 2, status: 'failed', reason: 'NDR 1.0 Mpps < expected 4 Mpps & "DUT" <crashed>', withLatency: false });
  const skipped = resultRecord({ runId: 'ci-mixed', at, datapath: 'sriov', frameBytes: 64, ndrPps: 1e6, seed: 3, status: 'skipped', reason: 'needs a NIC with SR-IOV: none on this lab', withLatency: false });
  const end = { schemaVersion: SCHEMA_VERSION, kind: 'run-end', runId: 'ci-mixed', at, endedAt: at, status: 'completed', counts: { passed: 0, failed: 1, skipped: 1 } } as const;
  const view = runView({ dir: root, runId: 'ci-mixed', records: [start, failed, skipped, end], partial: false, errors: [] });
  const junit = renderJunit(view);
  expect(junit).toMatch(/tests="2" failures="1" errors="0" skipped="1"/);
  expect(junit).toContain('<failure message="NDR 1.0 Mpps &lt; expected 4 Mpps &amp; &quot;DUT&quot; &lt;crashed&gt;" type="ScenarioFailed">');
  expect(junit).toContain('<skipped message="needs a NIC with SR-IOV: none on this lab"/>');
  const md = renderMarkdown(view);
  expect(md).toContain('❌ failed: NDR 1.0 Mpps');
  expect(md).toContain('⏭️ skipped: needs a NIC with SR-IOV');
});
