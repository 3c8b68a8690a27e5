/**
 * l3fwd as the DUT of a bare-metal datapath: started over the DUT node's shell on the ports the datapath
 * made (PFs and SR-IOV VFs by PCI address, virtio_user/memif vdevs towards a vswitch), its lcores on the
 * first DUT CPUs (one by default; N with N RSS queues per port for the multi-core cells), its runtime files
 * under `<runRoot>/<runId>/dut` on that node.
 * l3fwd routes 198.18.N.0/24 -> port N (built in); the frames it sends carry its default destination MAC
 * (02:00:00:00:00:0N), which the generator's ports accept because pktgen runs them promiscuous.
 */
import { ProvisionError } from '../../../core/errors.ts';
import { portsWithoutRss, startL3fwd, type L3fwdPort, type RunningL3fwd } from '../../dpdk/l3fwd.ts';
import { createDpdkRuntime } from '../../dpdk/runtime.ts';
import type { DutPort, DutStarter } from './baremetal-datapath.ts';

export interface L3fwdDutOptions {
  readonly runId: string;
  /** Directory on the DUT node for the run's DPDK runtime files (telemetry socket). */
  readonly runRoot: string;
  /** l3fwd on the DUT node; default `dpdk-l3fwd` from PATH (vdev ports need cli/setup.d/20-l3fwd.sh's patch). */
  readonly binary?: string;
  readonly memoryMb?: number;
  readonly startTimeoutMs?: number;
}

/** The l3fwd port for a datapath's DUT port (the MAC is already the port's: set on the VF by its PF). */
export function l3fwdPortOf(p: DutPort): L3fwdPort {
  return p.kind === 'pci' ? { kind: 'pci', pci: p.pci } : { kind: 'vdev', vdev: p.vdev };
}

/** A DutStarter that runs l3fwd on the DUT node. */
export function l3fwdDutStarter(o: L3fwdDutOptions): DutStarter {
  return async ({ shell, ports, cpus, cores = 1 }) => {
    const cpu = cpus[0];
    if (cpu === undefined) {
      throw new ProvisionError('l3fwd has no CPU to run on', { where: `DUT on ${shell.name}`, hint: 'give the DUT node cpus.dut in the inventory (with a vswitch, at least two)' });
    }
    if (cpus.length < cores) {
      throw new ProvisionError(`l3fwd on ${cores} cores needs ${cores} DUT CPUs; it has ${cpus.length} (${cpus.join(',')})`, {
        where: `DUT on ${shell.name}`,
        hint: `give the DUT node at least ${cores} CPUs in cpus.dut (with a vswitch, the DUT gets the second half)`,
      });
    }
    const runtime = createDpdkRuntime({ shell, runId: o.runId, runDir: `${o.runRoot}/${o.runId}/dut` });
    let l3fwd: RunningL3fwd;
    try {
      l3fwd = await startL3fwd({
        shell,
        runtime,
        cpu,
        ...(cores > 1 ? { extraCpus: cpus.slice(1, cores) } : {}),
        ports: ports.map(l3fwdPortOf),
        binary: o.binary ?? 'dpdk-l3fwd',
        ...(o.memoryMb === undefined ? {} : { memoryMb: o.memoryMb }),
        ...(o.startTimeoutMs === undefined ? {} : { startTimeoutMs: o.startTimeoutMs }),
      });
    } catch (e) {
      await runtime.cleanup().catch(() => undefined);
      throw e;
    }
    const running = l3fwd;
    // More lcores than one only help when the ports spread flows over their queues: a port without RSS
    // would leave every lcore but the first polling an empty queue, and the cell would measure one core.
    const noRss = cores > 1 ? portsWithoutRss(running.log()) : [];
    if (noRss.length > 0) {
      await running.stop().catch(() => undefined);
      await runtime.cleanup().catch(() => undefined);
      throw new ProvisionError(`l3fwd on ${cores} cores: port${noRss.length === 1 ? '' : 's'} ${noRss.join(', ')} configured no RSS hash (l3fwd: "modified RSS hash function … configured:0"), so every flow would stay on queue 0`, {
        where: `DUT on ${shell.name}`,
        hint: 'run the multi-core cells on ports whose driver offers RSS on IPv4 (PFs and VFs of the catalogue NICs do); 1 core needs none',
      });
    }
    return {
      info: { kind: 'l3fwd', version: running.telemetry.banner.version, pid: running.pid },
      log: () => running.log(),
      alive: () => running.exited() === null,
      death: () => (running.exited() === null ? null : running.describeDeath()),
      stop: async () => {
        await running.stop();
        await runtime.cleanup();
      },
    };
  };
}
