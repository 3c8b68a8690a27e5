import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MatrixEntry } from '../../contract/matrix.ts';
import { runStart } from '../../fixtures/records/sample.ts';
import { openRunStore, readRun } from '../../reports/store/jsonl.ts';
import { removeInline, runInlineSpec, type InlineRun } from './inline-spec.ts';
import { writeReport } from './report.ts';
import { writeRunEnd } from './run-end-records.ts';

const matrix: MatrixEntry[] = [
  { datapath: 'sriov', dut: 'l3fwd', generator: 'wsp-gen', nic: 'virtual' },
  { datapath: 'memif', dut: 'l3fwd', generator: 'wsp-gen', nic: 'virtual' },
];

/** What the CLI does once Playwright has ended (run-start, then skip, failure and run-end records); the records. */
async function endRun(run: InlineRun) {
  const store = await openRunStore(run.runId, { resultsDir: dirname(run.outDir) });
  const { schemaVersion: _v, runId: _r, at: _a, ...start } = runStart(run.runId, new Date().toISOString());
  await store.write(start);
  await writeRunEnd(store, run.summary, matrix, { interrupted: false, exitCode: run.exitCode });
  await store.close();
  return (await readRun(run.outDir)).records;
}

test('a run with skips shows the same count and reasons in records, summary.md, junit.xml and report.html', async () => {
  // Skipped three ways: the datapath gate (sriov on the local lab), a capability gate, and the test itself.
  const run = await runInlineSpec(
    `import { test } from '@suites/test.ts';
test('runs', async () => {});
test('skips itself', async () => { test.skip(true, 'the event cannot be injected here'); });
test.describe('big', () => {
  test.use({ requires: [{ kind: 'cores', atLeast: 64 }] });
  test('needs 64 cores', async () => { throw new Error('must not run'); });
});`,
    matrix,
  );
  try {
    const summary = run.summary;
    expect(summary, run.output).toBeDefined();
    expect(summary!.counts).toEqual({ passed: 1, skipped: 5 });

    const records = await endRun(run);
    const skips = records.flatMap((r) => (r.kind === 'skip' ? [r] : []));
    expect(skips).toHaveLength(5);
    expect(skips.filter((s) => s.datapath === 'sriov').map((s) => s.reason)).toEqual(Array(3).fill(expect.stringContaining("needs sriov: lab 'local' is a local lab with no NIC")));
    expect(skips.filter((s) => s.datapath === 'memif').map((s) => s.reason).sort()).toEqual([expect.stringMatching(/needs cores>=64.*has \d+/), 'the event cannot be injected here']);
    // A gate's skip names the capability; the test's own skip has none.
    expect(skips.map((s) => s.capability)).toEqual(['sriov', 'sriov', 'sriov', undefined, 'cores>=64']);
    expect(records.at(-1)).toMatchObject({ kind: 'run-end', status: 'completed', counts: { passed: 1, failed: 0, skipped: 5 } });

    const paths = await writeReport(run.outDir);
    const md = await readFile(paths.markdown, 'utf8');
    // ("passed" counts measured scenarios, from result records: the passing test here opened none.)
    expect(md).toContain('**0** failed · **5** skipped');
    expect(md).toContain('**Skipped: 5**');
    expect(md).toContain('the event cannot be injected here');
    const junit = await readFile(paths.junit, 'utf8');
    expect(junit).toMatch(/<testsuites [^>]*skipped="5"/);
    expect(junit.match(/<skipped message=/g)).toHaveLength(5);
    const html = await readFile(paths.html, 'utf8');
    expect(html).toMatch(/<div class="k">skipped<\/div><div class="v">5<\/div>/);
    expect(html).toContain('<h2>Skipped (5)</h2>');
  } finally {
    await removeInline(run);
  }
});

test('a test that fails before its scenario has a result is a failure record, counted as failed in summary.md, junit.xml and report.html', async () => {
  // The stack that never comes up fails every test of its cell in a fixture, before any result is opened:
  // the run exits non-zero, and the reports, built from the records, must not read "0 failed".
  const run = await runInlineSpec(
    `import { test } from '@suites/test.ts';
import { ProvisionError } from '@repo/core/errors.ts';
test('stack up', async ({ datapath }) => {
  test.skip(datapath !== 'memif', 'memif only');
  throw new ProvisionError('l3fwd (dut) not ready after 30000 ms', { where: 'pod wirespeed/wsp-dut' });
});`,
    matrix,
  );
  try {
    const summary = run.summary;
    expect(summary, run.output).toBeDefined();
    expect(summary!.counts).toMatchObject({ failed: 1 });

    const records = await endRun(run);
    const failures = records.flatMap((r) => (r.kind === 'failure' ? [r] : []));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ test: 'stack up', datapath: 'memif', errorClass: 'ProvisionError', severity: 'lab', error: expect.stringContaining('l3fwd (dut) not ready after 30000 ms') });

    const paths = await writeReport(run.outDir);
    const md = await readFile(paths.markdown, 'utf8');
    expect(md).toContain('**1** failed');
    expect(md).toMatch(/❌ failed: .*l3fwd \(dut\) not ready after 30000 ms/);
    const junit = await readFile(paths.junit, 'utf8');
    expect(junit).toMatch(/<testsuites [^>]*failures="1"/);
    expect(junit).toMatch(/<failure message="[^"]*not ready after 30000 ms[^"]*" type="ProvisionError">/);
    const html = await readFile(paths.html, 'utf8');
    expect(html).toMatch(/<div class="k">failed<\/div><div class="v">1<\/div>/);
    expect(html).toContain('failed before any result was recorded');
  } finally {
    await removeInline(run);
  }
});
