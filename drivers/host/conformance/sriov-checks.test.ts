import { expect, test } from '@playwright/test';
import { FakeHost, type FakePf } from '../../../fixtures/host/fake-host.ts';
import { nicModel } from '../../../lab/nic-catalogue.ts';
import { HOST_SRIOV_CHECKS, runSriovChecks, type CheckOutcome } from './sriov-checks.ts';

const x710: FakePf[] = [
  { pci: '0000:3b:00.0', ifname: 'ens1f0', model: nicModel('x710'), totalVfs: 64, numaNode: 0, iommuGroup: 40 },
  { pci: '0000:3b:00.1', ifname: 'ens1f1', model: nicModel('x710'), totalVfs: 64, numaNode: 0, iommuGroup: 41 },
];
const cx6dx: FakePf[] = [
  { pci: '0000:af:00.0', ifname: 'ens2f0np0', model: nicModel('cx6dx'), totalVfs: 4, numaNode: 1, iommuGroup: 80 },
  { pci: '0000:af:00.1', ifname: 'ens2f1np1', model: nicModel('cx6dx'), totalVfs: 4, numaNode: 1, iommuGroup: 81 },
];

/** Run every check on a fresh fake host; the host's state before and after, the outcomes as they came. */
async function checksOn(pfs: FakePf[], params = { vfsPerPf: 8, maxMtu: 9000 }, inject?: RegExp) {
  const host = await FakeHost.create({ pfs });
  try {
    const before = await host.snapshot();
    if (inject) host.failNext(inject);
    const streamed: CheckOutcome[] = [];
    const outcomes = await runSriovChecks({ shell: host, paths: host.paths, pfs: pfs.map((p) => p.pci), model: pfs[0]!.model }, params, HOST_SRIOV_CHECKS, (o) => {
      streamed.push(o);
    });
    return { outcomes, streamed, restored: (await host.snapshot()) === before, transcript: host.transcript };
  } finally {
    await host.dispose();
  }
}

const statusOf = (os: readonly CheckOutcome[]): Record<string, string> => Object.fromEntries(os.map((o) => [o.test, o.status]));

test('an X710: VFs, MAC, VLAN+QoS, trust, spoofchk, link state and MTU pass; RDMA and vDPA are skipped with the reason; the host is put back', async () => {
  const r = await checksOn(x710);
  expect(statusOf(r.outcomes)).toEqual({
    'vf-create': 'passed', 'vf-mac': 'passed', 'vf-vlan': 'passed', 'vf-trust': 'passed', 'vf-spoofchk': 'passed',
    'vf-link-state': 'passed', 'vf-mtu': 'passed', 'vf-rdma': 'skipped', 'vdpa-devices': 'skipped',
  });
  expect(r.streamed).toEqual(r.outcomes);
  const d = Object.fromEntries(r.outcomes.map((o) => [o.test, o.detail]));
  expect(d['vf-create']).toBe('16 VFs with PCI id 8086:154c: 0000:3b:00.0 (ens1f0): 8 of 8 asked, sriov_totalvfs 64; 0000:3b:00.1 (ens1f1): 8 of 8 asked, sriov_totalvfs 64');
  expect(d['vf-mtu']).toBe('MTU 9000 set and read back on PF ens1f0 and VF ens1f0v0');
  expect(d['vf-rdma']).toBe('Intel Ethernet Controller X710 for 10GbE SFP+ has no RDMA-capable VFs (RDMA on VFs is ConnectX\'s, through mlx5_ib)');
  expect(r.restored).toBe(true);
  // The settings went through the PF, as the operator's config daemon sets them.
  expect(r.transcript).toEqual(expect.arrayContaining(['ip link set ens1f0 vf 0 vlan 100 qos 3', 'ip link set ens1f0 vf 0 state disable', 'ip link set dev ens1f0 mtu 9000']));
});

test('a ConnectX-6 Dx: VFs capped by sriov_totalvfs, RDMA devices on its VFs, a vDPA device in switchdev mode', async () => {
  const r = await checksOn(cx6dx);
  expect(statusOf(r.outcomes)).toEqual({
    'vf-create': 'passed', 'vf-mac': 'passed', 'vf-vlan': 'passed', 'vf-trust': 'passed', 'vf-spoofchk': 'passed',
    'vf-link-state': 'passed', 'vf-mtu': 'passed', 'vf-rdma': 'passed', 'vdpa-devices': 'passed',
  });
  const d = Object.fromEntries(r.outcomes.map((o) => [o.test, o.detail]));
  expect(d['vf-create']).toContain('0000:af:00.0 (ens2f0np0): 4 of 8 asked, sriov_totalvfs 4');
  expect(d['vf-rdma']).toMatch(/^an RDMA device on every VF \(8\): 0000:af:02\.0: mlx5_2/);
  expect(d['vdpa-devices']).toBe('vDPA device wsp-conformance0 on pci/0000:af:02.0 (eswitch switchdev on 0000:af:00.0)');
  expect(r.restored).toBe(true);
});

test('a VF setting the PF refuses fails that check only, with the kernel\'s answer; the host is still put back', async () => {
  const r = await checksOn(x710, undefined, /vf 0 state disable/);
  expect(statusOf(r.outcomes)['vf-link-state']).toBe('failed');
  expect(r.outcomes.find((o) => o.test === 'vf-link-state')!.detail).toMatch(/ip link set ens1f0 vf 0 state disable/);
  expect(r.outcomes.filter((o) => o.status === 'failed').map((o) => o.test)).toEqual(['vf-link-state']);
  expect(r.restored).toBe(true);
});

test('an MTU above what the driver takes fails vf-mtu; VFs that cannot be created fail every check that needs them', async () => {
  const mtu = await checksOn(x710, { vfsPerPf: 2, maxMtu: 9900 });
  expect(mtu.outcomes.find((o) => o.test === 'vf-mtu')).toMatchObject({ status: 'failed', detail: expect.stringMatching(/mtu greater than device maximum/) });
  expect(mtu.restored).toBe(true);

  const none = await checksOn(x710, undefined, /sriov_numvfs "8"/);
  expect(statusOf(none.outcomes)['vf-create']).toBe('failed');
  expect(none.outcomes.find((o) => o.test === 'vf-mac')!.detail).toMatch(/^no VFs to check: /);
  expect(none.restored).toBe(true);
});
