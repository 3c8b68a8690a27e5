/** The HTML report opened in Debian's headless Chromium: charts present, no console errors, no network. */
import { expect, test } from '@playwright/test';
import type { Browser } from '@playwright/test';
import { launchChromium, openOffline } from '../../fixtures/chromium.ts';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleRun } from '../../fixtures/records/sample.ts';
import type { RunRecord } from '../schema/record.ts';
import { openRunStore } from '../store/jsonl.ts';
import { writeReports } from './write.ts';

let root: string;
let browser: Browser;
test.beforeAll(async () => {
  browser = await launchChromium();
});
test.afterAll(async () => {
  await browser?.close();
});
test.beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'wsp-h5-html-'));
});
test.afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function record(runId: string, records: readonly RunRecord[]): Promise<string> {
  const store = await openRunStore(runId, { resultsDir: root });
  for (const r of records) await store.append(r);
  await store.close();
  return join(root, runId);
}

/** Open a report as a reader would, the network refused. */
const open = (file: string) => openOffline(browser, file, { width: 1280, height: 900 });

test('the report of a complete local run shows every chart, no console errors and needs no network', async ({}, testInfo) => {
  const records = sampleRun({ runId: 'html-local', startMs: Date.parse('2026-11-22T01:00:00Z'), seed: 21, withFailover: true });
  const dir = await record('html-local', records);
  const written = await writeReports(dir);
  const { page, problems, network } = await open(written.html);
  try {
    await expect(page).toHaveTitle('wirespeed report · html-local');
    // Throughput (Mpps and Gbit/s), bounds, 9 latency charts, 3 failover timelines.
    await expect(page.locator('svg.chart')).toHaveCount(2 + 1 + 9 + 3);
    const mpps = page.locator('svg.chart[aria-label="Throughput (Mpps)"]');
    for (const dp of ['memif', 'vhost-user', 'veth']) {
      await expect(mpps.locator(`path[data-series="${dp} NDR"]`)).toHaveCount(1);
      await expect(mpps.locator(`path[data-series="${dp} PDR"]`)).toHaveCount(1);
    }
    // Three frame sizes per series, each a point with a tooltip in Mpps.
    await expect(mpps.locator('circle.c-pt')).toHaveCount(3 * 3 * 2);
    await expect(mpps.locator('circle.c-pt title').first()).toContainText('Mpps');
    await expect(page.getByText('Virtual ports (memif, vhost-user, veth) have no line rate')).toBeVisible();
    await expect(page.locator('table.summary tbody tr')).toHaveCount(9);
    await expect(page.locator('table.summary')).toContainText('none (virtual)');
    // The failover figure is in the summary as in summary.md, not only under its chart.
    await expect(page.locator('table.summary')).toContainText(/dut-restart: \d+\.\d{3} s blocked/);
    // Latency curves: four loads each, on the HDR percentile axis.
    const lat = page.locator('svg.chart[aria-label^="Latency percentiles: 1n-local-2p-memif-l3fwd-64b"]');
    await expect(lat.locator('path.c-line')).toHaveCount(4);
    await expect(lat.getByText('99.9%', { exact: true })).toHaveCount(1);
    await expect(page.locator('svg.chart[aria-label^="Failover: dut-restart"]').first()).toContainText('recovery');
    // Every trial is in the per-trial tables.
    await page.locator('details summary').first().click();
    const trialCount = records.filter((r) => r.kind === 'trial').length;
    await expect(page.locator('details tbody tr')).toHaveCount(trialCount);
    await expect(page.locator('dl.env').first()).toContainText('html-local');
    await expect(page.getByText('Intel(R) Xeon(R) Platinum 8375C')).toBeVisible();
    await testInfo.attach('report.png', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
    expect(problems).toEqual([]);
    expect(network).toEqual([]);
    const html = await readFile(written.html, 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  } finally {
    await page.close();
  }
});

test('a hardware run draws the NIC line rate; a partial run says so and lists the unfinished scenario', async ({}, testInfo) => {
  const records = sampleRun({
    runId: 'html-hw',
    startMs: Date.parse('2026-11-22T02:00:00Z'),
    seed: 4,
    nic: 'x710',
    lineRateBps: 10e9,
    ndr64Pps: { sriov: 14_200_000 },
    frames: [64, 128, 256, 512, 1024, 1518],
    partial: true,
  });
  // Killed during a scenario: trials recorded, no result, no run-end.
  const cut = records.findLastIndex((r) => r.kind === 'result');
  const dir = await record('html-hw', records.slice(0, cut));
  const written = await writeReports(dir);
  const { page, problems } = await open(written.html);
  try {
    await expect(page.locator('.banner.warn')).toContainText('Partial run');
    await expect(page.locator('.banner.warn')).toContainText('1n-x710-2p-sriov-l3fwd-1518b-ndrpdr');
    await expect(page.locator('svg.chart[aria-label="Throughput (Gbit/s, L1)"]')).toContainText('line rate 20.00 Gbit/s');
    await expect(page.locator('svg.chart[aria-label="Throughput (Mpps)"] path[data-series^="line rate"]')).toHaveCount(1);
    await expect(page.locator('table.summary')).toContainText('unfinished');
    await expect(page.locator('table.summary')).not.toContainText('none (virtual)');
    await testInfo.attach('report-partial.png', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
    expect(problems).toEqual([]);
    expect(written.view.partial).toBe(true);
  } finally {
    await page.close();
  }
});
