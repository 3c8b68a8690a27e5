import { test, expect } from '@playwright/test';
import { resultRecord, runEnd, runStart, sampleRun } from '../fixtures/records/sample.ts';
import { viewOf } from '../reports/model/run-view.ts';
import type { RunRecord } from '../reports/schema/record.ts';
import { evaluate, type CriterionVerdict, type Evaluation } from './evaluate.ts';
import { makePlan, type LabForPlan } from './plan.ts';
import { loadProfile } from './profile/load.ts';

const LOCAL: LabForPlan = {
  name: 'local',
  kind: 'local',
  datapaths: ['vhost-user', 'memif', 'veth', 'vhost-user-ovs'],
  nic: { name: 'vnic', model: 'virtual', pciAddresses: [] },
  dutCpus: 1,
  nodes: [],
};
const E810: LabForPlan = {
  name: 'lab-e810',
  kind: 'baremetal',
  datapaths: ['sriov'],
  nic: { name: 'nic0', model: 'e810-c', pciAddresses: ['0000:3b:00.0', '0000:3b:00.1'] },
  dutCpus: 4,
  nodes: [],
};

const view = (records: readonly RunRecord[], partial = false) => viewOf(records, { dir: '/tmp/x', partial, errors: [] });
const byId = (e: Evaluation, id: string): CriterionVerdict => e.criteria.find((c) => c.criterion.id === id)!;

test('on the local lab the stand-in datapath is judged, hardware-only criteria are not applicable with the reason', async () => {
  const { profile } = await loadProfile('nic-performance');
  const plan = makePlan(profile, LOCAL, { quick: true });
  expect(plan.virtualNic).toBe(true);
  expect(plan.run).toEqual({ suites: ['throughput', 'latency'], datapaths: ['vhost-user'], frameSizes: ['64', '1518'], flows: 254, dutCores: [1] });
  const pf = plan.performance.filter((c) => c.datapath === 'pf');
  expect(pf).toHaveLength(2 * 3);
  for (const c of pf) expect(c.notApplicable).toBe("the NIC of lab 'local' is virtual: the pf datapath needs a physical NIC");

  const records = sampleRun({ runId: 'r1', startMs: 0, seed: 1, ndr64Pps: { 'vhost-user': 3_600_000 }, frames: [64, 1518] });
  const e = evaluate(plan, view(records));
  expect(e.verdict).toBe('passed');
  const found = byId(e, 'throughput-found');
  expect(found.verdict).toBe('pass');
  const measured = found.cells.filter((c) => c.verdict === 'pass');
  expect(measured.map((c) => c.label)).toEqual(['vhost-user · 64 B · 1 core', 'vhost-user · 1518 B · 1 core']);
  expect(measured[0]!.figure).toMatchObject({ kind: 'bounds', ndr: { kind: 'throughput', figure: 'ndr' } });
  // No line rate on virtual ports: measured, shown, not judged.
  const line = byId(e, 'ndr-line-rate-1518');
  expect(line.verdict).toBe('not-applicable');
  const vh = line.cells.find((c) => c.datapath === 'vhost-user' && c.dutCores === 1)!;
  expect(vh.reason).toBe('a virtual NIC has no line rate to compare with');
  expect(vh.figure).toMatchObject({ kind: 'throughput', figure: 'ndr' });
  expect(byId(e, 'latency-p99-90pct').cells.find((c) => c.datapath === 'vhost-user' && c.dutCores === 1)!.reason).toMatch(/^virtual NIC: software ports on a shared host/);
  expect(byId(e, 'latency-measured').verdict).toBe('pass');
  expect(byId(e, 'speedup-2-cores').verdict).toBe('not-applicable');
  expect(e.counts).toEqual({ fail: 0, 'not-measured': 0, pass: 2, 'not-applicable': 5 });
});

test('a hardware lab below line rate fails the line-rate criteria, and the failing criteria come first', async () => {
  const { profile } = await loadProfile('nic-performance');
  const plan = makePlan(profile, E810, { quick: false });
  expect(plan.virtualNic).toBe(false);
  // pf is no datapath of this lab (or of this wirespeed yet): not applicable, saying which.
  expect(plan.performance.filter((c) => c.datapath === 'pf').every((c) => /pf datapath/.test(c.notApplicable ?? ''))).toBe(true);
  expect(plan.run?.datapaths).toEqual(['sriov']);
  expect(plan.run?.dutCores).toEqual([1, 2, 4]);

  // 100 GbE, two ports: 14.2 Mpps at 64 B is far from line rate, 1518 B reaches about 68 %.
  const frames = [64, 128, 256, 512, 1024, 1280, 1518];
  const records: RunRecord[] = sampleRun({ runId: 'hw', startMs: 0, seed: 2, nic: 'e810-c', lineRateBps: 100e9, ndr64Pps: { sriov: 14_200_000 }, frames, withLatency: true }).filter(
    (r) => r.kind !== 'run-end',
  );
  // Two and four cores at 64 B: 1.9 and 3.1 times one core.
  const at = '1970-01-01T00:01:00.000Z';
  for (const [cores, factor] of [[2, 1.9], [4, 3.1]] as const) {
    const r = resultRecord({ runId: 'hw', at, datapath: 'sriov', frameBytes: 64, ndrPps: 14_200_000 * factor, seed: 9 + cores, nic: 'e810-c', lineRateBps: 100e9 });
    // As suites/test.ts names a cell of `--dut-cores N`: CSIT's thread-core tag after the frame.
    records.push({ ...r, scenarioId: r.scenarioId.replace(/-64b-ndrpdr$/, `-64b-${cores}t${cores}c-ndrpdr`) });
  }
  records.push(runEnd('hw', at));
  const e = evaluate(plan, view(records));
  expect(e.verdict).toBe('failed');
  expect(e.criteria.map((c) => c.verdict)).toEqual([...e.criteria.map((c) => c.verdict)].sort((a, b) => ['fail', 'not-measured', 'pass', 'not-applicable'].indexOf(a) - ['fail', 'not-measured', 'pass', 'not-applicable'].indexOf(b)));
  const ndr1518 = byId(e, 'ndr-line-rate-1518');
  expect(ndr1518.verdict).toBe('fail');
  const cell = ndr1518.cells.find((c) => c.datapath === 'sriov' && c.dutCores === 1)!;
  expect(cell.reason).toMatch(/^\d+\.\d % of line rate$/);
  expect(cell.figure?.kind === 'throughput' && cell.figure.lineRateRatio).toBeGreaterThan(0.6);
  expect(cell.figure?.kind === 'throughput' && cell.figure.lineRateRatio).toBeLessThan(0.95);
  expect(byId(e, 'speedup-2-cores').verdict).toBe('pass');
  const four = byId(e, 'speedup-4-cores');
  expect(four.verdict).toBe('fail');
  const fourCell = four.cells.find((c) => c.datapath === 'sriov')!;
  expect(fourCell.figure?.kind === 'speedup' && fourCell.figure.ratio).toBeCloseTo(3.1, 1);
  expect(fourCell).toMatchObject({ verdict: 'fail', figure: { kind: 'speedup', scaled: { kind: 'throughput', figure: 'ndr' }, base: { kind: 'throughput', figure: 'ndr' } } });
  const two = byId(e, 'speedup-2-cores').cells.find((c) => c.datapath === 'sriov')!;
  expect(two.scenarioId).toMatch(/-sriov-l3fwd-64b-2t2c-ndrpdr$/);
  expect(two.figure?.kind === 'speedup' && two.figure.ratio).toBeCloseTo(1.9, 1);
  // The multi-core cells at other frame sizes ran in the plan but have no result: not measured.
  expect(byId(e, 'throughput-found').verdict).toBe('not-measured');
  expect(byId(e, 'throughput-found').cells.find((c) => c.label === 'sriov · 128 B · 2 cores')?.reason).toBe('no throughput result was recorded for this cell');
  const p99 = byId(e, 'latency-p99-90pct');
  expect(p99.cells.filter((c) => c.dutCores === 1 && c.datapath === 'sriov').map((c) => c.verdict)).toEqual([...frames.map(() => 'pass'), 'not-measured']); // no IMIX result in this run
  expect(p99.cells.find((c) => c.dutCores === 1 && c.datapath === 'sriov')!.figure).toMatchObject({ kind: 'latency', percentile: 'p99', fractionOfPdr: 0.9 });
  expect(e.criteria[0]!.verdict).toBe('fail');
});

test('a run stopped half-way is incomplete, and a skipped cell is not measured with its skip reason', async () => {
  const { profile } = await loadProfile('nic-performance');
  const plan = makePlan(profile, LOCAL, { quick: true });
  const records = sampleRun({ runId: 'p', startMs: 0, seed: 3, ndr64Pps: { 'vhost-user': 3_000_000 }, frames: [64, 1518], partial: true });
  expect(evaluate(plan, view(records, true))).toMatchObject({ verdict: 'incomplete', runProblem: 'the run has no run-end record: it was stopped before it finished' });

  const at = '1970-01-01T00:00:05.000Z';
  const skipped = resultRecord({ runId: 's', at, datapath: 'vhost-user', frameBytes: 1518, ndrPps: 1, seed: 1, status: 'skipped', reason: 'needs the vhost-user datapath' });
  const ok = resultRecord({ runId: 's', at, datapath: 'vhost-user', frameBytes: 64, ndrPps: 3e6, seed: 2 });
  const e = evaluate(plan, view([runStart('s', at), ok, skipped, runEnd('s', at)]));
  expect(e.verdict).toBe('incomplete');
  const cell = byId(e, 'throughput-found').cells.find((c) => c.label === 'vhost-user · 1518 B · 1 core')!;
  expect(cell).toMatchObject({ verdict: 'not-measured', reason: 'skipped: needs the vhost-user datapath' });
});

test('a throughput search that found no NDR fails the criterion with the scenario\'s reason', async () => {
  const { profile } = await loadProfile('nic-performance');
  const plan = makePlan(profile, LOCAL, { quick: true });
  const at = '1970-01-01T00:00:05.000Z';
  const ok = resultRecord({ runId: 'f', at, datapath: 'vhost-user', frameBytes: 1518, ndrPps: 2e6, seed: 1 });
  const bad = resultRecord({ runId: 'f', at, datapath: 'vhost-user', frameBytes: 64, ndrPps: 3e6, seed: 2 });
  const { ndr: _ndr, ...noNdr } = bad;
  const failed = { ...noNdr, status: 'failed' as const, reason: 'no load met the NDR goal, not even the minimum load' };
  const e = evaluate(plan, view([runStart('f', at), ok, failed, runEnd('f', at)]));
  expect(e.verdict).toBe('failed');
  expect(e.criteria[0]!.criterion.id).toBe('throughput-found');
  expect(e.criteria[0]!.cells.find((c) => c.verdict === 'fail')).toMatchObject({ label: 'vhost-user · 64 B · 1 core', reason: 'no load met the NDR goal, not even the minimum load' });
});

test('sriov-conformance on the local lab applies to nothing: the plan has no run', async () => {
  const { profile } = await loadProfile('sriov-conformance');
  const plan = makePlan(profile, LOCAL, { quick: false });
  expect(plan.run).toBeUndefined();
  expect(plan.conformance.every((c) => c.notApplicable === "the NIC of lab 'local' is virtual: the sriov datapath needs a physical NIC")).toBe(true);
});

test('multi-core cells: the plan runs 2 and 4 cores on a bare-metal lab with the CPUs, and says why not elsewhere', async () => {
  const { profile } = await loadProfile('nic-performance');
  const local = makePlan(profile, LOCAL, { quick: true });
  const twoLocal = local.performance.find((c) => c.datapath === 'vhost-user' && c.dutCores === 2)!;
  expect(twoLocal.notApplicable).toBe("2 DUT cores need 2 DUT CPUs: lab 'local' gives the DUT 1 (cpus.dut; the generator polls on the other CPU of this machine)");
  expect(local.run?.dutCores).toEqual([1]);
  // A virtual NIC with the CPUs still has no RSS to spread flows over the queues.
  const wide = makePlan(profile, { ...LOCAL, dutCpus: 4 }, { quick: true });
  expect(wide.performance.find((c) => c.datapath === 'vhost-user' && c.dutCores === 4)!.notApplicable).toMatch(/^4 DUT cores need RSS to spread flows over 4 queues per port/);
  // Two DUT CPUs: 2 cores run, 4 say why not.
  const small = makePlan(profile, { ...E810, dutCpus: 2 }, { quick: true });
  expect(small.run?.dutCores).toEqual([1, 2]);
  expect(small.performance.find((c) => c.datapath === 'sriov' && c.dutCores === 4)!.notApplicable).toBe("4 DUT cores need 4 DUT CPUs: lab 'lab-e810' gives the DUT 2 (cpus.dut)");
  // A count this wirespeed has no layout for is refused by the plan, not run.
  expect(makePlan(profile, E810, { quick: true, supportedDutCores: [1, 2] }).performance.find((c) => c.dutCores === 4 && c.datapath === 'sriov')!.notApplicable).toBe('wirespeed runs l3fwd on 1, 2 cores, not 4');
});

test('PF and VF link-down failover is judged on the blocked time the failover suite recorded, per datapath', async () => {
  const { profile } = await loadProfile('sriov-conformance');
  const X710: LabForPlan = { ...E810, name: 'lab-x710', nic: { ...E810.nic, model: 'x710' } };
  const plan = makePlan(profile, X710, { quick: false });
  expect(plan.failover.filter((f) => f.notApplicable === undefined).map((f) => f.event)).toEqual(['pf-link-down', 'vf-link-down']);
  const at = '1970-01-01T00:01:00.000Z';
  // As suites/failover.spec.ts writes them: one result per event, its failover entry named by the event.
  const failoverResult = (event: string, blockedS: number, recoveryS: number | undefined) => {
    const r = resultRecord({ runId: 'fo', at, datapath: 'sriov', frameBytes: 64, ndrPps: 1e6, seed: 7, nic: 'x710' });
    const { ndr: _n, pdr: _p, mrr: _m, ...rest } = r;
    return {
      ...rest,
      scenarioId: r.scenarioId.replace(/-ndrpdr$/, `-failover-${event}`),
      suite: 'failover',
      failover: [{ event, offeredPps: 500_000, lostPackets: Math.round(blockedS * 500_000), blockedS, ...(recoveryS === undefined ? {} : { recoveryS }), eventAtS: 2, timeline: [{ tS: 0, receivedPps: 500_000 }] }],
    };
  };
  const records: RunRecord[] = [runStart('fo', at), failoverResult('pf-link-down', 0.42, 0.9), failoverResult('vf-link-down', 1.7, 2.1), runEnd('fo', at)];
  const e = evaluate(plan, view(records));
  const pf = byId(e, 'pf-link-down').cells[0]!;
  expect(pf).toMatchObject({ verdict: 'pass', figure: { kind: 'failover', blockedS: 0.42, recoveryS: 0.9, offeredPps: 500_000 } });
  const vf = byId(e, 'vf-link-down').cells[0]!;
  expect(vf).toMatchObject({ verdict: 'fail', reason: 'blocked 1.700 s' });
  // Not recovered at all is a failure whatever the blocked time.
  const stuck = evaluate(plan, view([runStart('fo', at), failoverResult('pf-link-down', 0.1, undefined), runEnd('fo', at)]));
  expect(byId(stuck, 'pf-link-down').cells[0]).toMatchObject({ verdict: 'fail', reason: 'traffic did not recover within the window' });
  // Live counter bins (pktgen) bound the outage: judged on the longest it can have been, shown with both bounds.
  const base = failoverResult('pf-link-down', 0.9, 1.2);
  const binned = {
    ...base,
    failover: [{ ...base.failover[0]!, blockedBy: 'live-bins' as const, directions: [{ name: 'p0->p1', lostPackets: 0, blockedS: 0.9, blockedMaxS: 1.05, lossDerivedS: 0, lastBeforeS: 2.1, firstAfterS: 3.0 }] }],
  };
  const cell = byId(evaluate(plan, view([runStart('fo', at), binned, runEnd('fo', at)])), 'pf-link-down').cells[0]!;
  expect(cell).toMatchObject({ verdict: 'fail', reason: 'blocked 0.900-1.050 s (counter bins)', figure: { kind: 'failover', blockedS: 0.9, blockedMaxS: 1.05 } });
  // On a Kubernetes lab the events act on no node: not applicable, saying why.
  const k8s = makePlan(profile, { ...X710, kind: 'kubernetes' }, { quick: false });
  expect(k8s.failover[0]!.notApplicable).toMatch(/Kubernetes lab, whose pods get VFs$/);
  // The device-plugin restart is the Kubernetes lab's event, where the inventory allows it: traffic through the
  // running pods should not notice it (the plugin is not on the datapath), so the criterion allows 0.1 s.
  const allowed = makePlan(profile, { ...X710, kind: 'kubernetes', mayRestartDevicePlugin: 'kube-system/kube-sriov-device-plugin' }, { quick: false });
  const dpr = (blockedS: number) => byId(evaluate(allowed, view([runStart('fo', at), failoverResult('device-plugin-restart', blockedS, blockedS + 0.05), runEnd('fo', at)])), 'device-plugin-restart');
  expect(dpr(0.03).cells[0]).toMatchObject({ verdict: 'pass', figure: { kind: 'failover', blockedS: 0.03 } });
  expect(dpr(0.4).cells[0]).toMatchObject({ verdict: 'fail', reason: 'blocked 0.400 s' });
  expect(byId(e, 'device-plugin-restart').cells[0]).toMatchObject({ verdict: 'not-applicable', reason: "a device-plugin restart needs a Kubernetes lab (lab 'lab-x710' is baremetal)" });
});
