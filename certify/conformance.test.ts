/**
 * sriov-conformance end to end against fake hosts (fixtures/host: the kernel's sysfs rules and the tools'
 * formats): the plan on a bare-metal lab, the same checks and records as the suite, the certificate judged
 * from them. The criteria are exercised (pass, fail), not all marked not applicable.
 */
import { test, expect } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSriovChecks } from '../drivers/host/conformance/sriov-checks.ts';
import { nicModel } from '../lab/nic-catalogue.ts';
import { FakeHost, type FakePf } from '../fixtures/host/fake-host.ts';
import { resultRecord, runEnd, runStart } from '../fixtures/records/sample.ts';
import { analyzeFailoverTrial } from '../drivers/loadgen/failover-run.ts';
import { readTranscript } from '../drivers/loadgen/pktgen/transcript.ts';
import { PDR_GOAL } from '../method/search-goal.ts';
import { failoverRecord } from '../suites/fixtures/failover-record.ts';
import type { RunRecord } from '../reports/schema/record.ts';
import { openRunStore } from '../reports/store/jsonl.ts';
import { recordConformance } from '../suites/fixtures/conformance.ts';
import { ENV } from '../contract/env.ts';
import { writeCertificate } from './certificate/write.ts';
import { makePlan, type LabForPlan } from './plan.ts';
import { loadProfile } from './profile/load.ts';

let root: string;
test.beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wsp-conformance-'));
});
test.afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

const labOf = (model: string): LabForPlan => ({
  name: `lab-${model}`,
  kind: 'baremetal',
  datapaths: ['sriov', 'vdpa'],
  nic: { name: 'nic0', model, pciAddresses: ['0000:3b:00.0', '0000:3b:00.1'] },
  dutCpus: 4,
  nodes: [],
});
const pfsOf = (model: string): FakePf[] => [
  { pci: '0000:3b:00.0', ifname: 'ens1f0', model: nicModel(model), totalVfs: 16, numaNode: 0, iommuGroup: 40 },
  { pci: '0000:3b:00.1', ifname: 'ens1f1', model: nicModel(model), totalVfs: 16, numaNode: 0, iommuGroup: 41 },
];

/** What `wirespeed certify --profile sriov-conformance` does on a bare-metal lab, with a fake host as the DUT node. */
async function certifyOnFakeHost(runId: string, model: string, inject?: RegExp, more: readonly RunRecord[] = []) {
  const profile = await loadProfile('sriov-conformance');
  const plan = makePlan(profile.profile, labOf(model), { quick: false });
  const params = JSON.parse(plan.run!.env![ENV.sriovConformance]!) as { vfsPerPf: number; maxMtu: number; tests: string[] };
  const host = await FakeHost.create({ pfs: pfsOf(model) });
  const store = await openRunStore(runId, { resultsDir: root });
  try {
    const at = new Date().toISOString();
    await store.append({ ...runStart(runId, at, `lab-${model}`), invocation: 'wirespeed certify --profile sriov-conformance' });
    const before = await host.snapshot();
    if (inject) host.failNext(inject);
    const target = { store, nodes: 2, nicTag: model, nic: model };
    await runSriovChecks({ shell: host, paths: host.paths, pfs: pfsOf(model).map((p) => p.pci), model: nicModel(model) }, params, params.tests, async (o) => {
      await recordConformance(target, o, () => {});
    });
    expect(await host.snapshot(), 'the node is put back as it was').toBe(before);
    for (const r of more) await store.append(r);
    await store.append(runEnd(runId, new Date().toISOString()));
  } finally {
    await store.close();
    await host.dispose();
  }
  return { plan, params, certificate: await writeCertificate(join(root, runId), { plan, inventoryText: 'name: fake\n', profileText: profile.text, harnessVersion: '0.1.0' }) };
}

test('on a bare-metal X710 lab the VF checks run and pass; RDMA, vDPA and the device-plugin restart say why they do not apply; link-down failover is planned', async () => {
  test.setTimeout(120_000);
  const { plan, params, certificate } = await certifyOnFakeHost('conf-x710', 'x710');
  // The host checks first, then the failover suite's PF and VF link-down events on the sriov stack.
  expect(plan.run?.suites).toEqual(['sriov-conformance', 'failover']);
  expect(plan.failover).toEqual([
    { datapath: 'sriov', event: 'pf-link-down' },
    { datapath: 'sriov', event: 'vf-link-down' },
    { datapath: 'sriov', event: 'device-plugin-restart', notApplicable: "a device-plugin restart needs a Kubernetes lab (lab 'lab-x710' is baremetal)" },
  ]);
  expect(params).toEqual({ vfsPerPf: 8, maxMtu: 9000, tests: ['vf-create', 'vf-mac', 'vf-vlan', 'vf-trust', 'vf-spoofchk', 'vf-link-state', 'vf-mtu', 'vf-rdma', 'vdpa-devices'] });
  const e = certificate.evaluation;
  const verdict = Object.fromEntries(e.criteria.map((c) => [c.criterion.id, c.verdict]));
  expect(verdict).toEqual({
    'vf-create': 'pass', 'vf-mac': 'pass', 'vf-vlan': 'pass', 'vf-trust': 'pass', 'vf-spoofchk': 'pass', 'vf-link-state': 'pass', 'vf-mtu': 'pass',
    'vf-rdma': 'not-applicable', 'vdpa-devices': 'not-applicable', 'device-plugin-restart': 'not-applicable',
    // A fake host carries no traffic: the blocked time is the failover suite's on a lab with a NIC; here none was recorded.
    'pf-link-down': 'not-measured', 'vf-link-down': 'not-measured',
  });
  expect(e.verdict).toBe('incomplete');
  const reason = (id: string): string | undefined => e.criteria.find((c) => c.criterion.id === id)!.cells[0]!.reason;
  expect(reason('vf-create')).toBe('16 VFs with PCI id 8086:154c: 0000:3b:00.0 (ens1f0): 8 of 8 asked, sriov_totalvfs 16; 0000:3b:00.1 (ens1f1): 8 of 8 asked, sriov_totalvfs 16');
  expect(reason('vf-rdma')).toMatch(/has no RDMA-capable VFs/);
  expect(reason('device-plugin-restart')).toBe("a device-plugin restart needs a Kubernetes lab (lab 'lab-x710' is baremetal)");
  expect(reason('pf-link-down')).toBe('no failover result was recorded for this event');
  expect(certificate.view.results.map((r) => r.scenarioId)).toContain('2n-x710-2p-sriov-host-64b-conformance-vf-mtu');
});

test('a ConnectX-6 Dx passes RDMA and vDPA too; a VF setting the NIC refuses fails the certificate, named first', async () => {
  test.setTimeout(120_000);
  const cx = (await certifyOnFakeHost('conf-cx6dx', 'cx6dx')).certificate.evaluation;
  expect(cx.criteria.find((c) => c.criterion.id === 'vf-rdma')!.verdict).toBe('pass');
  expect(cx.criteria.find((c) => c.criterion.id === 'vdpa-devices')!.verdict).toBe('pass');
  expect(cx.verdict).toBe('incomplete'); // the link-down events need traffic: not measured on a fake host

  const bad = (await certifyOnFakeHost('conf-bad', 'x710', /vf 0 trust on/)).certificate;
  expect(bad.evaluation.verdict).toBe('failed');
  expect(bad.evaluation.criteria[0]!.criterion.id).toBe('vf-trust');
  expect(bad.evaluation.criteria[0]!.cells[0]!.reason).toMatch(/ip link set ens1f0 vf 0 trust on/);
  expect(bad.manifest.verdict).toBe('failed');
});

/**
 * The failover rows with pktgen, the bare-metal generator: pktgen has no per-packet stamps, so the suite
 * counts the one trial in live counter bins. The figure is what the real pktgen 23.06.1 gave in a DUT
 * restart on the local lab (fixtures/pktgen/pktgen-23.06.1-vhost-user-failover.jsonl: the local lab has
 * no NIC to take a link down), analysed and recorded as suites/failover.spec.ts does for each event.
 */
test('with pktgen the PF and VF link-down rows read a blocked time from live counter bins, judged on its upper bound', async () => {
  test.setTimeout(120_000);
  const t = readTranscript(fileURLToPath(new URL('../fixtures/pktgen/pktgen-23.06.1-vhost-user-failover.jsonl', import.meta.url)));
  const recorded = t.trials.find((x) => x.event !== undefined)!;
  const run = analyzeFailoverTrial(recorded.result, recorded.event!, { loadPps: recorded.spec.loadPps, steadyLossRatio: PDR_GOAL.lossRatio });
  expect(run.blockedBy).toBe('live-bins');
  const at = new Date().toISOString();
  const rowOf = (runId: string, event: string): RunRecord => {
    const r = resultRecord({ runId, at, datapath: 'sriov', frameBytes: 64, ndrPps: 1e6, seed: 7, nic: 'x710' });
    const { ndr: _n, pdr: _p, mrr: _m, ...rest } = r;
    return {
      ...rest,
      generator: { kind: 'pktgen', version: t.header.pktgen },
      scenarioId: r.scenarioId.replace(/-ndrpdr$/, `-failover-${event}`),
      failover: [failoverRecord(run, { event, offeredPps: recorded.spec.loadPps, intervalS: recorded.spec.timelineS! })],
    };
  };
  const { certificate } = await certifyOnFakeHost('conf-pktgen', 'x710', undefined, [rowOf('conf-pktgen', 'pf-link-down'), rowOf('conf-pktgen', 'vf-link-down')]);
  const cell = (id: string) => certificate.evaluation.criteria.find((c) => c.criterion.id === id)!.cells[0]!;
  const maxS = Math.max(...run.directions.map((d) => d.blockedMaxS!));
  for (const id of ['pf-link-down', 'vf-link-down']) {
    // A figure, not "the generator returned no timeline": at least the silent bins, at most up to the bins either side.
    expect(cell(id).figure).toMatchObject({ kind: 'failover', blockedS: run.blockedS, blockedMaxS: maxS, offeredPps: recorded.spec.loadPps });
    expect(run.blockedS).toBeGreaterThan(0.5);
    expect(maxS).toBeLessThanOrEqual(run.blockedS + 2 * recorded.spec.timelineS! + 0.05);
    // The profile allows 1 s: the recorded restart silenced the path for less, bounds included, and traffic settled.
    expect(maxS).toBeLessThanOrEqual(1);
    expect(run.analysis.timeToSteadyStateS).not.toBeNull();
    expect(cell(id).verdict, JSON.stringify(cell(id))).toBe('pass');
  }
});

test('on a Kubernetes lab the device-plugin restart is a failover event of the sriov stack where the inventory allows it, and says why not where it does not', () => {
  const k8s = (mayRestart?: string): LabForPlan => ({ ...labOf('x710'), name: 'k8s', kind: 'kubernetes', ...(mayRestart ? { mayRestartDevicePlugin: mayRestart } : {}) });
  return loadProfile('sriov-conformance').then(({ profile }) => {
    const allowed = makePlan(profile, k8s('kube-system/kube-sriov-device-plugin'), { quick: false });
    expect(allowed.failover.find((f) => f.event === 'device-plugin-restart')).toEqual({ datapath: 'sriov', event: 'device-plugin-restart' });
    // The host checks act through a node shell, not on a Kubernetes lab: only the failover suite runs.
    expect(allowed.run?.suites).toEqual(['failover']);
    const refused = makePlan(profile, k8s(), { quick: false });
    expect(refused.failover.find((f) => f.event === 'device-plugin-restart')?.notApplicable).toBe(
      "lab 'k8s' names no device plugin the run may restart (cluster.mayRestart.devicePlugin): restarting it deletes a pod wirespeed did not create",
    );
    expect(refused.run).toBeUndefined();
  });
});
