/**
 * VPP as the vswitch between generator and DUT on the local lab: generator -> VPP -> DUT -> VPP -> generator,
 * VPP cross-connecting (L2) generator port N with DUT port N, the DUT (l3fwd, testpmd) forwarding as usual.
 * - memif-vpp: VPP is the memif master of two sockets (one for the generator's ports, one for the DUT's);
 *   both DPDK applications connect as memif clients.
 * - vhost-user-vpp: VPP is the vhost-user client of four sockets; the generator and the DUT own them as
 *   virtio_user servers (the OVS arrangement: the vswitch can restart and reconnect).
 * Three pollers do not fit on two CPUs (findings §5: OVS-DPDK time-sliced that way forwarded 125-216 kpps).
 * With a CPU to itself (vswitchCpu, or a third core) VPP polls there; otherwise it shares the DUT's CPU.
 * Its rx-mode can be interrupt (VPP's main loop sleeps in epoll_wait until a peer signals a ring: DPDK's
 * memif and virtio_user write the eventfd after every burst while VPP asks for interrupts) or adaptive;
 * measured on two cores, polling (time-sliced with the DUT) forwards the most, so it is the default.
 * docs/local-lab.md has what each rx-mode measured.
 */
import { posix as path } from 'node:path';
import { ConfigError, ProvisionError } from '../../../core/errors.ts';
import { MAX_SOCKET_PATH } from '../../dpdk/runtime.ts';
import type { GeneratorPort } from '../../loadgen/traffic-generator.ts';
import { generatorPortMac } from '../../vpp/forwarding.ts';
import { locateVpp, type VppInstall } from '../../vpp/locate-vpp.ts';
import { startVpp, type RunningVpp } from '../../vpp/start-vpp.ts';
import type { Vppctl, VppRxMode } from '../../vpp/vppctl.ts';
import type { Datapath, GeneratorPlacement, RunningDatapath, Unavailable } from '../datapath.ts';
import { startDut } from './dut.ts';
import { checkHugepageBudget } from './hugepage-budget.ts';
import { resolveLocal, type LocalDatapathOptions, type ResolvedLocal } from './local-options.ts';
import { localDutAvailability } from './socket-pair.ts';
import { Teardown } from '../../../core/teardown.ts';
import { LOCAL_TEARDOWN_HINT, runningDatapath } from './running.ts';
import { VHOST_GENERATOR_PLACEMENT, VHOST_QUEUE_SIZE } from './vhost-user.ts';
import { VPP_DUT_MEMORY_MB } from './vpp-dut.ts';

export type VppVswitchDatapath = 'memif-vpp' | 'vhost-user-vpp';

export interface VppVswitchOptions extends LocalDatapathOptions {
  /** Where VPP is; default: locateVpp(). */
  readonly install?: VppInstall;
  /** VPP's rx-mode on all four interfaces; default polling (VPP's own default), also on a shared CPU. */
  readonly vswitchRxMode?: VppRxMode;
}

/**
 * Why a VPP restart is no vswitch-restart event here: the generator gets its links back (wsp-gen's relink),
 * but the DUT is a stock DPDK 22.11 application with the same vdevs and no such logic.
 */
const RESTART_GAP: Readonly<Record<VppVswitchDatapath, string>> = {
  'memif-vpp': "the DUT's memif client (DPDK 22.11) connects only when its port starts, so after a VPP restart its links would stay down (our generator reconnects; l3fwd and testpmd do not)",
  'vhost-user-vpp': "the DUT's virtio_user server (DPDK 22.11) kicks its rings only when its port starts, and VPP forwards on a vring only after a kick, so after a VPP restart nothing would reach the DUT (our generator kicks again; l3fwd and testpmd do not)",
};

/** Where VPP runs and how it receives. */
export interface VppVswitchPlacement {
  readonly cpu: number;
  /** VPP has the CPU to itself (else it shares the DUT's). */
  readonly ownCpu: boolean;
  readonly rxMode: VppRxMode;
}

/** VPP's CPU and rx-mode: a free CPU (vswitchCpu, or the first neither DUT nor generator uses) to poll on, else the DUT's. */
export function vppVswitchPlacement(local: ResolvedLocal, opts: Pick<VppVswitchOptions, 'vswitchCpu' | 'vswitchRxMode'>, where: string): VppVswitchPlacement {
  if (opts.vswitchCpu !== undefined && local.tgCpus.includes(opts.vswitchCpu)) {
    throw new ConfigError(`VPP and the generator both on CPU ${opts.vswitchCpu}`, { where, hint: 'give VPP a CPU the generator does not poll on (or none: it then shares the DUT CPU in interrupt mode)' });
  }
  const free = Array.from({ length: local.cpuCount }, (_, i) => i).find((c) => c !== local.dutCpu && !local.tgCpus.includes(c));
  const cpu = opts.vswitchCpu ?? free ?? local.dutCpu;
  const ownCpu = cpu !== local.dutCpu;
  // Polling also when VPP shares the DUT's CPU: measured on two cores it forwards more than interrupt or adaptive (docs/local-lab.md).
  return { cpu, ownCpu, rxMode: opts.vswitchRxMode ?? 'polling' };
}

/** The local memif-vpp or vhost-user-vpp datapath, with the lab's DUT (l3fwd, testpmd) behind VPP. */
export function vppVswitchDatapath(kind: VppVswitchDatapath, opts: VppVswitchOptions): Datapath {
  const local = resolveLocal(opts, kind);
  const where = `datapath ${kind}`;
  const placement = vppVswitchPlacement(local, opts, where);
  const located = (): { install: VppInstall } | { absent: string } => (opts.install ? { install: opts.install } : locateVpp());
  const availability = async (): Promise<Unavailable> => {
    const l = located();
    if ('absent' in l) return { reason: l.absent };
    return localDutAvailability(local);
  };
  return {
    kind,
    availability,
    async up(signal?: AbortSignal): Promise<RunningDatapath> {
      const why = await availability();
      if (why) throw new ProvisionError(`${kind} cannot start: ${why.reason}`, { where });
      const install = (located() as { install: VppInstall }).install;
      await checkHugepageBudget(
        local.shell,
        { byRoleMb: { 'vpp (vswitch)': VPP_DUT_MEMORY_MB, [`${local.dut} (dut)`]: local.dutMemoryMb, generator: local.generatorMemoryMb } },
        `the ${kind} datapath`,
      );
      const teardown = new Teardown(where, LOCAL_TEARDOWN_HINT);
      if (local.ownsRuntime) teardown.add('DPDK runtime directory', () => local.runtime.cleanup());
      try {
        signal?.throwIfAborted();
        const tagged = local.runtime.prefix('vppsw');
        const runDir = path.join(local.sockDir, 'vppsw');
        const memif = kind === 'memif-vpp';
        // memif: one socket per side (VPP listens); vhost-user: one per port (generator and DUT listen).
        const sock = (name: string) => path.join(memif ? runDir : local.sockDir, `${name}.sock`);
        const sockets = memif ? { gen: [sock('gen')], dut: [sock('dut')] } : { gen: [sock('vsw-g0'), sock('vsw-g1')], dut: [sock('vsw-d0'), sock('vsw-d1')] };
        for (const s of [...sockets.gen, ...sockets.dut, path.join(runDir, 'stats.sock')]) {
          if (s.length > MAX_SOCKET_PATH) throw new ConfigError(`socket path ${s} is longer than ${MAX_SOCKET_PATH} characters`, { where, hint: 'use a shorter run directory' });
        }
        await local.shell.run(['mkdir', '-p', local.sockDir], { timeoutMs: 10_000 });
        if (!memif) {
          const removeSockets = () => local.shell.run(['rm', '-f', '--', ...sockets.gen, ...sockets.dut], { timeoutMs: 10_000 });
          await removeSockets();
          teardown.add('vhost-user socket files', removeSockets);
        }
        const spec = { runDir, mainCore: placement.cpu, workerCores: [], pci: [], memifPlugin: memif, vhostPlugin: !memif, apiPrefix: tagged };
        const vpp: RunningVpp = await startVpp(local.shell, spec, { binary: install.vpp, vppctlBinary: install.vppctl, confName: `${tagged}.conf`, label: 'vpp (vswitch)' });
        teardown.add('vpp (vswitch)', () => vpp.stop());
        const v = vpp.vppctl;
        const gen: string[] = [];
        const dut: string[] = [];
        // VPP's interfaces first: a memif client fails at start when no master listens, and a virtio_user
        // server (DUT, generator) does not come up until its client (VPP, retrying every second) connects.
        if (memif) {
          await v.createMemifSocket(1, sockets.gen[0]!);
          await v.createMemifSocket(2, sockets.dut[0]!);
          for (const p of [0, 1]) gen.push(await v.createMemif({ socketId: 1, id: p, role: 'master' }));
          for (const p of [0, 1]) dut.push(await v.createMemif({ socketId: 2, id: p, role: 'master' }));
        } else {
          for (const p of [0, 1]) gen.push(await v.createVhostUser(sockets.gen[p]!, { server: false }));
          for (const p of [0, 1]) dut.push(await v.createVhostUser(sockets.dut[p]!, { server: false }));
        }
        for (const p of [0, 1]) {
          for (const ifname of [gen[p]!, dut[p]!]) await v.setState(ifname, true);
          await v.cli('set', 'interface', 'l2', 'xconnect', gen[p]!, dut[p]!);
          await v.cli('set', 'interface', 'l2', 'xconnect', dut[p]!, gen[p]!);
        }
        signal?.throwIfAborted();
        const dutProcess = await startDut({
          local,
          shell: local.shell,
          vdevs: [0, 1].map((p) =>
            memif
              ? `net_memif${p},role=client,id=${p},socket=${sockets.dut[0]},socket-abstract=no`
              : `net_virtio_user${p},path=${sockets.dut[p]},queues=1,queue_size=${VHOST_QUEUE_SIZE},server=1`,
          ),
          ...(opts.startTimeoutMs === undefined ? {} : { startTimeoutMs: opts.startTimeoutMs }),
        });
        teardown.add(dutProcess.label, () => dutProcess.stop());
        const keeper = keepRxMode(v, [...gen, ...dut], placement.rxMode);
        teardown.add('rx-mode keeper', () => keeper.stop());
        signal?.throwIfAborted();
        const generatorPorts: GeneratorPort[] = [0, 1].map((p) => ({
          kind: 'vdev',
          name: `p${p}`,
          vdev: memif
            ? `net_memif${p},role=client,id=${p},socket=${sockets.gen[0]},socket-abstract=no,rsize=14,mac=${generatorPortMac(p)}`
            : `net_virtio_user${p},path=${sockets.gen[p]},queues=1,queue_size=${VHOST_QUEUE_SIZE},server=1,mac=${generatorPortMac(p)}`,
        }));
        const generator: GeneratorPlacement = memif ? { keepConnected: true, cpus: local.tgCpus } : { ...VHOST_GENERATOR_PLACEMENT, cpus: local.tgCpus };
        const running = runningDatapath({ kind, dutKind: local.dut, dut: dutProcess, generatorPorts, generator, teardown, gaps: { restartVswitch: RESTART_GAP[kind] } });
        return Object.assign(running, { vswitch: { vpp, placement, rxModeApplied: keeper.applied } });
      } catch (err) {
        await teardown.run().catch(() => undefined);
        throw err;
      }
    },
  };
}

/** A running memif-vpp / vhost-user-vpp datapath: VPP and where it runs, for tests and benchmarks. */
export interface RunningVppVswitch extends RunningDatapath {
  readonly vswitch: {
    readonly vpp: RunningVpp;
    readonly placement: VppVswitchPlacement;
    /** Resolves once every queue of the four interfaces is in the rx-mode (after the generator connected). */
    rxModeApplied(timeoutMs?: number): Promise<void>;
  };
}

/** How often the keeper looks while a queue is not in the mode yet, and once all are. */
const KEEP_FAST_MS = 100;
const KEEP_SLOW_MS = 1000;

/**
 * Keep VPP's interfaces in `mode`. VPP gives a memif or vhost-user queue its default mode (polling)
 * whenever its peer (re)connects, and has no setting for that default, so a mode set before the generator
 * connects does not stick: the keeper reads `show interface rx-placement` and sets the mode again on any
 * interface with a queue in another one, until stopped. Polling is VPP's default: nothing to keep.
 */
function keepRxMode(v: Vppctl, ifnames: readonly string[], mode: VppRxMode): { applied(timeoutMs?: number): Promise<void>; stop(): Promise<void> } {
  let stopped = mode === 'polling';
  let allSet = mode === 'polling';
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });
  const loop = (async () => {
    while (!stopped) {
      try {
        const queues = (await v.showRxPlacement()).filter((q) => ifnames.includes(q.ifname));
        const off = [...new Set(queues.filter((q) => q.mode !== mode).map((q) => q.ifname))];
        for (const ifname of off) await v.setRxMode(ifname, mode);
        // Every interface has its queue (its peer is connected), and none was off this time.
        allSet = off.length === 0 && ifnames.every((i) => queues.some((q) => q.ifname === i));
      } catch {
        allSet = false; // VPP busy or going down: look again
      }
      if (!stopped) await sleep(allSet ? KEEP_SLOW_MS : KEEP_FAST_MS);
    }
  })();
  return {
    async applied(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!allSet) {
        if (Date.now() > deadline) throw new ProvisionError(`VPP's interfaces ${ifnames.join(', ')} did not all reach rx-mode ${mode} within ${timeoutMs} ms`, { where: 'vpp (vswitch)', hint: 'are both the generator and the DUT connected? see `vppctl show interface rx-placement`' });
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
