import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './playwright.ts';
import type { RunComparison } from '../../reports/compare/compare.ts';
import type { ResultRecord } from '../../reports/schema/record.ts';
import { readRun } from '../../reports/store/jsonl.ts';

const SCENARIO = '1n-local-2p-memif-l3fwd-64b-ndrpdr';

/** Run the CLI from the repo root; its exit code and everything it printed. */
async function wirespeed(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; stdout: string }> {
  const child = spawn(process.execPath, ['cli/wirespeed.js', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => ((out += d.toString()), (stdout += d.toString())));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { code, out, stdout };
}

// Two real short runs with --repeat 3, compared: the CI and Welch's test come from the repeats of real
// searches and MRR trials (not from one figure per run), and each side's repeatability is printed.
test('two real `wirespeed run --repeat 3` runs compared: Welch and the CI over the repeats, the CV of each side printed', async () => {
  test.setTimeout(240_000);
  const base = await mkdtemp(join(REPO_ROOT, 'test-results', 'cmp-'));
  try {
    const runs: string[] = [];
    for (const name of ['a', 'b']) {
      const outDir = join(base, name);
      // One datapath, one frame size, the shortest trials: rates are not asserted (2 shared cores).
      const r = await wirespeed(['run', '--lab', 'lab/local.yaml', '--quick', '--suite', 'throughput', '--datapath', 'memif', '--frame-size', '64', '--repeat', '3', '--out', outDir], { WIRESPEED_TRIAL_S: '0.2' });
      await test.info().attach(`run-${name}.txt`, { body: r.out, contentType: 'text/plain' });
      expect(r.code, r.out).toBe(0);
      runs.push(outDir);
    }
    // Each run recorded its three repeats: three MRR trials and three searches' bounds.
    const results: ResultRecord[] = [];
    for (const dir of runs) {
      const rs = (await readRun(dir)).records.filter((r): r is ResultRecord => r.kind === 'result' && r.scenarioId === SCENARIO);
      expect(rs, dir).toHaveLength(1);
      expect(rs[0]!.mrr!.receivedPps, dir).toHaveLength(3);
      expect(rs[0]!.ndr!.repeatsPps, dir).toHaveLength(3);
      expect(rs[0]!.pdr!.repeatsPps, dir).toHaveLength(3);
      results.push(rs[0]!);
    }
    // Which figures are the DUT's in both runs is the host's doing: a search that spent its trial budget in
    // a stall is irregular, an MRR the generator could not offer is generator-limited, and compare must leave
    // exactly those out. The records say which; compare must take every other one, by Welch over the repeats.
    const measured = (r: ResultRecord, f: 'ndr' | 'pdr' | 'mrr'): boolean => (f === 'mrr' ? r.mrr?.boundedBy !== 'generator' : r[f]?.mark === undefined);
    const comparable = (['ndr', 'pdr', 'mrr'] as const).filter((f) => results.every((r) => measured(r, f)));
    const json = await wirespeed(['compare', runs[0]!, runs[1]!, '--json']);
    expect(json.code, json.out).toBe(0);
    const c = JSON.parse(json.stdout) as RunComparison;
    await test.info().attach('compare.json', { body: json.stdout, contentType: 'application/json' });
    const s = c.scenarios.find((x) => x.scenarioId === SCENARIO);
    const throughput = (s?.figures ?? []).filter((x) => x.figure !== 'latency-p99');
    expect(throughput.map((f) => f.figure), json.stdout).toEqual(comparable);
    for (const f of throughput) {
      expect([f.a.n, f.b.n], `${f.figure}: repeats of A and B`).toEqual([3, 3]);
      expect(f.method, f.figure).toBe('welch');
      expect(f.pValue, f.figure).toBeGreaterThanOrEqual(0);
      expect(f.pValue!, f.figure).toBeLessThanOrEqual(1);
      expect(f.ciLow, f.figure).toBeLessThanOrEqual(f.deltaRel);
      expect(f.ciHigh, f.figure).toBeGreaterThanOrEqual(f.deltaRel);
      expect(f.a.cv, f.figure).toBeGreaterThanOrEqual(0);
      expect(f.b.cv, f.figure).toBeGreaterThanOrEqual(0);
    }
    if (throughput.length === 0) {
      // Every figure was marked in one run or the other (a stalled host): nothing of the DUT's to compare.
      test.info().annotations.push({ type: 'host', description: `every throughput figure was marked in a run: ${results.map((r) => `${r.ndr?.mark?.kind ?? 'ndr ok'}/${r.pdr?.mark?.kind ?? 'pdr ok'}/${r.mrr?.boundedBy ?? 'mrr ok'}`).join(' vs ')}` });
      return;
    }
    // The terminal table: the repeats and their CV on each side, the CI from Welch's test.
    const text = await wirespeed(['compare', runs[0]!, runs[1]!]);
    await test.info().attach('compare.txt', { body: text.out, contentType: 'text/plain' });
    expect(text.code, text.out).toBe(0);
    const fig = throughput[0]!.figure.toUpperCase();
    expect(text.stdout).toMatch(new RegExp(`${fig}\\s+[\\d.]+ Mpps \\(n=3, CV [\\d.]+ %\\)\\s+[\\d.]+ Mpps \\(n=3, CV [\\d.]+ %\\)\\s+[+-]?[\\d.]+ %\\s+[+-]?[\\d.]+ % … [+-]?[\\d.]+ %`));
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});
