/**
 * VPP as the DUT of the local lab: VPP's main thread polls on the DUT CPU (no workers: on 2 cores a
 * worker would share that CPU with a main thread), two interfaces face our generator, and VPP forwards
 * between them by L2 cross-connect or IPv4 routing (drivers/vpp/forwarding.ts).
 * - memif: VPP is the master (server) of one socket with ids 0 and 1; the generator's net_memif ports
 *   connect as clients (slaves). VPP survives a client leaving under traffic (docs/local-lab.md).
 * - vhost-user: the generator's virtio_user ports are the vhost *servers* and VPP connects as client,
 *   so VPP can be restarted under load and reconnect (the generator keeps its sockets).
 * Either way VPP can be restarted under load (restartDut, the failover event): the generator reconnects.
 * Everything VPP opens sits in a private directory of the run; its API segment in /dev/shm carries the
 * run's tag, and so does its config file name (the CLI's sweep finds the process by it after a crash).
 */
import { posix as path } from 'node:path';
import { ConfigError, ProvisionError } from '../../../core/errors.ts';
import type { DutTrialCounters } from '../../../method/trial.ts';
import { MAX_SOCKET_PATH } from '../../dpdk/runtime.ts';
import type { GeneratorPort } from '../../loadgen/traffic-generator.ts';
import { configureForwarding, dutPortMac, generatorPortMac, type VppForwarding } from '../../vpp/forwarding.ts';
import { locateVpp, type VppInstall } from '../../vpp/locate-vpp.ts';
import { startVpp, type RunningVpp } from '../../vpp/start-vpp.ts';
import { vppStatsReader } from '../../vpp/vpp-stats.ts';
import type { Datapath, GeneratorPlacement, RunningDatapath, Unavailable } from '../datapath.ts';
import { checkHugepageBudget } from './hugepage-budget.ts';
import { resolveLocal, type LocalDatapathOptions } from './local-options.ts';
import { Teardown } from '../../../core/teardown.ts';
import { LOCAL_TEARDOWN_HINT } from './running.ts';
import { VHOST_GENERATOR_PLACEMENT, VHOST_QUEUE_SIZE } from './vhost-user.ts';

/** The datapaths VPP serves as DUT on the local lab. */
export type VppDutDatapath = 'memif' | 'vhost-user';

/** Hugepage memory VPP takes: its buffer pool (16384 buffers of about 2.3 kB) rounded up, plus slack. */
export const VPP_DUT_MEMORY_MB = 64;

export interface VppDutOptions extends LocalDatapathOptions {
  readonly forwarding: VppForwarding;
  /** Where VPP is; default: locateVpp(). */
  readonly install?: VppInstall;
}

/** A RunningDatapath with VPP as DUT: its counters, and a restart (the failover event). */
export interface RunningVppDut extends RunningDatapath {
  readonly vpp: RunningVpp;
  /** The DUT's cumulative counters (stats segment): rx/tx of its two ports and its drops by cause. */
  dutCounters(): Promise<DutTrialCounters>;
  /**
   * Kill VPP and start it again with the same configuration; resolves once its ports and forwarding are
   * configured again (the restartDut capability). The generator gets its links back by itself: wsp-gen
   * stops and starts a port whose peer went away (drivers/loadgen/local-gen/relink.c), which reconnects its
   * memif client and kicks its virtio_user rings for the new VPP.
   */
  restartDut(): Promise<void>;
}

/** The DUT kind name as records and scenario ids carry it: vpp-l2xc, vpp-ip4base. */
export function vppDutKind(forwarding: VppForwarding): string {
  return `vpp-${forwarding}`;
}

/** The local datapath `kind` with VPP forwarding by `forwarding`. */
export function vppDutDatapath(kind: VppDutDatapath, opts: VppDutOptions): Datapath {
  const local = resolveLocal(opts, kind);
  const where = `datapath ${kind} (${vppDutKind(opts.forwarding)})`;
  const located = (): { install: VppInstall } | { absent: string } => (opts.install ? { install: opts.install } : locateVpp());
  const availability = async (): Promise<Unavailable> => {
    const l = located();
    return 'absent' in l ? { reason: l.absent } : null;
  };
  return {
    kind,
    availability,
    async up(signal?: AbortSignal): Promise<RunningDatapath> {
      const l = located();
      if ('absent' in l) throw new ProvisionError(`${kind} with VPP cannot start: ${l.absent}`, { where });
      const install = l.install;
      await checkHugepageBudget(local.shell, { byRoleMb: { 'vpp (dut)': VPP_DUT_MEMORY_MB, generator: local.generatorMemoryMb } }, `the ${kind} datapath with VPP`);
      const teardown = new Teardown(where, LOCAL_TEARDOWN_HINT);
      if (local.ownsRuntime) teardown.add('DPDK runtime directory', () => local.runtime.cleanup());
      try {
        signal?.throwIfAborted();
        // The prefix names the API segment and the config file: both carry the run's tag.
        const tagged = local.runtime.prefix('vpp');
        const runDir = path.join(local.sockDir, 'vpp');
        const sockets = kind === 'memif' ? [path.join(runDir, 'dut-memif.sock')] : [0, 1].map((p) => path.join(local.sockDir, `vhost${p}.sock`));
        for (const s of [...sockets, path.join(runDir, 'stats.sock')]) {
          if (s.length > MAX_SOCKET_PATH) throw new ConfigError(`socket path ${s} is longer than ${MAX_SOCKET_PATH} characters`, { where, hint: 'use a shorter run directory' });
        }
        await local.shell.run(['mkdir', '-p', local.sockDir], { timeoutMs: 10_000 });
        const spec = { runDir, mainCore: local.dutCpu, workerCores: [], pci: [], memifPlugin: kind === 'memif', vhostPlugin: kind === 'vhost-user', apiPrefix: tagged };
        const stats = (vpp: RunningVpp) => vppStatsReader(local.shell, vpp, install);
        /** Start VPP and configure ports and forwarding; the same on a restart. */
        const bringUp = async (): Promise<RunningVpp> => {
          const vpp = await startVpp(local.shell, spec, { binary: install.vpp, vppctlBinary: install.vppctl, confName: `${tagged}.conf`, label: 'vpp (dut)' });
          try {
            const v = vpp.vppctl;
            const ifnames: string[] = [];
            if (kind === 'memif') {
              await v.createMemifSocket(1, sockets[0]!);
              for (const p of [0, 1]) ifnames.push(await v.createMemif({ socketId: 1, id: p, role: 'master', mac: dutPortMac(p) }));
            } else {
              for (const p of [0, 1]) ifnames.push(await v.createVhostUser(sockets[p]!, { server: false, mac: dutPortMac(p) }));
            }
            await configureForwarding(
              v,
              opts.forwarding,
              ifnames.map((ifname, p) => ({ ifname, peerMac: generatorPortMac(p) })),
            );
            return vpp;
          } catch (err) {
            await vpp.stop().catch(() => undefined);
            throw err;
          }
        };
        let vpp = await bringUp();
        teardown.add('vpp (dut)', () => vpp.stop());
        if (kind === 'vhost-user') teardown.add('vhost-user socket files', () => local.shell.run(['rm', '-f', '--', ...sockets], { timeoutMs: 10_000 }));
        signal?.throwIfAborted();
        const generatorPorts: GeneratorPort[] = [0, 1].map((p) => ({
          kind: 'vdev',
          name: `p${p}`,
          vdev:
            kind === 'memif'
              ? `net_memif${p},role=client,id=${p},socket=${sockets[0]},socket-abstract=no,rsize=14,mac=${generatorPortMac(p)}`
              : `net_virtio_user${p},path=${sockets[p]},queues=1,queue_size=${VHOST_QUEUE_SIZE},server=1,mac=${generatorPortMac(p)}`,
        }));
        const generator: GeneratorPlacement =
          kind === 'memif' ? { keepConnected: true, cpus: local.tgCpus } : { ...VHOST_GENERATOR_PLACEMENT, cpus: local.tgCpus };
        const down = () => teardown.run();
        const dutKind = vppDutKind(opts.forwarding);
        const running: RunningVppDut = {
          kind,
          generatorPorts,
          generator,
          get vpp() {
            return vpp;
          },
          get dut() {
            return { kind: dutKind, version: vpp.version, pid: vpp.process.pid };
          },
          dutLog: () => vpp.log(),
          dutAlive: () => vpp.exited() === null,
          dutDeath: () => (vpp.exited() === null ? null : vpp.describeDeath()),
          dutCounters: () => stats(vpp).dutCounters(),
          capabilities: { restartDut: { restartDut: () => running.restartDut() } },
          async restartDut(): Promise<void> {
            await vpp.stop();
            vpp = await bringUp();
          },
          down,
          [Symbol.asyncDispose]: down,
        };
        return running;
      } catch (err) {
        await teardown.run().catch(() => undefined);
        throw err;
      }
    },
  };
}
