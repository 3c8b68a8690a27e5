/** `wirespeed compare` on the recorded pair fixtures/records/compare/{baseline,candidate}. */
import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runView, viewOf } from '../model/run-view.ts';
import { readRun } from '../store/jsonl.ts';
import { compareRuns, type RunComparison } from './compare.ts';
import { formatComparison } from './format.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const A = join(REPO, 'fixtures/records/compare/baseline');
const B = join(REPO, 'fixtures/records/compare/candidate');

function wirespeed(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO, 'cli/wirespeed.js'), ...args], { cwd: REPO, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 70) : 0, stdout, stderr });
    });
  });
}

test('verdicts per scenario: vhost-user better (+8 %), veth worse (-6 %), memif same, with CIs that hold the change', async () => {
  const c: RunComparison = compareRuns(runView(await readRun(A)), runView(await readRun(B)));
  const verdict = Object.fromEntries(c.scenarios.map((s) => [s.scenarioId, s.verdict]));
  expect(verdict).toEqual({
    '1n-local-2p-memif-l3fwd-64b-ndrpdr': 'same',
    '1n-local-2p-memif-l3fwd-1518b-ndrpdr': 'same',
    '1n-local-2p-vhost-user-l3fwd-64b-ndrpdr': 'better',
    '1n-local-2p-vhost-user-l3fwd-1518b-ndrpdr': 'better',
    '1n-local-2p-veth-l3fwd-64b-ndrpdr': 'worse',
    '1n-local-2p-veth-l3fwd-1518b-ndrpdr': 'worse',
  });
  for (const s of c.scenarios) {
    const ndr = s.figures.find((f) => f.figure === 'ndr')!;
    expect(ndr.method).toBe('welch');
    expect(ndr.a.n).toBe(5);
    expect(ndr.ciLow).toBeLessThanOrEqual(ndr.deltaRel);
    expect(ndr.ciHigh).toBeGreaterThanOrEqual(ndr.deltaRel);
    // A "same" verdict has a CI that straddles zero; better/worse ones do not.
    expect(ndr.ciLow < 0 && ndr.ciHigh > 0).toBe(s.verdict === 'same');
  }
  const vhost = c.scenarios.find((s) => s.scenarioId === '1n-local-2p-vhost-user-l3fwd-64b-ndrpdr')!.figures[0]!;
  expect(vhost.ciLow).toBeLessThan(0.08);
  expect(vhost.ciHigh).toBeGreaterThan(0.06);
  expect(c.counts).toEqual({ better: 2, worse: 2, same: 2 });
});

test('the command prints a table with delta, CI, p-value and each side\'s repeats and CV; --fail-on-worse exits 1', async () => {
  const r = await wirespeed(['compare', A, B]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/1n-local-2p-veth-l3fwd-64b-ndrpdr\s+NDR\s+0\.\d{3} Mpps \(n=5, CV \d+\.\d %\)\s+0\.\d{3} Mpps \(n=5, CV \d+\.\d %\)\s+-6\.\d %\s+-\d\.\d % … -\d\.\d %\s+<0\.001\s+WORSE/);
  expect(r.stdout).toContain('6 scenarios: 2 better, 2 worse, 2 same');
  expect((await wirespeed(['compare', A, B, '--fail-on-worse'])).code).toBe(1);
});

test('a run against itself is the same everywhere; scenarios in one run only are listed', async () => {
  const a = runView(await readRun(A));
  const b = runView(await readRun(B));
  const same = compareRuns(a, a);
  expect(same.scenarios.every((s) => s.verdict === 'same')).toBe(true);
  const fewer = { ...b, resultsByScenario: new Map([...b.resultsByScenario].filter(([id]) => !id.includes('veth'))) };
  const c = compareRuns(a, fewer);
  expect(c.onlyInA).toEqual(['1n-local-2p-veth-l3fwd-64b-ndrpdr', '1n-local-2p-veth-l3fwd-1518b-ndrpdr']);
  expect(c.scenarios).toHaveLength(4);
});

test('a scenario measured with different generators in A and B is not compared, and the output says why', async () => {
  const read = await readRun(A);
  const withGenerator = (kind: string) => viewOf(read.records.map((r) => (r.kind === 'result' ? { ...r, generator: { kind, version: '1' } } : r)), read);
  const c = compareRuns(withGenerator('wsp-gen'), withGenerator('pktgen'));
  expect(c.scenarios).toEqual([]);
  expect(c.differentGenerators.map((d) => [d.scenarioId, d.a, d.b])).toContainEqual(['1n-local-2p-memif-l3fwd-64b-ndrpdr', 'wsp-gen', 'pktgen']);
  expect(formatComparison(c)).toContain('not compared, measured with different generators: 1n-local-2p-memif-l3fwd-64b-ndrpdr (A wsp-gen, B pktgen)');
  // The same generator on both sides compares as before.
  expect(compareRuns(withGenerator('pktgen'), withGenerator('pktgen')).scenarios.length).toBe(6);
});
