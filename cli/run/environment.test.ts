import { test, expect } from '@playwright/test';
import { nodeShells } from '../../drivers/shell/node-shells.ts';
import { fileURLToPath } from 'node:url';
import { FakeHost } from '../../fixtures/host/fake-host.ts';
import { nicModel } from '../../lab/nic-catalogue.ts';
import { HostProvisioner } from '../../drivers/host/provisioner.ts';
import { loadLab, LOCAL_LAB_PATH } from '../../lab/load.ts';
import { environmentSchema } from '../../reports/schema/record.ts';
import { collectEnvironment } from './environment.ts';

const X710_FW = '9.20 0x8000d95e 1.3353.0';

test('on bare metal the record carries each NIC driver, firmware and NUMA node, isolated CPUs and the kernel command line', async () => {
  const lab = await loadLab(fileURLToPath(new URL('../../lab/examples/2n-x710.yaml', import.meta.url)), { checkFiles: false });
  const x710 = nicModel('x710');
  const hosts = {
    tg: await FakeHost.create({
      hostname: 'tg-host',
      cmdline: 'BOOT_IMAGE=/vmlinuz ro intel_iommu=on iommu=pt isolcpus=2-13',
      pfs: [
        { pci: '0000:81:00.0', ifname: 'ens1f0', model: x710, totalVfs: 8, numaNode: 1, iommuGroup: 60, firmware: X710_FW },
        { pci: '0000:81:00.1', ifname: 'ens1f1', model: x710, totalVfs: 8, numaNode: 1, iommuGroup: 61, firmware: X710_FW },
      ],
    }),
    dut: await FakeHost.create({
      hostname: 'dut-host',
      pfs: [
        { pci: '0000:3b:00.0', ifname: 'ens2f0', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 40, firmware: X710_FW },
        { pci: '0000:3b:00.1', ifname: 'ens2f1', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 41, firmware: X710_FW },
      ],
    }),
  };
  try {
    // One DUT port already taken by DPDK: its driver is recorded, its firmware cannot be read (no netdev).
    await new HostProvisioner(hosts.dut, hosts.dut.paths).bindDriver('0000:3b:00.1', 'vfio-pci');
    const env = await collectEnvironment(lab, async (node) => hosts[node.name as 'tg' | 'dut'], '0.1.0', {
      hostPaths: (node) => hosts[node.name as 'tg' | 'dut'].paths,
    });
    expect(() => environmentSchema.parse(env)).not.toThrow();
    const [tg, dut] = env.nodes;
    expect(tg).toMatchObject({ name: 'tg', hostname: 'tg-host', cpuModel: 'Fake CPU @ 2.00GHz', cpuCount: 2, kernel: '6.1.0-fake', isolatedCpus: [1], governors: {} });
    expect(tg!.kernelCmdline).toContain('isolcpus=2-13');
    expect(tg!.nics).toEqual([{ name: 'nic0', model: 'x710', driver: 'i40e', firmware: X710_FW, numaNode: 1 }]);
    expect(dut!.nics).toEqual([{ name: 'nic0', model: 'x710', driver: 'i40e/vfio-pci', firmware: X710_FW, numaNode: 0 }]);
    expect(hosts.tg.transcript).toContain('ethtool -i ens1f0');
  } finally {
    await hosts.tg.dispose();
    await hosts.dut.dispose();
  }
});

test('on the local lab the NICs are virtual, and this host is described as it is', async () => {
  const lab = await loadLab(LOCAL_LAB_PATH);
  const shells = nodeShells(lab);
  try {
    const env = await collectEnvironment(lab, (node) => shells.of(node), '0.1.0');
    expect(() => environmentSchema.parse(env)).not.toThrow();
    for (const node of env.nodes) {
      expect(node.nics).toEqual([{ name: 'vnic', model: 'virtual', driver: 'virtual' }]);
      expect(node.kernel).not.toBe('unknown');
      expect(node.cpuModel).not.toBe('unknown');
      expect(Array.isArray(node.isolatedCpus)).toBe(true);
    }
    expect(env.nodes.map((n) => n.coresUsed)).toEqual([[1], [0]]);
  } finally {
    await shells.close();
  }
});

test('a node that cannot be reached is described from the inventory, and the run goes on', async () => {
  const lab = await loadLab(fileURLToPath(new URL('../../lab/examples/2n-x710.yaml', import.meta.url)), { checkFiles: false });
  const env = await collectEnvironment(lab, async () => { throw new Error('ssh: connect ECONNREFUSED'); }, '0.1.0');
  expect(env.nodes[0]).toMatchObject({ hostname: 'unknown', kernel: 'unknown', nics: [{ name: 'nic0', model: 'x710' }] });
  expect(env.nodes[0]!.nics[0]!.driver).toBeUndefined();
});
