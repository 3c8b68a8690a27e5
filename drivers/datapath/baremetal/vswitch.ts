/**
 * Vswitch starters for the bare-metal vhost-user and memif datapaths: the DUT node's physical ports go
 * into OVS-DPDK or VPP, and the vswitch talks to the DUT application over vhost-user or memif. The
 * vswitch cross-connects physical port i with DUT port i; the DUT routes between its ports (l3fwd).
 */
import { ProvisionError } from '../../../core/errors.ts';
import { OvsDpdk } from '../../ovs/ovs-dpdk.ts';
import { startVpp } from '../../vpp/start-vpp.ts';
import { vppPortName } from '../../vpp/vpp-startup.ts';
import { dutMac, type VswitchStarter } from './baremetal-datapath.ts';

const mask = (cpus: readonly number[]) => `0x${cpus.reduce((m, c) => m | (1n << BigInt(c)), 0n).toString(16)}`;

/** The vswitch of a kind: OVS-DPDK for vhost-user-ovs, VPP for vhost-user and memif. */
export function vswitchStarter(o: { runRoot: string; ovsSocketMem?: string }): VswitchStarter {
  return async ({ kind, shell, physical, runId, cpus }) => {
    if (cpus.length === 0) throw new ProvisionError('the vswitch needs at least one CPU (cpus.dut)');
    const runDir = `${o.runRoot}/${runId}/vswitch`;
    if (kind === 'vhost-user-ovs') {
      const ovs = await OvsDpdk.start({ shell, runDir, filePrefix: `wsp-${runId}-ovs`, lcoreMask: mask([cpus[0]!]), pmdCpuMask: mask(cpus.length > 1 ? cpus.slice(1) : cpus), socketMem: o.ovsSocketMem ?? '1024' });
      try {
        await ovs.addNetdevBridge('wspbr0');
        // No NORMAL flow: a port pair's traffic goes to its peer only (each crossConnect below adds a pair).
        await ovs.setFlows('wspbr0', []);
        const dutPorts = [];
        for (const [i, pci] of physical.entries()) {
          await ovs.addDpdkPort('wspbr0', `phy${i}`, pci, 10 + i);
          const sock = `${runDir}/vu${i}.sock`;
          await ovs.addVhostUserClientPort('wspbr0', `vu${i}`, sock, 20 + i);
          await ovs.crossConnect('wspbr0', 10 + i, 20 + i);
          // OVS is the vhost-user client: the DUT's virtio_user owns the socket (server=1)
          dutPorts.push({ kind: 'vdev' as const, vdev: `net_virtio_user${i},path=${sock},server=1,queues=1,queue_size=1024`, mac: dutMac(runId, i) });
        }
        return { dutPorts, info: { kind: 'ovs-dpdk', version: ovs.dpdkVersion }, stop: () => ovs.stop() };
      } catch (e) {
        await ovs.stop().catch(() => undefined);
        throw e;
      }
    }
    const vpp = await startVpp(shell, { runDir, mainCore: cpus[0]!, workerCores: cpus.slice(1), pci: physical, memifPlugin: kind === 'memif', vhostPlugin: kind === 'vhost-user' });
    try {
      const v = vpp.vppctl;
      // Port i is the PCI function the inventory names for DUT port i: VPP names it vppPortName(i) from
      // startup.conf, so pairing never depends on how VPP would sort or name the NICs.
      const shown = new Set((await v.showInt()).map((i) => i.name));
      const phys = physical.map((_, i) => vppPortName(i));
      const missing = physical.filter((_, i) => !shown.has(phys[i]!));
      if (missing.length > 0)
        throw new ProvisionError(`VPP has no interface for ${missing.join(', ')} (it shows ${[...shown].join(', ') || 'none'})`, {
          where: shell.name,
          hint: `bind ${missing.join(' ')} to vfio-pci and check that its NUMA node has hugepages; see ${runDir}/vpp.log`,
        });
      const dutPorts = [];
      if (kind === 'memif') await v.createMemifSocket(1, `${runDir}/memif.sock`);
      for (const [i] of physical.entries()) {
        const name =
          kind === 'memif'
            ? await v.createMemif({ socketId: 1, id: i, role: 'master' })
            : await v.createVhostUser(`${runDir}/vu${i}.sock`, { server: false });
        for (const ifname of [phys[i]!, name]) await v.setState(ifname, true);
        await v.cli('set', 'interface', 'l2', 'xconnect', phys[i]!, name);
        await v.cli('set', 'interface', 'l2', 'xconnect', name, phys[i]!);
        dutPorts.push(
          kind === 'memif'
            ? { kind: 'vdev' as const, vdev: `net_memif${i},role=client,id=${i},socket=${runDir}/memif.sock`, mac: dutMac(runId, i) }
            : { kind: 'vdev' as const, vdev: `net_virtio_user${i},path=${runDir}/vu${i}.sock,server=1,queues=1,queue_size=1024`, mac: dutMac(runId, i) },
        );
      }
      return { dutPorts, info: { kind: 'vpp', version: vpp.version }, stop: () => vpp.stop() };
    } catch (e) {
      await vpp.stop().catch(() => undefined);
      throw e;
    }
  };
}
