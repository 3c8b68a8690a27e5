import { expect, test } from '@playwright/test';
import { FakeHost } from '../../fixtures/host/fake-host.ts';
import { localShell } from '../shell/local.ts';
import { runHardwareChecks } from './hardware-checks.ts';
import { nicModel } from './nic-catalogue.ts';

const node = (model: string, pci: string[]) => ({
  name: 'dut',
  hugepages: { sizeKb: 2048 as const, count: 512, numaNode: 0 },
  nics: [{ name: 'nic0', model, ports: pci.map((p, i) => ({ name: `p${i}`, nic: 'nic0', pci: p })) }],
});

test('on a hardware node (fake cx6dx): every check runs and reports pass/fail with details', async () => {
  const host = await FakeHost.create({ pfs: [{ pci: '0000:af:00.0', ifname: 'ens2f0np0', model: nicModel('cx6dx'), totalVfs: 4, numaNode: 0, iommuGroup: 80 }] });
  try {
    await host.writeFile(`${host.paths.sysfsRoot}/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages`, '512');
    const r = await runHardwareChecks({ node: node('cx6dx', ['0000:af:00.0', '0000:af:00.1']), shell: host, paths: host.paths, datapaths: ['sriov', 'vdpa'], hardwareExpected: true });
    const by = (id: string, subject = 'dut.p0') => r.find((x) => x.id === id && (x.subject === subject || x.subject === 'dut'));
    expect(by('host.iommu')?.status).toBe('pass');
    expect(by('host.vfio-pci')?.status).toBe('pass');
    expect(by('nic.present')).toMatchObject({ status: 'pass', detail: expect.stringContaining('15b3:101d') });
    expect(by('nic.driver')).toMatchObject({ status: 'pass', detail: 'bound to mlx5_core' });
    expect(by('nic.sriov')).toMatchObject({ status: 'pass', detail: expect.stringContaining('sriov_totalvfs 4') });
    expect(by('nic.switchdev')?.status).toBe('pass');
    expect(by('nic.vdpa')?.status).toBe('pass');
    expect(by('host.hugepages')).toMatchObject({ status: 'pass' });
    // the second port is not in this fake node: a hardware node fails with a hint
    expect(by('nic.present', 'dut.p1')).toMatchObject({ status: 'fail', hint: expect.stringContaining('lspci -Dnn') });
  } finally {
    await host.dispose();
  }
});

test('wrong model, no vfio, vDPA on an X710: failures with hints', async () => {
  const host = await FakeHost.create({ pfs: [{ pci: '0000:18:00.0', ifname: 'ens3f0', model: nicModel('x710'), totalVfs: 64, numaNode: 0, iommuGroup: 3 }], vfioLoaded: false });
  try {
    const r1 = await runHardwareChecks({ node: node('e810-c', ['0000:18:00.0']), shell: host, paths: host.paths, datapaths: ['sriov'], hardwareExpected: true });
    expect(r1.find((x) => x.id === 'nic.present')).toMatchObject({ status: 'fail', detail: expect.stringContaining('is 8086:1572, the inventory says e810-c') });
    expect(r1.find((x) => x.id === 'host.vfio-pci')).toMatchObject({ status: 'fail', hint: expect.stringContaining('modprobe vfio-pci') });
    const r2 = await runHardwareChecks({ node: node('x710', ['0000:18:00.0']), shell: host, paths: host.paths, datapaths: ['vdpa'], hardwareExpected: true });
    expect(r2.find((x) => x.id === 'nic.vdpa')).toMatchObject({ status: 'fail', hint: expect.stringContaining('ConnectX-6') });
    expect(r2.find((x) => x.id === 'host.hugepages')).toMatchObject({ status: 'fail', detail: '0 x 2048 kB on NUMA node 0, need 512' });
  } finally {
    await host.dispose();
  }
});

test('on this machine (no NIC): device checks skip with the reason', async () => {
  const r = await runHardwareChecks({ node: node('x710', ['0000:81:00.0']), shell: localShell(), datapaths: ['sriov'], hardwareExpected: false });
  const present = r.find((x) => x.id === 'nic.present');
  expect(present).toMatchObject({ status: 'skip', detail: expect.stringMatching(/PCI device 0000:81:00.0 .* not found: needs the lab's hardware, none on local/) });
  expect(r.filter((x) => x.id === 'nic.driver' || x.id === 'nic.sriov').every((x) => x.status === 'skip')).toBe(true);
  expect(r.every((x) => x.status !== 'fail')).toBe(true);
});
