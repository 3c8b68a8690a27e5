/**
 * The certificate opened in Debian's Chromium and its PDF read back with pdftotext (poppler-utils): the
 * criteria table, the environment block and the virtual-NIC marking are in both, failing criteria first.
 */
import { expect, test } from '@playwright/test';
import type { Browser } from '@playwright/test';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { launchChromium, openOffline } from '../../fixtures/chromium.ts';
import { resultRecord, runEnd, sampleHistogram, sampleRun } from '../../fixtures/records/sample.ts';
import { SCHEMA_VERSION } from '../../reports/schema/record.ts';
import type { RunRecord } from '../../reports/schema/record.ts';
import { openRunStore } from '../../reports/store/jsonl.ts';
import { makePlan, type LabForPlan } from '../plan.ts';
import { loadProfile } from '../profile/load.ts';
import { writeCertificate, type WrittenCertificate } from './write.ts';

const run = promisify(execFile);

const LOCAL: LabForPlan = {
  name: 'local',
  kind: 'local',
  datapaths: ['vhost-user', 'memif', 'veth'],
  nic: { name: 'vnic', model: 'virtual', pciAddresses: [] },
  dutCpus: 1,
  nodes: [{ name: 'local', roles: ['tg', 'dut'], tgCpus: [1], dutCpus: [0], isolatedCpus: [], numaNode: 0 }],
};
const E810: LabForPlan = {
  name: 'lab-e810',
  kind: 'baremetal',
  datapaths: ['sriov'],
  nic: { name: 'nic0', model: 'e810-c', pciAddresses: ['0000:3b:00.0', '0000:3b:00.1'] },
  dutCpus: 4,
  nodes: [{ name: 'local', roles: ['tg', 'dut'], tgCpus: [2, 3], dutCpus: [4, 5, 6, 7], isolatedCpus: [2, 3, 4, 5, 6, 7], numaNode: 1 }],
};

let root: string;
let browser: Browser;
let local: WrittenCertificate;
let hardware: WrittenCertificate;

async function certificate(runId: string, lab: LabForPlan, records: readonly RunRecord[], quick: boolean): Promise<WrittenCertificate> {
  const store = await openRunStore(runId, { resultsDir: root });
  for (const r of records) await store.append(r);
  await store.close();
  const profile = await loadProfile('nic-performance');
  return writeCertificate(join(root, runId), {
    plan: makePlan(profile.profile, lab, { quick }),
    inventoryText: `name: ${lab.name}\n`,
    profileText: profile.text,
    harnessVersion: '0.1.0',
    now: () => new Date('2026-11-22T03:00:00Z'),
  });
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  root = await mkdtemp(join(tmpdir(), 'wsp-cert-'));
  browser = await launchChromium();
  local = await certificate('cert-local', LOCAL, sampleRun({ runId: 'cert-local', startMs: Date.parse('2026-11-22T01:00:00Z'), seed: 5, ndr64Pps: { 'vhost-user': 3_600_000 }, frames: [64, 1518] }), true);
  // An E810 at 100 GbE that stays well below line rate at 1518 B: the line-rate criteria fail.
  const hw: RunRecord[] = sampleRun({ runId: 'cert-hw', startMs: Date.parse('2026-11-22T02:00:00Z'), seed: 6, nic: 'e810-c', lineRateBps: 100e9, ndr64Pps: { sriov: 14_200_000 }, frames: [64, 128, 256, 512, 1024, 1280, 1518] }).filter((r) => r.kind !== 'run-end');
  const imix = resultRecord({ runId: 'cert-hw', at: '2026-11-22T02:30:00.000Z', datapath: 'sriov', frameBytes: 64, ndrPps: 9e6, seed: 7, nic: 'e810-c', lineRateBps: 100e9 });
  hw.push({ ...imix, scenarioId: imix.scenarioId.replace('-64b-', '-imix-'), profile: { kind: 'imix', name: 'imix-7-4-1', mix: [{ frameBytes: 64, weight: 7 }, { frameBytes: 570, weight: 4 }, { frameBytes: 1518, weight: 1 }] } });
  // The multi-core cells at 64 B (ids as suites/test.ts names them): 1.9 and 3.1 times the one-core NDR.
  for (const [cores, factor] of [[2, 1.9], [4, 3.1]] as const) {
    const r = resultRecord({ runId: 'cert-hw', at: '2026-11-22T02:20:00.000Z', datapath: 'sriov', frameBytes: 64, ndrPps: 14_200_000 * factor, seed: 8 + cores, nic: 'e810-c', lineRateBps: 100e9 });
    hw.push({ ...r, scenarioId: r.scenarioId.replace(/-64b-ndrpdr$/, `-64b-${cores}t${cores}c-ndrpdr`) });
  }
  // The tester characterised in the run (records v3): pktgen's own ceiling and its loopback latency.
  hw.push({
    schemaVersion: SCHEMA_VERSION,
    kind: 'generator-selftest',
    runId: 'cert-hw',
    at: '2026-11-22T02:00:30.000Z',
    generator: 'pktgen',
    profile: { kind: 'fixed', frameBytes: 64 },
    ceilingPps: 148_800_000,
    bias: { loadPps: 100_000, p50Ns: 2_400, p99Ns: 3_900, maxNs: 9_000, biasNs: 2_400, histogram: sampleHistogram(2_400, 1000, 8) },
  });
  hw.push(runEnd('cert-hw', '2026-11-22T02:31:00.000Z'));
  // The host facts cli/run/environment.ts records on hardware: measured isolated CPUs that differ from the
  // inventory's, and a NIC on another NUMA node than the declared CPUs, are both marked.
  const at = hw.findIndex((r) => r.kind === 'run-start');
  const start = hw[at];
  if (start?.kind !== 'run-start') throw new Error('sampleRun wrote no run-start');
  hw[at] = {
    ...start,
    environment: {
      ...start.environment,
      labKind: 'baremetal',
      nodes: start.environment.nodes.map((n) => ({
        ...n,
        kernelCmdline: 'BOOT_IMAGE=/vmlinuz isolcpus=2-7 nohz_full=2-7 intel_iommu=on iommu=pt default_hugepagesz=1G',
        isolatedCpus: [2, 3, 4, 5, 6],
        governors: { performance: '0-7' },
        nics: [{ name: 'nic0', model: 'e810-c', pciId: '8086:1592', driver: 'ice', firmware: '4.40 0x8001c967 1.3534.0', numaNode: 0, lineRateBps: 100e9 }],
      })),
    },
  };
  hardware = await certificate('cert-hw', E810, hw, false);
});
test.afterAll(async () => {
  await browser?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

/** Open a certificate as a reader would, the network refused. */
const open = (file: string) => openOffline(browser, file, { width: 1200, height: 900 });

/** The PDF's text, whitespace folded (table cells wrap at different places than in HTML). */
async function pdfText(file: string): Promise<string> {
  // -raw keeps the order the text was drawn in: table rows stay rows.
  const { stdout } = await run('pdftotext', ['-raw', '-enc', 'UTF-8', file, '-'], { maxBuffer: 16 * 1024 * 1024 });
  return stdout.replace(/\s+/g, ' ');
}

test('the certificate of the local lab says "virtual NIC" and shows criteria and environment in Chromium, with no script and no network', async ({}, testInfo) => {
  const { page, problems, network } = await open(local.html);
  try {
    await expect(page).toHaveTitle(/^NIC performance with DPDK l3fwd — virtual NIC \(lab local/);
    await expect(page.locator('header.top h1')).toContainText('virtual NIC');
    await expect(page.locator('.banner.warn').first()).toContainText('Virtual NIC. Lab local has no physical NIC');
    await expect(page.locator('section.verdict')).toContainText('PASSED');
    const criteria = page.locator('table.criteria tr.criterion');
    await expect(criteria).toHaveCount(local.evaluation.criteria.length);
    const found = page.locator('tr.criterion[data-criterion="throughput-found"]');
    await expect(found).toContainText('NDR and PDR found at every frame size');
    await expect(found.locator('.chip')).toHaveText('pass');
    // Each measured cell in all three units; line rate says it has none.
    await expect(page.locator('table.criteria tr.cell').filter({ hasText: 'vhost-user · 64 B · 1 core' }).first()).toContainText(/NDR \d+\.\d{3} Mpps · \d+\.\d{2} Gbit\/s · no line rate \(virtual\)/);
    await expect(page.locator('tr.criterion[data-criterion="latency-p99-90pct"] .chip')).toHaveText('not applicable');
    await expect(page.locator('table.criteria')).toContainText('virtual NIC: software ports on a shared host are descheduled');
    const nic = page.locator('dl.env.nic');
    await expect(nic).toContainText('virtual (software ports of lab local)');
    const node = page.locator('dl.env.node').first();
    await expect(node).toContainText('6.1.0-27-cloud-amd64');
    await expect(node).toContainText('Intel(R) Xeon(R) Platinum 8375C');
    await expect(node).toContainText('DPDK22.11.6');
    await expect(node).toContainText('kernel command line');
    await expect(page.locator('dl.env.integrity')).toContainText(local.manifest.files.find((f) => f.path === 'records.jsonl')!.sha256);
    await expect(page.locator('dl.env.integrity')).toContainText('unsigned');
    await testInfo.attach('certificate-local.png', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
    expect(problems).toEqual([]);
    expect(network).toEqual([]);
    expect(await readFile(local.html, 'utf8')).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  } finally {
    await page.close();
  }
});

test('the PDF printed by Chromium carries the criteria table, the environment block and the virtual-NIC marking', async () => {
  const text = await pdfText(local.pdf);
  expect(text).toContain('NIC performance with DPDK l3fwd — virtual NIC (lab local');
  expect(text).toContain('Virtual NIC. Lab local has no physical NIC');
  expect(text).toContain('PASSED');
  expect(text).toContain('Criteria');
  for (const c of local.evaluation.criteria) expect(text).toContain(c.criterion.title);
  expect(text).toMatch(/vhost-user · 64 B · 1 core NDR \d+\.\d{3} Mpps · \d+\.\d{2} Gbit\/s · no line rate \(virtual\)/);
  expect(text).toContain('Environment');
  expect(text).toContain('virtual (software ports of lab local)');
  expect(text).toContain('6.1.0-27-cloud-amd64');
  expect(text).toContain('kernel command line');
  expect(text).toContain(local.manifest.files.find((f) => f.path === 'records.jsonl')!.sha256);
});

test('a hardware certificate names the NIC, shows % of line rate and lists the failing criteria first, in HTML and PDF', async () => {
  const failing = hardware.evaluation.criteria.filter((c) => c.verdict === 'fail').map((c) => c.criterion.title);
  expect(failing).toEqual(expect.arrayContaining(['NDR at least 95 % of line rate at 1518 B', 'NDR at 64 B with 4 DUT cores at least 3.4 times that with 1 core']));
  const { page, problems } = await open(hardware.html);
  try {
    await expect(page).toHaveTitle('NIC performance with DPDK l3fwd — Intel Ethernet Controller E810-C for QSFP (8086:1592)');
    await expect(page.locator('header.top h1')).not.toContainText('virtual');
    await expect(page.locator('section.verdict')).toContainText('FAILED');
    await expect(page.locator('section.verdict')).toContainText(`Failed: ${failing.join('; ')}.`);
    const chips = await page.locator('table.criteria tr.criterion td:last-child .chip').allTextContents();
    expect(chips.slice(0, failing.length)).toEqual(failing.map(() => 'FAIL'));
    await expect(page.locator('table.results')).toContainText('%');
    // Each DUT core count is a row of its own, and the speedup is shown where both cells were measured.
    await expect(page.locator('table.results')).toContainText('2 (2t2c)');
    await expect(page.locator('table.results')).toContainText('4 (4t4c)');
    await expect(page.locator('tr[data-criterion="speedup-2-cores"] + tr.cell')).toContainText(/sriov · 64 B · 2 cores1\.\d\d × \(2\d\.\d{3} against 14\.\d{3} Mpps\)/);
    await expect(page.locator('dl.env.nic')).toContainText('0000:3b:00.0, 0000:3b:00.1');
    const node = page.locator('dl.env.node').first();
    await expect(node).toContainText('node 1: generator CPUs 2, 3, DUT CPUs 4, 5, 6, 7');
    await expect(node).toContainText('isolcpus=2-7 nohz_full=2-7 intel_iommu=on');
    await expect(node).toContainText('performance (CPUs 0-7)');
    await expect(node.locator('.mismatch')).toHaveText(['(the inventory declares 2, 3, 4, 5, 6, 7)', '(NIC nic0 is on another NUMA node than the declared CPUs: traffic crosses the interconnect)']);
    const tester = page.locator('table.tester');
    await expect(tester).toContainText('pktgen');
    await expect(tester).toContainText('148.800 Mpps');
    await expect(tester).toContainText('2.4 µs (p99 3.9 µs at 0.100 Mpps)');
    const nic = page.locator('dl.env.nic');
    await expect(nic).toContainText('ice');
    await expect(nic).toContainText('4.40 0x8001c967 1.3534.0');
    expect(problems).toEqual([]);
  } finally {
    await page.close();
  }
  const text = await pdfText(hardware.pdf);
  expect(text).toContain('FAILED');
  expect(text).not.toContain('virtual NIC');
  const firstPassing = hardware.evaluation.criteria.find((c) => c.verdict === 'pass')!.criterion.title;
  for (const f of failing) expect(text.indexOf(f, text.indexOf('Criteria'))).toBeLessThan(text.indexOf(firstPassing, text.indexOf('Criteria')));
  expect(text).toMatch(/of line rate/);
  expect(text).toMatch(/sriov · 64 B · 2 cores\s+1\.\d\d × \(2\d\.\d{3} against 14\.\d{3} Mpps\)/);
  for (const fact of ['isolcpus=2-7', 'performance (CPUs 0-7)', '4.40 0x8001c967 1.3534.0', 'the inventory declares 2, 3, 4, 5, 6, 7']) expect(text).toContain(fact);
});
