/**
 * What every report must carry beside the figures: each skip with its reason (the same count in
 * summary.md, junit.xml and report.html), the tester and host before any figure, and the marks of
 * figures that are not the DUT's (a bound at the tester's max load, a generator-limited MRR), which
 * compare and trend never treat as measured.
 */
import { expect, test } from '@playwright/test';
import { histogramFromValues } from '../../method/latency.ts';
import { resultRecord, runEnd, runStart, scenarioIdOf, trialRecord, trialResult } from '../../fixtures/records/sample.ts';
import { compareRuns } from '../compare/compare.ts';
import { renderHtmlReport } from '../html/report.ts';
import { runView } from '../model/run-view.ts';
import { SCHEMA_VERSION, type ResultRecord, type RunRecord } from '../schema/record.ts';
import { parseRecord } from '../schema/parse-record.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';

const at = '2026-11-29T21:00:00Z';
const gaps = (valuesNs: number[], observedS: number) => ({ observedS, iterations: 1e7, thresholdNs: 10_000, gaps: histogramFromValues(valuesNs) });

function records(runId: string, opts: { marked: boolean }): RunRecord[] {
  const base = { schemaVersion: SCHEMA_VERSION, runId, at } as const;
  const memif = resultRecord({ runId, at, datapath: 'memif', frameBytes: 64, ndrPps: 4e6, seed: 1, withLatency: false });
  const marked: ResultRecord = {
    ...memif,
    ndr: { goal: 'NDR', lowerBoundPps: 11.8e6, maxLoadPps: 11.8e6, mark: { kind: 'max-load', reason: 'max load 11.8 Mpps (generator self-test ceiling, 64 B) passed' } },
    mrr: { offeredPps: 11.8e6, receivedPps: [4.69e6], trialDurationS: 1, attemptedPps: [4.69e6], boundedBy: 'generator', limitedAtPps: 4.69e6 },
  };
  const trial = { ...trialResult(1e6, 0, { kind: 'fixed', frameBytes: 64 }, at), loopGaps: gaps([12_000, 4_100_000, 30_000_000], 60), dutLoopGaps: gaps([5_000_000], 60) };
  return [
    runStart(runId, at),
    {
      ...base,
      kind: 'generator-selftest',
      generator: 'wsp-gen/1 (DPDK 22.11.11)',
      profile: { kind: 'fixed', frameBytes: 64 },
      ceilingPps: 11.8e6,
      offeredPps: 100e6,
      trialDurationS: 2,
      bias: { loadPps: 100_000, p50Ns: 210, p99Ns: 5_300, maxNs: 40_000, biasNs: 210, histogram: histogramFromValues([200, 210, 220, 5_300]) },
      loopGaps: gaps([15_000], 3),
    },
    trialRecord(runId, at, memif.scenarioId, 0, trial, 'mrr'),
    opts.marked ? marked : memif,
    // Skipped by a gate before naming a scenario, by the stack, and (old style) by a result record.
    { ...base, kind: 'skip', test: '64b ndrpdr', project: 'sriov-l3fwd-virtual', datapath: 'sriov', reason: "needs sriov: lab 'local' is a local lab with no NIC", capability: 'sriov' },
    { ...base, kind: 'skip', test: '1518b ndrpdr', project: 'sriov-l3fwd-virtual', datapath: 'sriov', reason: "needs sriov: lab 'local' is a local lab with no NIC", capability: 'sriov' },
    resultRecord({ runId, at, datapath: 'vhost-user-ovs', frameBytes: 64, ndrPps: 1, seed: 3, status: 'skipped', reason: "needs cores>=3: lab 'local' has 2 CPUs", withLatency: false }),
    runEnd(runId, at, { passed: 1, failed: 0, skipped: 3 }),
  ].map((r) => parseRecord(r)); // every record as the store would accept it
}

test('a run with skips shows the same count, with the reasons, in summary.md, junit.xml and report.html', () => {
  const view = runView({ dir: '/tmp/r', runId: 'r1', records: records('r1', { marked: false }), partial: false, errors: [] });
  expect(view.skips).toHaveLength(3);
  const md = renderMarkdown(view);
  expect(md).toContain('**1** passed · **0** failed · **3** skipped');
  expect(md).toContain("⏭️ skipped: needs sriov: lab 'local' is a local lab with no NIC — 2 × `[sriov-l3fwd-virtual] 64b ndrpdr`, `[sriov-l3fwd-virtual] 1518b ndrpdr`");
  expect(md).toContain(`⏭️ skipped: needs cores>=3: lab 'local' has 2 CPUs — 1 × \`${scenarioIdOf('vhost-user-ovs', 64)}\``);
  const junit = renderJunit(view);
  expect(junit).toMatch(/<testsuites name="wirespeed" tests="4" failures="0" errors="0" skipped="3"/);
  expect(junit.match(/<skipped message=/g)).toHaveLength(3);
  expect(junit).toContain('<system-out>needs sriov</system-out>');
  const html = renderHtmlReport(view);
  expect(html).toMatch(/<div class="k">skipped<\/div><div class="v">3<\/div>/);
  expect(html).toContain('<h2>Skipped (3)</h2>');
  expect(html.match(/needs sriov: lab &apos;local&apos; is a local lab with no NIC|needs sriov: lab &#39;local&#39; is a local lab with no NIC|needs sriov: lab 'local' is a local lab with no NIC/g)?.length).toBe(2);
});

test('tester and host come before any figure: self-test ceiling, latency bias, stalls of both loops', () => {
  const view = runView({ dir: '/tmp/r', runId: 'r1', records: records('r1', { marked: false }), partial: false, errors: [] });
  const md = renderMarkdown(view);
  expect(md).toContain('**Tester**: wsp-gen/1 (DPDK 22.11.11) self-test (loopback, no DUT): 64 B 11.800 Mpps, latency bias 210 ns.');
  // 4.1 and 30 ms in the generator's loop (the 12 and 15 µs gaps are not stalls), 5 ms in the DUT's.
  expect(md).toMatch(/\*\*Host\*\*: generator loop: stalls 4\.\d–30 ms \(median–max\), 2 ≥ 1\.0 ms \(1\.9 per minute\), \d\.\d % of 63 s watched; DUT loop: stalls 5\.\d–5\.\d ms/);
  expect(md.indexOf('**Tester**')).toBeLessThan(md.indexOf('| scenario |'));
  const html = renderHtmlReport(view);
  expect(html.indexOf('<h2>Tester and host</h2>')).toBeLessThan(html.indexOf('<h2>Summary</h2>'));
  expect(html).toContain('11.800 Mpps');
  expect(html).toContain('generator loop stalls');
});

test('a bound at the max load is "≥ X (max load, tester-limited)", an MRR the generator could not offer says so; compare leaves both out', () => {
  const marked = runView({ dir: '/tmp/b', runId: 'b', records: records('b', { marked: true }), partial: false, errors: [] });
  const md = renderMarkdown(marked);
  expect(md).toContain('≥ 11.800 Mpps (max load, tester-limited)');
  expect(md).toContain('4.690 Mpps (generator-limited at 4.690 Mpps)');
  expect(renderJunit(marked)).toContain('NDR ≥ 11.800 Mpps (max load, tester-limited)');
  const html = renderHtmlReport(marked);
  expect(html).toContain('≥ 11.800 Mpps (max load, tester-limited)');
  expect(html).toContain('max load 11.8 Mpps (generator self-test ceiling, 64 B) passed');
  // Against a run with a measured NDR, the marked one is no sample: no NDR or MRR comparison, PDR still compared.
  const measured = runView({ dir: '/tmp/a', runId: 'a', records: records('a', { marked: false }), partial: false, errors: [] });
  const c = compareRuns(measured, marked);
  const figures = c.scenarios.flatMap((s) => s.figures.map((f) => f.figure));
  expect(figures).not.toContain('ndr');
  expect(figures).not.toContain('mrr');
  expect(figures).toContain('pdr');
});

test('an irregular bound names its mark in the cell and gives its reason once: numbered under the summary table, under the figure in HTML', () => {
  const reason = 'trial budget spent (maxTrials 40) before the goal was decided: bounds are further apart than the goal width';
  const rs = records('i', { marked: false }).map((r) =>
    r.kind === 'result' && r.status === 'passed' ? { ...r, pdr: { goal: 'PDR', lowerBoundPps: 99_900, upperBoundPps: 140_000, mark: { kind: 'irregular' as const, reason } } } : r,
  );
  const view = runView({ dir: '/tmp/i', runId: 'i', records: rs, partial: false, errors: [] });
  const md = renderMarkdown(view);
  const row = md.split('\n').find((l) => l.startsWith('| `1n-local-2p-memif'))!;
  expect(row).toContain('| 99.9 kpps (irregular) [1] |');
  expect(row).not.toContain(reason);
  expect(md).toContain(`1. \`${view.results[0]!.scenarioId}\` PDR irregular: ${reason}`);
  // JUnit and the progress line keep the whole text on their one line.
  expect(renderJunit(view)).toContain(`PDR 99.9 kpps (irregular: ${reason})`);
  const html = renderHtmlReport(view);
  expect(html.split(reason).length - 1).toBe(1);
  expect(html).toContain('99.9 kpps (irregular)');
});
