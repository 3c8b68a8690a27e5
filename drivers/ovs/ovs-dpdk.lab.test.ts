/**
 * OVS-DPDK for real on the local lab (openvswitch-switch-dpdk is installed): private ovsdb-server and
 * ovs-vswitchd-dpdk, a netdev bridge with two dpdkvhostuserclient ports cross-connected, pmd-stats-show
 * parsed from the real 3.1 output, and nothing left behind.
 */
import { existsSync, readdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { localShell } from '../shell/local.ts';
import { OvsDpdk } from './ovs-dpdk.ts';

test('OVS-DPDK under a private run dir: bridge, vhost-user client ports, flows, pmd stats, clean stop', async () => {
  test.setTimeout(60_000);
  const id = `wsp-h7-ovs-${process.pid}`;
  const runDir = `/tmp/${id}`;
  const shell = localShell();
  const ovs = await OvsDpdk.start({ shell, runDir, filePrefix: id, lcoreMask: '0x1', pmdCpuMask: '0x2', socketMem: '256', socketLimit: '512', noPci: true, startTimeoutMs: 40_000 });
  try {
    expect(ovs.dpdkVersion).toMatch(/^DPDK \d+\.\d+/);
    await ovs.addNetdevBridge('wspbr0');
    await ovs.addVhostUserClientPort('wspbr0', 'vu0', `${runDir}/vu0.sock`, 1);
    await ovs.addVhostUserClientPort('wspbr0', 'vu1', `${runDir}/vu1.sock`, 2);
    await ovs.addVhostUserClientPort('wspbr0', 'vu2', `${runDir}/vu2.sock`, 3);
    await ovs.addVhostUserClientPort('wspbr0', 'vu3', `${runDir}/vu3.sock`, 4);
    const dump = async (): Promise<string[]> =>
      (await shell.run(['ovs-ofctl', '--no-stats', 'dump-flows', `unix:${runDir}/wspbr0.mgmt`])).stdout
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.includes('actions='));
    expect(await dump(), 'a new bridge switches with NORMAL').toEqual(['priority=0 actions=NORMAL']);
    // Two port pairs on one bridge, as the bare-metal vswitch makes them: the second keeps the first's flows.
    await ovs.setFlows('wspbr0', []);
    await ovs.crossConnect('wspbr0', 1, 2);
    await ovs.crossConnect('wspbr0', 3, 4);
    expect((await dump()).sort()).toEqual(['in_port=1 actions=output:2', 'in_port=2 actions=output:1', 'in_port=3 actions=output:4', 'in_port=4 actions=output:3'].sort());
    const stats = await ovs.pmdStats();
    expect(stats.format).toBe('ovs-2.10-3.x');
    expect(stats.threads.some((t) => t.thread === 'pmd 0/1')).toBe(true);
    expect(stats.threads.every((t) => t.packetsReceived !== undefined)).toBe(true);
    expect(await ovs.interfaceStatistics('vu0')).toHaveProperty('ovs_tx_retries', 0);
  } finally {
    await ovs.stop();
  }
  expect(existsSync(runDir)).toBe(false);
  expect(existsSync(`/var/run/dpdk/${id}`), 'the EAL runtime directory of ovs-vswitchd').toBe(false);
  expect(readdirSync('/dev/hugepages').filter((f) => f.startsWith(id))).toEqual([]);
  const ps = (await shell.run(['ps', '-eo', 'args'])).stdout;
  expect(ps).not.toContain(runDir);
});
