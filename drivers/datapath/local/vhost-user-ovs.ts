/**
 * vhost-user through OVS-DPDK on the local lab: generator -> OVS -> DUT -> OVS -> generator.
 * OVS (drivers/ovs) is the vhost-user client of four sockets; the generator and the DUT own them as
 * virtio_user servers (`server=1`), the arrangement OVS recommends, so OVS reconnects by itself.
 * Three busy pollers (OVS PMD, DUT, generator) on two CPUs get time-sliced and measure nothing useful
 * (findings §5: 125-216 kpps instead of millions), so it needs at least 3 cores.
 */
import { posix as path } from 'node:path';
import { ProvisionError } from '../../../core/errors.ts';
import { OvsDpdk } from '../../ovs/ovs-dpdk.ts';
import type { GeneratorPort } from '../../loadgen/traffic-generator.ts';
import type { Datapath, RunningDatapath, Unavailable } from '../datapath.ts';
import { startDut } from './dut.ts';
import { checkHugepageBudget } from './hugepage-budget.ts';
import { resolveLocal, type LocalDatapathOptions } from './local-options.ts';
import { Teardown } from '../../../core/teardown.ts';
import { LOCAL_TEARDOWN_HINT, runningDatapath } from './running.ts';
import { localDutAvailability } from './socket-pair.ts';

/** Cores the OVS arrangement needs: one poller each for OVS, the DUT and the generator. */
export const OVS_MIN_CORES = 3;
const OVS_MEMORY_MB = 256;

const virtioServer = (n: number, socket: string) => `net_virtio_user${n},path=${socket},server=1,queues=1,queue_size=1024`;

/** The local vhost-user-ovs datapath. */
export function vhostUserOvsDatapath(opts: LocalDatapathOptions): Datapath {
  const local = resolveLocal(opts, 'vhost-user-ovs');
  const where = 'datapath vhost-user-ovs';
  // OVS polls on the first CPU that neither the DUT nor the generator uses.
  const ovsCpu = opts.vswitchCpu ?? Array.from({ length: local.cpuCount }, (_, i) => i).find((c) => c !== local.dutCpu && !local.tgCpus.includes(c));
  const availability = async (): Promise<Unavailable> => {
    if (local.cpuCount < OVS_MIN_CORES || ovsCpu === undefined) {
      return {
        reason: `vhost-user-ovs needs at least ${OVS_MIN_CORES} cores (OVS PMD, DUT and generator each poll one); this machine has ${local.cpuCount}`,
      };
    }
    const ovs = await local.shell.exec(['test', '-x', '/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk'], { timeoutMs: 10_000 });
    if (ovs.exitCode !== 0) return { reason: 'OVS-DPDK is not installed (package openvswitch-switch-dpdk): run `npm run setup`' };
    return localDutAvailability(local);
  };
  return {
    kind: 'vhost-user-ovs',
    availability,
    async up(signal?: AbortSignal): Promise<RunningDatapath> {
      const unavailable = await availability();
      if (unavailable || ovsCpu === undefined) throw new ProvisionError(`vhost-user-ovs cannot start: ${unavailable?.reason ?? 'no CPU for OVS'}`, { where });
      await checkHugepageBudget(
        local.shell,
        { byRoleMb: { 'ovs-vswitchd': OVS_MEMORY_MB, [`${local.dut} (dut)`]: local.dutMemoryMb, generator: local.generatorMemoryMb } },
        'the vhost-user-ovs datapath',
      );
      const teardown = new Teardown(where, LOCAL_TEARDOWN_HINT);
      if (local.ownsRuntime) teardown.add('DPDK runtime directory', () => local.runtime.cleanup());
      try {
        const sock = (name: string) => path.join(local.sockDir, `ovs-${name}.sock`);
        const sockets = ['g0', 'g1', 'd0', 'd1'].map(sock);
        await local.shell.run(['mkdir', '-p', local.sockDir], { timeoutMs: 10_000 });
        const removeSockets = () => local.shell.run(['rm', '-f', '--', ...sockets], { timeoutMs: 10_000 });
        await removeSockets();
        teardown.add('socket files', removeSockets);
        const mask = `0x${(1 << ovsCpu).toString(16)}`;
        // OVS with its bridge, ports and flows; run again as is by a vswitch restart.
        const startOvs = async (): Promise<OvsDpdk> => {
          const o = await OvsDpdk.start({
            shell: local.shell,
            runDir: path.join(path.dirname(local.sockDir), 'ovs'),
            filePrefix: local.runtime.prefix('ovs'),
            lcoreMask: mask,
            pmdCpuMask: mask,
            socketMem: String(OVS_MEMORY_MB),
            noPci: true,
          });
          try {
            await o.addNetdevBridge('br0');
            // ofports: 1,2 = generator p0,p1; 3,4 = DUT p0,p1. Patch p0<->p0 and p1<->p1.
            for (const [i, name] of ['g0', 'g1', 'd0', 'd1'].entries()) await o.addVhostUserClientPort('br0', name, sock(name), i + 1);
            await o.setFlows('br0', ['in_port=1,actions=output:3', 'in_port=3,actions=output:1', 'in_port=2,actions=output:4', 'in_port=4,actions=output:2']);
            return o;
          } catch (err) {
            await o.stop().catch(() => undefined);
            throw err;
          }
        };
        let ovs = await startOvs();
        // The current OVS, whichever restart made it.
        teardown.add('OVS-DPDK', () => ovs.stop());
        // OVS is the vhost-user client of all four sockets: the generator and the DUT keep their servers
        // and OVS reconnects to them when it comes back, as after a real service restart.
        const restartVswitch = async (): Promise<void> => {
          await ovs.stop();
          ovs = await startOvs();
        };
        signal?.throwIfAborted();
        const dut = await startDut({
          local,
          shell: local.shell,
          vdevs: [virtioServer(0, sock('d0')), virtioServer(1, sock('d1'))],
          ...(opts.startTimeoutMs === undefined ? {} : { startTimeoutMs: opts.startTimeoutMs }),
        });
        teardown.add(dut.label, () => dut.stop());
        const generatorPorts: GeneratorPort[] = ['g0', 'g1'].map((n, p) => ({ kind: 'vdev', name: `p${p}`, vdev: virtioServer(p, sock(n)) }));
        return runningDatapath({
          kind: 'vhost-user-ovs',
          dutKind: local.dut,
          dut,
          generatorPorts,
          generator: { cpus: local.tgCpus, singleFileSegments: true },
          teardown,
          capabilities: { restartVswitch: { restartVswitch } },
        });
      } catch (err) {
        await teardown.run().catch(() => undefined);
        throw err;
      }
    },
  };
}
