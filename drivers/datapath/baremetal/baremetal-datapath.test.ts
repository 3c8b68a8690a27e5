import { fileURLToPath } from 'node:url';
import { shellsFrom } from '../../shell/node-shells.ts';
import { expect, test } from '@playwright/test';
import { TeardownError } from '../../../core/teardown.ts';
import { FakeHost } from '../../../fixtures/host/fake-host.ts';
import { loadLab, LOCAL_LAB_PATH } from '../../../lab/load.ts';
import type { Lab } from '../../../lab/model.ts';
import { nicModel } from '../../../lab/nic-catalogue.ts';
import { readPciFunction } from '../../host/pci-function.ts';
import { baremetalDatapath, type DutPort, type DutStarter } from './baremetal-datapath.ts';

const example = (name: string) => loadLab(fileURLToPath(new URL(`../../../lab/examples/${name}`, import.meta.url)), { checkFiles: false });

function fakeDut(log: DutPort[][], fail = false): DutStarter {
  return async ({ ports }) => {
    log.push([...ports]);
    if (fail) throw new Error('l3fwd: EAL: no hugepages');
    let alive = true;
    return { info: { kind: 'l3fwd', version: 'fake' }, log: () => 'L3FWD: entering main loop', alive: () => alive, death: () => null, stop: async () => { alive = false; } };
  };
}

async function withFakeNodes(lab: Lab, specs: Record<string, Parameters<typeof FakeHost.create>[0]>) {
  const hosts = new Map<string, FakeHost>();
  for (const [node, spec] of Object.entries(specs)) hosts.set(node, await FakeHost.create(spec));
  const shells = shellsFrom(async (n) => hosts.get(n.name)!);
  return { hosts, shells, hostPaths: (node: string) => hosts.get(node)!.paths };
}

test('availability on the local lab and on example inventories says why', async () => {
  const local = await loadLab(LOCAL_LAB_PATH);
  const o = (lab: Lab) => ({ lab, shells: shellsFrom(() => Promise.reject(new Error('availability opens no shell'))), runId: 'r1', startDut: fakeDut([]) });
  expect(await baremetalDatapath('sriov', o(local)).availability()).toEqual({ reason: 'needs a NIC with SR-IOV: none on this lab' });
  expect(await baremetalDatapath('vdpa', o(local)).availability()).toEqual({ reason: 'needs a NIC with vDPA (ConnectX-6 Dx/Lx or later): none on this lab' });
  const x710 = await example('2n-x710.yaml');
  expect(await baremetalDatapath('sriov', o(x710)).availability()).toBeNull();
  expect((await baremetalDatapath('vdpa', o(x710)).availability())?.reason).toMatch(/needs a NIC with vDPA .*: none on this lab \(x710\)/);
  expect((await baremetalDatapath('vhost-user-ovs', o(x710)).availability())?.reason).toMatch(/needs a vswitch driver/);
  expect(await baremetalDatapath('vdpa', o(await example('cx6dx-vdpa.yaml'))).availability()).toBeNull();
  expect(await baremetalDatapath('pf', o(local)).availability()).toEqual({ reason: 'pf on bare metal needs a physical NIC from the catalogue: none on this lab' });
  expect(await baremetalDatapath('pf', o(x710)).availability()).toBeNull();
});

test('sriov on the 2-node X710 lab: VFs with MAC/trust on vfio-pci, PFs for the generator; down() restores both nodes', async () => {
  const lab = await example('2n-x710.yaml');
  const x710 = nicModel('x710');
  const { hosts, shells, hostPaths } = await withFakeNodes(lab, {
    tg: { pfs: [{ pci: '0000:81:00.0', ifname: 'ens1f0', model: x710, totalVfs: 8, numaNode: 1, iommuGroup: 60 }, { pci: '0000:81:00.1', ifname: 'ens1f1', model: x710, totalVfs: 8, numaNode: 1, iommuGroup: 61 }] },
    dut: { pfs: [{ pci: '0000:3b:00.0', ifname: 'ens2f0', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 40 }, { pci: '0000:3b:00.1', ifname: 'ens2f1', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 41 }] },
  });
  try {
    const before = await Promise.all([...hosts.values()].map((h) => h.snapshot()));
    const started: DutPort[][] = [];
    const dp = await baremetalDatapath('sriov', { lab, shells, runId: 'r1', startDut: fakeDut(started), hostPaths }).up();
    expect(dp.generatorPorts).toEqual([
      { kind: 'pci', name: 'p0', pci: '0000:81:00.0', mac: '3c:fd:fe:b5:71:00' },
      { kind: 'pci', name: 'p1', pci: '0000:81:00.1', mac: '3c:fd:fe:b5:71:01' },
    ]);
    const dutPorts = started[0]!;
    expect(dutPorts.map((p) => p.kind === 'pci' && p.pci)).toEqual(['0000:3b:02.0', '0000:3b:06.0']);
    const dut = hosts.get('dut')!;
    expect(await readPciFunction(dut, dut.paths, '0000:3b:02.0')).toMatchObject({ driver: 'vfio-pci', physfn: '0000:3b:00.0' });
    const tg = hosts.get('tg')!;
    expect((await readPciFunction(tg, tg.paths, '0000:81:00.1')).driver).toBe('vfio-pci');
    expect(dut.transcript).toContain(`ip link set ens2f0 vf 0 mac ${dutPorts[0]!.mac} trust on spoofchk off`);
    expect(dp.dutAlive()).toBe(true);
    // sriov-conformance's failover events go through port 0's PF: its link (the VFs follow), or VF 0's alone; each back after.
    const cap = dp.capabilities?.nicLinkDown;
    expect(cap).toBeDefined();
    const vfDown = cap!.nicLinkDown('vf', 0.2);
    await expect.poll(() => dut.transcript.includes('ip link set ens2f0 vf 0 state disable')).toBe(true);
    await vfDown;
    await cap!.nicLinkDown('pf', 0.1);
    expect(dut.transcript.filter((t) => /^ip link set (dev ens2f0 (down|up)|ens2f0 vf 0 state )/.test(t))).toEqual([
      'ip link set ens2f0 vf 0 state disable',
      'ip link set ens2f0 vf 0 state auto',
      'ip link set dev ens2f0 down',
      'ip link set dev ens2f0 up',
    ]);
    await dp.down();
    await dp.down(); // idempotent
    expect(await Promise.all([...hosts.values()].map((h) => h.snapshot()))).toEqual(before);
  } finally {
    for (const h of hosts.values()) await h.dispose();
  }
});

test('pf on the 2-node X710 lab: the DUT on its PFs (vfio-pci, their own MAC), the generator on its PFs; down() gives both back to i40e', async () => {
  const lab = await example('2n-x710.yaml');
  const x710 = nicModel('x710');
  const { hosts, shells, hostPaths } = await withFakeNodes(lab, {
    tg: { pfs: [{ pci: '0000:81:00.0', ifname: 'ens1f0', model: x710, totalVfs: 8, numaNode: 1, iommuGroup: 60 }, { pci: '0000:81:00.1', ifname: 'ens1f1', model: x710, totalVfs: 8, numaNode: 1, iommuGroup: 61 }] },
    dut: { pfs: [{ pci: '0000:3b:00.0', ifname: 'ens2f0', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 40 }, { pci: '0000:3b:00.1', ifname: 'ens2f1', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 41 }] },
  });
  try {
    const before = await Promise.all([...hosts.values()].map((h) => h.snapshot()));
    const started: DutPort[][] = [];
    const dp = await baremetalDatapath('pf', { lab, shells, runId: 'r1', startDut: fakeDut(started), hostPaths }).up();
    expect(dp.kind).toBe('pf');
    // The inventory gives no MAC for the DUT ports: each is read from its PF's netdev before vfio-pci takes it.
    expect(started[0]).toEqual([
      { kind: 'pci', pci: '0000:3b:00.0', mac: '3c:fd:fe:3b:00:00' },
      { kind: 'pci', pci: '0000:3b:00.1', mac: '3c:fd:fe:3b:00:01' },
    ]);
    const dut = hosts.get('dut')!;
    for (const pci of ['0000:3b:00.0', '0000:3b:00.1']) expect((await readPciFunction(dut, dut.paths, pci)).driver).toBe('vfio-pci');
    expect((await readPciFunction(dut, dut.paths, '0000:3b:00.0')).sriov?.numVfs ?? 0).toBe(0);
    expect(dp.generatorPorts.map((p) => p.kind === 'pci' && p.pci)).toEqual(['0000:81:00.0', '0000:81:00.1']);
    // DPDK owns the PF: no kernel link to take down, and the failover events say so.
    expect(dp.capabilities?.nicLinkDown).toBeUndefined();
    expect(dp.gaps?.nicLinkDown).toMatch(/needs the PF in the kernel's hands with the DUT on a VF \(the sriov datapath\); pf gives the PF to DPDK$/);
    await dp.down();
    expect(await Promise.all([...hosts.values()].map((h) => h.snapshot()))).toEqual(before);
    expect((await readPciFunction(dut, dut.paths, '0000:3b:00.1')).driver).toBe('i40e');
  } finally {
    for (const h of hosts.values()) await h.dispose();
  }
});

test('a DUT that fails to start: up() rejects and both nodes are restored', async () => {
  const lab = await example('2n-x710.yaml');
  const x710 = nicModel('x710');
  const { hosts, shells, hostPaths } = await withFakeNodes(lab, {
    tg: { pfs: [{ pci: '0000:81:00.0', ifname: 'ens1f0', model: x710, totalVfs: 8, numaNode: 1, iommuGroup: 60 }, { pci: '0000:81:00.1', ifname: 'ens1f1', model: x710, totalVfs: 8, numaNode: 1, iommuGroup: 61 }] },
    dut: { pfs: [{ pci: '0000:3b:00.0', ifname: 'ens2f0', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 40 }, { pci: '0000:3b:00.1', ifname: 'ens2f1', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 41 }] },
  });
  try {
    const before = await Promise.all([...hosts.values()].map((h) => h.snapshot()));
    await expect(baremetalDatapath('sriov', { lab, shells, runId: 'r2', startDut: fakeDut([], true), hostPaths }).up()).rejects.toThrow(/no hugepages/);
    expect(await Promise.all([...hosts.values()].map((h) => h.snapshot()))).toEqual(before);
  } finally {
    for (const h of hosts.values()) await h.dispose();
  }
});

test('down() runs every undo step and reports every failure: a DUT that will not stop and a node that will not restore', async () => {
  const lab = await example('2n-x710.yaml');
  const x710 = nicModel('x710');
  const { hosts, shells, hostPaths } = await withFakeNodes(lab, {
    tg: { pfs: [{ pci: '0000:81:00.0', ifname: 'ens1f0', model: x710, totalVfs: 8, numaNode: 1, iommuGroup: 60 }, { pci: '0000:81:00.1', ifname: 'ens1f1', model: x710, totalVfs: 8, numaNode: 1, iommuGroup: 61 }] },
    dut: { pfs: [{ pci: '0000:3b:00.0', ifname: 'ens2f0', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 40 }, { pci: '0000:3b:00.1', ifname: 'ens2f1', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 41 }] },
  });
  try {
    const before = await Promise.all([...hosts.values()].map((h) => h.snapshot()));
    const stubborn: DutStarter = async (args) => ({ ...(await fakeDut([])(args)), stop: async () => { throw new Error('l3fwd ignored SIGTERM and SIGKILL'); } });
    const dp = await baremetalDatapath('sriov', { lab, shells, runId: 'r4', startDut: stubborn, hostPaths }).up();
    hosts.get('dut')!.failNext(/sriov_numvfs "0"/);
    const err = await dp.down().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(TeardownError);
    const failures = (err as TeardownError).failures.map((f) => f.what);
    // The bare-metal undo used to rethrow only the first error and hide the rest.
    expect(failures).toEqual(['stop DUT l3fwd', 'restore dut']);
    expect(String(err)).toMatch(/ignored SIGTERM[\s\S]*sriov_numvfs/);
    // The generator node was restored all the same.
    expect(await hosts.get('tg')!.snapshot()).toEqual(before[0]);
  } finally {
    for (const h of hosts.values()) await h.dispose();
  }
});

test('vdpa on the CX-6 Dx lab: switchdev, VF, wire <-> VF forwarding through the representors, vdpa dev, DUT on /dev/vhost-vdpa-N; restored after', async () => {
  const lab = await example('cx6dx-vdpa.yaml');
  const { hosts, shells, hostPaths } = await withFakeNodes(lab, {
    gen: { pfs: [{ pci: '0000:81:00.0', ifname: 'ens1f0', model: nicModel('x710'), totalVfs: 8, numaNode: 0, iommuGroup: 60 }, { pci: '0000:81:00.1', ifname: 'ens1f1', model: nicModel('x710'), totalVfs: 8, numaNode: 0, iommuGroup: 61 }] },
    // PFs nobody configured are down: a DUT on them would see no link.
    sut: { pfs: [{ pci: '0000:65:00.0', ifname: 'ens3f0np0', model: nicModel('cx6dx'), totalVfs: 4, numaNode: 0, iommuGroup: 70, up: false }, { pci: '0000:65:00.1', ifname: 'ens3f1np1', model: nicModel('cx6dx'), totalVfs: 4, numaNode: 0, iommuGroup: 71, up: false }] },
  });
  try {
    const before = await Promise.all([...hosts.values()].map((h) => h.snapshot()));
    const started: DutPort[][] = [];
    const dp = await baremetalDatapath('vdpa', { lab, shells, runId: 'run-7', startDut: fakeDut(started), hostPaths }).up();
    expect(started[0]!.map((p) => p.kind === 'vdev' && p.vdev)).toEqual([
      'net_virtio_user0,path=/dev/vhost-vdpa-0,queues=1,queue_size=1024',
      'net_virtio_user1,path=/dev/vhost-vdpa-1,queues=1,queue_size=1024',
    ]);
    const sut = hosts.get('sut')!;
    expect(sut.transcript).toContain('devlink dev eswitch set pci/0000:65:00.0 mode switchdev');
    // switchdev without rules forwards nothing: both ports must pass frames both ways now.
    for (const pf of ['0000:65:00.0', '0000:65:00.1']) expect(await sut.forwards(pf, 0), pf).toEqual({ toVf: true, fromVf: true });
    expect(sut.transcript).toContain('tc filter add dev ens3f0np0 ingress pref 29300 protocol all flower action mirred egress redirect dev ens3f0npf0vf0');
    expect(sut.transcript).toContain('tc filter add dev ens3f0npf0vf0 ingress pref 29300 protocol all flower action mirred egress redirect dev ens3f0np0');
    await dp.down();
    expect(await sut.forwards('0000:65:00.0', 0)).toEqual({ toVf: false, fromVf: false });
    expect(await Promise.all([...hosts.values()].map((h) => h.snapshot()))).toEqual(before);
  } finally {
    for (const h of hosts.values()) await h.dispose();
  }
});

test('pktgen settings for the 2-node E810/X710 topologies: DUT MACs, l3fwd routes', async () => {
  const { resolveTopology } = await import('./topology.ts');
  const { pktgenPortsFor } = await import('./generator.ts');
  const { dutMac } = await import('./baremetal-datapath.ts');
  const t = resolveTopology(await example('2n-x710.yaml'), 'sriov');
  if ('reason' in t) throw new Error(t.reason);
  expect(t.shape).toBe('2-node');
  expect(pktgenPortsFor(t, 'r1')).toEqual([
    { dstMac: dutMac('r1', 0), srcIp: '198.18.0.1', dstIp: '198.18.1.1' },
    { dstMac: dutMac('r1', 1), srcIp: '198.18.1.1', dstIp: '198.18.0.1' },
  ]);
  expect(dutMac('r1', 1)).toMatch(/^02:57:53:[0-9a-f]{2}:[0-9a-f]{2}:01$/);
});
