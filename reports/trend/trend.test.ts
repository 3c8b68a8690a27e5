/** `wirespeed trend` over recorded histories (fixtures/records/history), run as the real command. */
import { expect, test } from '@playwright/test';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nightlyRun, nightlyRunId } from '../../fixtures/records/make-fixtures.ts';
import { readHistory, trendOf, type HistoryTrend } from './trend.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const HISTORY = join(REPO, 'fixtures/records/history');

function wirespeed(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO, 'cli/wirespeed.js'), ...args], { cwd: REPO, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 70) : 0, stdout, stderr });
    });
  });
}

let root: string;
test.beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wsp-h5-trend-'));
});
test.afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

test('a stable recorded history: every series normal, exit 0', async () => {
  const r = await wirespeed(['trend', HISTORY]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('trend over 8 runs');
  expect(r.stdout).toContain('no regression');
  const h = trendOf(await readHistory(HISTORY));
  expect(h.trends).toHaveLength(4 * 3);
  expect(h.trends.every((t) => t.label === 'normal' && t.points.length === 8)).toBe(true);
});

test('an injected regression (memif -15 % in the last two nights) is flagged and exits 1; the JSON names it', async () => {
  const history = join(root, 'history');
  await cp(HISTORY, history, { recursive: true });
  for (const night of [8, 9]) {
    const dir = join(history, nightlyRunId(night));
    await mkdir(dir);
    await writeFile(join(dir, 'records.jsonl'), nightlyRun(night, { memif: 0.85 }).map((x) => JSON.stringify(x)).join('\n') + '\n');
  }
  const text = await wirespeed(['trend', history]);
  expect(text.code).toBe(1);
  expect(text.stdout).toMatch(/REGRESSION in \d+ series: .*1n-local-2p-memif-l3fwd-64b-ndrpdr NDR -1\d\.\d %/);

  const json = await wirespeed(['trend', history, '--json', '--figure', 'ndr']);
  expect(json.code).toBe(1);
  const h = JSON.parse(json.stdout) as HistoryTrend;
  const flagged = h.regressions.map((t) => t.scenarioId).sort();
  expect(flagged).toEqual(['1n-local-2p-memif-l3fwd-1518b-ndrpdr', '1n-local-2p-memif-l3fwd-64b-ndrpdr']);
  const memif64 = h.trends.find((t) => t.scenarioId === '1n-local-2p-memif-l3fwd-64b-ndrpdr')!;
  expect(memif64.groups.map((g) => [g.start, g.end])).toEqual([[0, 8], [8, 10]]);
  expect(memif64.changeRel).toBeGreaterThan(-0.17);
  expect(memif64.changeRel).toBeLessThan(-0.13);
  // vhost-user did not change: not flagged.
  expect(h.trends.filter((t) => t.scenarioId.includes('vhost-user')).every((t) => t.label === 'normal')).toBe(true);
});

test('a folder without runs is a usage error (exit 2) that says what a history is', async () => {
  const r = await wirespeed(['trend', root]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`no runs under ${root}`);
  expect(r.stderr).toContain('each run is a sub-folder holding records.jsonl');
});

test('a change of generator starts a new series: the slower tester of the last nights is no regression of memif', async () => {
  const history = join(root, 'history');
  await cp(HISTORY, history, { recursive: true });
  for (const night of [8, 9]) {
    const dir = join(history, nightlyRunId(night));
    await mkdir(dir);
    // Nights 8 and 9 ran memif through pktgen, which delivered 15 % less here.
    const records = nightlyRun(night, { memif: 0.85 }).map((r) => (r.kind === 'result' ? { ...r, generator: { kind: 'pktgen', version: '23.06.1' } } : r));
    await writeFile(join(dir, 'records.jsonl'), records.map((x) => JSON.stringify(x)).join('\n') + '\n');
  }
  const h = trendOf(await readHistory(history), ['ndr']);
  expect(h.regressions).toEqual([]);
  const memif64 = h.trends.filter((t) => t.scenarioId === '1n-local-2p-memif-l3fwd-64b-ndrpdr');
  expect(memif64.map((t) => [t.generator, t.points.length])).toEqual([
    [undefined, 8],
    ['pktgen', 2],
  ]);
  const text = await wirespeed(['trend', history]);
  expect(text.stdout).toContain('1n-local-2p-memif-l3fwd-64b-ndrpdr [pktgen]');
});
