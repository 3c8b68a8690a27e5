import { expect, test } from '@playwright/test';
import { ProvisionError, TimeoutError } from '../../core/errors.ts';
import { TeardownError } from '../../core/teardown.ts';
import { FakeHost } from '../../fixtures/host/fake-host.ts';
import { gatherHostFacts } from './host-facts.ts';
import { nicModel } from '../../lab/nic-catalogue.ts';
import { readPciFunction } from './pci-function.ts';
import { HostProvisioner } from './provisioner.ts';

const spec = {
  pfs: [
    { pci: '0000:3b:00.0', ifname: 'ens1f0', model: nicModel('e810-xxv'), totalVfs: 8, numaNode: 0, iommuGroup: 40 },
    { pci: '0000:af:00.0', ifname: 'ens2f0np0', model: nicModel('cx6dx'), totalVfs: 4, numaNode: 1, iommuGroup: 80 },
  ],
  hugepagesMax: { 0: 4096, 1: 100 },
};

let host: FakeHost;
test.beforeEach(async () => {
  host = await FakeHost.create(spec);
});
test.afterEach(async () => {
  await host.dispose();
});

test('host facts through the Shell: IOMMU, vfio-pci, NICs, NUMA, hugepages', async () => {
  const f = await gatherHostFacts(host, host.paths);
  expect(f.cmdline.iommuEnabled).toBe(true);
  expect(f.vfioPciLoaded).toBe(true);
  expect(f.nics.map((n) => n.pciId)).toEqual(['8086:159b', '15b3:101d']);
  expect(f.iommuGroups.get('0000:af:00.0')).toBe(80);
  expect(f.hugepages).toEqual([
    { numaNode: 0, sizeKb: 2048, total: 0, free: 0 },
    { numaNode: 1, sizeKb: 2048, total: 0, free: 0 },
  ]);
  const pf = await readPciFunction(host, host.paths, '0000:af:00.0');
  expect(pf).toMatchObject({ pciId: '15b3:101d', driver: 'mlx5_core', numaNode: 1, iommuGroup: 80, netdevs: ['ens2f0np0'], sriov: { totalVfs: 4, numVfs: 0 } });
});

test('every PF and every VF netdev has its own MAC, the same each time; a VF netdev takes the MAC its PF gave it', async () => {
  const p = new HostProvisioner(host, host.paths);
  // Burned-in PF addresses: the vendor's OUI, then the PF's bus, device and function.
  expect((await p.linkInfo('ens1f0')).mac).toBe('3c:fd:fe:3b:00:00');
  expect((await p.linkInfo('ens2f0np0')).mac).toBe('b8:3f:d2:af:00:00');
  const vfs = [...(await p.createVfs('0000:3b:00.0', 3, { autoprobe: true })).values()];
  const netdevs = await Promise.all(vfs.map(async (bdf) => (await readPciFunction(host, host.paths, bdf)).netdevs[0]!));
  const macs = await Promise.all(netdevs.map(async (n) => (await p.linkInfo(n)).mac));
  expect(new Set(macs).size, `VF netdev MACs ${macs.join(', ')}`).toBe(3);
  expect(macs).not.toContain('3c:fd:fe:3b:00:00');
  expect(await Promise.all(netdevs.map(async (n) => (await p.linkInfo(n)).mac))).toEqual(macs);
  await p.setVf('ens1f0', 1, { mac: '02:00:00:00:00:10' });
  expect((await p.linkInfo(netdevs[1]!)).mac).toBe('02:00:00:00:00:10');
  await p.restore();
});

test('SR-IOV VFs, vfio-pci bind, VF settings, hugepages: applied, then restored exactly', async () => {
  const before = await host.snapshot();
  const p = new HostProvisioner(host, host.paths);
  const vfs = await p.createVfs('0000:3b:00.0', 2, { autoprobe: false });
  expect([...vfs.values()]).toEqual(['0000:3b:02.0', '0000:3b:02.1']);
  const vf0 = await readPciFunction(host, host.paths, '0000:3b:02.0');
  expect(vf0).toMatchObject({ pciId: '8086:1889', driver: null, physfn: '0000:3b:00.0' }); // autoprobe off: unbound
  await p.bindDriver('0000:3b:02.0', 'vfio-pci');
  expect(await readPciFunction(host, host.paths, '0000:3b:02.0')).toMatchObject({ driver: 'vfio-pci', driverOverride: 'vfio-pci' });
  await p.setVf('ens1f0', 0, { mac: '02:00:00:00:00:10', vlan: 100, trust: true, spoofchk: false });
  expect(await p.vfInfo('ens1f0', 0)).toMatchObject({ mac: '02:00:00:00:00:10', vlan: 100, trust: true, spoofchk: false });
  await p.setHugepages(0, 2048, 1024);
  expect(p.pending).toHaveLength(4);
  await p.restore();
  expect(p.pending).toHaveLength(0);
  expect(await host.snapshot()).toBe(before);
  // the kernel's rule: numvfs goes through 0; autoprobe restored before VFs come back
  const writes = host.transcript.filter((t) => t.startsWith('write'));
  expect(writes.filter((w) => w.includes('sriov_numvfs'))).toEqual([
    'write /sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs "2"',
    'write /sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs "0"',
  ]);
});

test('VFs already on a PF belong to someone else: createVfs refuses, names them, and leaves them as they are', async () => {
  // Another user of the NIC (a CNI, a VM) made two VFs and bound them to iavf.
  await host.writeFile(`${host.paths.sysfsRoot}/bus/pci/devices/0000:3b:00.0/sriov_numvfs`, '2');
  const before = await host.snapshot();
  await using p = new HostProvisioner(host, host.paths);
  const err = await p.createVfs('0000:3b:00.0', 4).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ProvisionError);
  expect((err as ProvisionError).what).toBe('0000:3b:00.0 already has 2 VFs (0000:3b:02.0, 0000:3b:02.1); wirespeed does not remove VFs it did not create');
  expect((err as ProvisionError).hint).toContain('echo 0 > /sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs');
  expect(p.pending).toEqual([]);
  expect(host.transcript.filter((t) => t.startsWith('write') && t.includes('sriov_numvfs'))).toEqual(['write /sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs "2"']);
  expect(await host.snapshot()).toBe(before);
  expect((await readPciFunction(host, host.paths, '0000:3b:02.1')).driver).toBe('iavf');
});

test('a sysfs write that never returns (a stuck driver) fails that step with a TimeoutError; teardown goes on with every other step', async () => {
  const before = await host.snapshot();
  const p = new HostProvisioner(host, host.paths, { sysfsWriteTimeoutMs: 300 });
  await p.createVfs('0000:3b:00.0', 2, { autoprobe: false });
  await p.bindDriver('0000:3b:02.0', 'vfio-pci');
  await p.setHugepages(0, 2048, 64);
  // Unbinding the VF from vfio-pci hangs in the driver: the VF stays bound, the rest is put back.
  host.hangNext(/drivers\/vfio-pci\/unbind "0000:3b:02.0"/);
  const err = await p.restore().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TeardownError);
  expect((err as TeardownError).failures.map((f) => f.what)).toEqual(['rebind 0000:3b:02.0 to (no driver)']);
  expect((err as TeardownError).failures[0]!.error).toBeInstanceOf(TimeoutError);
  const msg = (err as TeardownError).what;
  expect(msg).toMatch(/^teardown left one step undone:\n {2}rebind 0000:3b:02\.0 to \(no driver\): fake-host: writing "0000:3b:02\.0" to \S+\/bus\/pci\/drivers\/vfio-pci\/unbind \(timed out after 300 ms\)/);
  expect(host.transcript).toContain('write /sys/bus/pci/drivers/vfio-pci/unbind "0000:3b:02.0" (never returns)');
  // Every step ran, the ones before the stuck write and after it: hugepages back, VFs removed, autoprobe restored.
  const writes = host.transcript.filter((t) => t.startsWith('write'));
  const stuck = writes.indexOf('write /sys/bus/pci/drivers/vfio-pci/unbind "0000:3b:02.0" (never returns)');
  expect(writes.slice(0, stuck).at(-1)).toBe('write /sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages "0"');
  expect(writes.slice(stuck + 1)).toEqual([
    'write /sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs "0"',
    'write /sys/bus/pci/devices/0000:3b:00.0/sriov_drivers_autoprobe "1"',
  ]);
  expect(await host.snapshot()).toBe(before);
});

test('a failure half-way: the failing step is rolled back and restore() puts back everything before it', async () => {
  const before = await host.snapshot();
  const p = new HostProvisioner(host, host.paths);
  await p.createVfs('0000:3b:00.0', 2, { autoprobe: false });
  await p.bindDriver('0000:3b:02.0');
  host.failNext(/drivers\/vfio-pci\/bind "0000:3b:02.1"/);
  await expect(p.bindDriver('0000:3b:02.1')).rejects.toThrow(/injected failure/);
  // the failed bind left no override behind
  expect((await readPciFunction(host, host.paths, '0000:3b:02.1')).driverOverride).toBeNull();
  await p.restore();
  expect(await host.snapshot()).toBe(before);
});

test('vDPA: switchdev, VFs, vdpa dev add; all undone in reverse', async () => {
  const before = await host.snapshot();
  const p = new HostProvisioner(host, host.paths);
  await expect(p.addVdpaDevice('wsp-vdpa0', 'pci/0000:af:02.0')).rejects.toThrow(/no vDPA management device[\s\S]*switchdev/);
  await p.setEswitchMode('0000:af:00.0', 'switchdev');
  await p.createVfs('0000:af:00.0', 2);
  const dev = await p.addVdpaDevice('wsp-vdpa0', 'pci/0000:af:02.0', { mac: '02:00:00:00:aa:01' });
  expect(dev).toMatchObject({ name: 'wsp-vdpa0', mgmtdev: 'pci/0000:af:02.0', type: 'network' });
  await p.restore();
  expect(await host.snapshot()).toBe(before);
  expect(host.transcript).toContain('vdpa dev del wsp-vdpa0');
  expect(host.transcript).toContain('devlink dev eswitch set pci/0000:af:00.0 mode legacy');
});

test('switchdev on a NIC without it and too many VFs are ProvisionErrors with hints', async () => {
  const p = new HostProvisioner(host, host.paths);
  await expect(p.createVfs('0000:3b:00.0', 9)).rejects.toThrow(/at most 8 VFs, 9 requested[\s\S]*hint:/);
  const spec2 = { pfs: [{ pci: '0000:18:00.0', ifname: 'ens3f0', model: nicModel('x710'), totalVfs: 4, numaNode: 0, iommuGroup: 3 }] };
  const h2 = await FakeHost.create(spec2);
  try {
    const p2 = new HostProvisioner(h2, h2.paths);
    await expect(p2.setEswitchMode('0000:18:00.0', 'switchdev')).rejects.toThrow(/Operation not supported/);
    expect(p2.pending).toEqual([]);
  } finally {
    await h2.dispose();
  }
});

test('hugepages granted short: error with a hint, the old count restored', async () => {
  const before = await host.snapshot();
  const p = new HostProvisioner(host, host.paths);
  const err = await p.setHugepages(1, 2048, 512).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ProvisionError);
  expect(String(err)).toMatch(/asked for 512 hugepages of 2048 kB, the kernel gave 100[\s\S]*hint: memory is fragmented/);
  await p.restore();
  expect(await host.snapshot()).toBe(before);
});

test('restore attempts every step and reports the ones that failed', async () => {
  const p = new HostProvisioner(host, host.paths);
  await p.setHugepages(0, 2048, 64);
  await p.createVfs('0000:3b:00.0', 1);
  host.failNext(/sriov_numvfs "0"/);
  const err = await p.restore().catch((e: unknown) => e);
  expect(String(err)).toMatch(/fake-host: teardown left one step undone:[\s\S]*restore 0000:3b:00.0 sriov_numvfs=0/);
  // the hugepages step (older) still ran
  expect((await host.readFile(`${host.paths.sysfsRoot}/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages`)).trim()).toBe('0');
});

test('a PF or VF link down for a while (failover event): down while it lasts, back as it was after, the times of both commands returned', async () => {
  const before = await host.snapshot();
  const p = new HostProvisioner(host, host.paths);
  await p.createVfs('0000:3b:00.0', 1, { autoprobe: false });
  const flags = async (ifname: string) => ((JSON.parse((await host.run(['ip', '-j', 'link', 'show', 'dev', ifname])).stdout) as { flags: string[] }[])[0]!.flags);
  const t0 = performance.timeOrigin + performance.now();
  const pulse = p.linkDownFor({ ifname: 'ens1f0' }, 0.3);
  await expect.poll(() => flags('ens1f0')).not.toContain('UP');
  expect(p.pending.at(-1)).toBe('link ens1f0 back up');
  const pf = await pulse;
  expect(await flags('ens1f0')).toContain('UP');
  expect(pf.downMs[0]).toBeGreaterThanOrEqual(t0);
  expect(pf.upMs[0] - pf.downMs[1]).toBeGreaterThanOrEqual(290);
  expect(pf.upMs[1]).toBeGreaterThanOrEqual(pf.upMs[0]);

  // The VF's own link: disabled for the while, then its prior state (auto) again.
  const vf = p.linkDownFor({ pfIfname: 'ens1f0', vf: 0 }, 0.3);
  await expect.poll(async () => (await p.vfInfo('ens1f0', 0)).linkState).toBe('disable');
  await vf;
  expect((await p.vfInfo('ens1f0', 0)).linkState).toBe('auto');
  expect(host.transcript.filter((t) => / vf 0 state /.test(t))).toEqual(['ip link set ens1f0 vf 0 state disable', 'ip link set ens1f0 vf 0 state auto']);
  expect(p.pending).toEqual(['restore 0000:3b:00.0 sriov_numvfs=0 autoprobe=1']);
  await p.restore();
  expect(await host.snapshot()).toBe(before);
});

test('a run that dies while a link is down still gets it back at teardown; a link already down is refused', async () => {
  const p = new HostProvisioner(host, host.paths);
  const pulse = p.linkDownFor({ ifname: 'ens1f0' }, 1.5);
  await expect.poll(() => p.pending).toEqual(['link ens1f0 back up']);
  await p.restore(); // what the stack's teardown does when the worker is torn down mid-event
  expect((await host.run(['ip', '-j', 'link', 'show', 'dev', 'ens1f0'])).stdout).toContain('"UP"');
  await host.run(['ip', 'link', 'set', 'dev', 'ens1f0', 'down']);
  const err = await p.linkDownFor({ ifname: 'ens1f0' }, 0.1).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ProvisionError);
  expect((err as ProvisionError).message).toContain('link ens1f0 is already down: taking it down would show nothing');
  await host.run(['ip', 'link', 'set', 'dev', 'ens1f0', 'up']);
  await pulse; // its own up comes 1.5 s later: harmless on a link that is up
});
