import { expect, test } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { loadLab } from '../../../lab/load.ts';
import { FakeHost, type FakeHostSpec } from '../../../fixtures/host/fake-host.ts';
import { nicModel } from '../../../lab/nic-catalogue.ts';
import type { CheckResult } from './check.ts';
import { cpuIsolationCheck, governorCheck, nicNumaChecks } from './host-fact-checks.ts';
import { runPreflight } from './run.ts';

const x710 = nicModel('x710');
// The 2n-x710 example: tg polls CPUs 2-5 and says NUMA node 1 (hugepages there too), its ports at 81:00.x;
// dut polls 4-7 on NUMA node 0, its ports at 3b:00.x; both say cpus.isolated 2-13.
const example = () => loadLab(fileURLToPath(new URL('../../../lab/examples/2n-x710.yaml', import.meta.url)), { checkFiles: false });
const TWO_SOCKETS: FakeHostSpec = {
  pfs: [
    { pci: '0000:3b:00.0', ifname: 'ens2f0', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 40 },
    { pci: '0000:3b:00.1', ifname: 'ens2f1', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 41 },
    { pci: '0000:81:00.0', ifname: 'ens1f0', model: x710, totalVfs: 8, numaNode: 1, iommuGroup: 60 },
    { pci: '0000:81:00.1', ifname: 'ens1f1', model: x710, totalVfs: 8, numaNode: 1, iommuGroup: 61 },
  ],
  numaCpus: { 0: '0-7', 1: '8-15' },
  isolatedCpus: '2-13',
  governors: { 2: 'powersave', 3: 'powersave', 4: 'performance', 5: 'performance', 6: 'performance', 7: 'performance' },
};

/** The host-fact checks of both example nodes, run against one fake host that stands in for both. */
async function checkOn(spec: FakeHostSpec): Promise<(node: string, name: string) => CheckResult | undefined> {
  const lab = await example();
  const host = await FakeHost.create(spec);
  try {
    const results = await runPreflight(lab, async () => host, [cpuIsolationCheck, governorCheck, nicNumaChecks], host.paths);
    for (const r of results) {
      expect(r.detail, `${r.node} ${r.name}`).not.toBe('');
      if (r.status === 'fail') expect(r.hint, `${r.node} ${r.name}`).toBeTruthy();
    }
    return (node, name) => results.find((r) => r.node === node && r.name === name);
  } finally {
    await host.dispose();
  }
}

test('host facts against the inventory: isolated CPUs, governor, NIC NUMA node vs pinned CPUs and hugepages', async () => {
  const get = await checkOn(TWO_SOCKETS);
  // dut: 4-7 isolated, performance, on node 0 with its ports and hugepages.
  expect(get('dut', 'cpu-isolation')).toMatchObject({ status: 'pass', detail: 'CPUs 4-7 polled by the lab are isolated (the kernel isolates 2-13)' });
  expect(get('dut', 'cpu-governor')).toMatchObject({ status: 'pass', detail: 'CPUs 4-7 performance' });
  expect(get('dut', 'nic-numa nic0.p0')).toMatchObject({ status: 'pass', detail: '0000:3b:00.0 on NUMA node 0, with CPUs 4-7 and the hugepages' });
  // tg: two of its CPUs scale down, and its pollers sit on node 0 while its NIC (and hugepages) are on node 1.
  expect(get('tg', 'cpu-governor')).toEqual({
    node: 'tg',
    name: 'cpu-governor',
    status: 'fail',
    detail: 'CPUs 2-3 powersave: a polling CPU that changes frequency changes the measured rate',
    hint: '`cpupower -c 2-3 frequency-set -g performance` (or write performance to each CPU\'s cpufreq/scaling_governor), and make it stick across reboots',
  });
  expect(get('tg', 'nic-numa nic0.p1')).toMatchObject({
    status: 'fail',
    detail: '0000:81:00.1 is on NUMA node 1, but CPUs 2-5 polling it are not on NUMA node 1 (its CPUs: 8-15): every packet would cross the socket interconnect',
    hint: 'pin CPUs of NUMA node 1 in cpus.tg / cpus.dut',
  });
});

test('pinned CPUs the kernel does not isolate, a NIC on the other socket than the inventory says, no cpufreq', async () => {
  const get = await checkOn({
    ...TWO_SOCKETS,
    isolatedCpus: '8-13',
    governors: {},
    pfs: TWO_SOCKETS.pfs.map((p) => (p.pci.startsWith('0000:3b') ? { ...p, numaNode: 1 } : p)),
  });
  expect(get('dut', 'cpu-isolation')).toMatchObject({
    status: 'fail',
    detail: 'CPUs 2-7 are not isolated (polled by the lab: 4-7; cpus.isolated: 2-13); the kernel isolates 8-13: the scheduler and interrupts share them with the pollers',
    hint: 'add `isolcpus=2-13 nohz_full=2-13 rcu_nocbs=2-13` to GRUB_CMDLINE_LINUX, update-grub and reboot; or pin CPUs the kernel isolates',
  });
  expect(get('dut', 'cpu-governor')).toMatchObject({ status: 'skip', detail: 'no cpufreq for CPUs 4-7 (a VM, or the firmware sets the frequency): there is no governor to check' });
  expect(get('dut', 'nic-numa nic0.p0')).toMatchObject({
    status: 'fail',
    detail:
      '0000:3b:00.0 is on NUMA node 1, but CPUs 4-7 polling it are not on NUMA node 1 (its CPUs: 8-15), and the inventory says cpus.numaNode 0, and its hugepages are on NUMA node 0: every packet would cross the socket interconnect',
    hint: 'pin CPUs of NUMA node 1 in cpus.tg / cpus.dut; set cpus.numaNode: 1; set hugepages.numaNode: 1',
  });
});

test('a port without a NUMA node: local on a one-node host, unknown on a two-node host; an absent port is skipped', async () => {
  const noNuma = TWO_SOCKETS.pfs.map((p) => ({ ...p, numaNode: -1 }));
  const one = await checkOn({ ...TWO_SOCKETS, pfs: noNuma.filter((p) => p.pci !== '0000:3b:00.1'), numaCpus: { 0: '0-15' } });
  expect(one('dut', 'nic-numa nic0.p0')).toMatchObject({ status: 'pass', detail: '0000:3b:00.0: one NUMA node on this host, every CPU is local to it' });
  expect(one('dut', 'nic-numa nic0.p1')).toMatchObject({ status: 'skip', detail: 'no PCI device at 0000:3b:00.1 (the nic check says more)' });
  const two = await checkOn({ ...TWO_SOCKETS, pfs: noNuma });
  expect(two('dut', 'nic-numa nic0.p0')).toMatchObject({ status: 'skip', detail: 'the firmware reports no NUMA node for 0000:3b:00.0 on a host with 2 NUMA nodes: its locality cannot be checked' });
});
