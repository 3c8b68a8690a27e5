/**
 * Bare-metal datapaths on a 2-node (tg + dut) or 1-node lab, reached over the nodes' shells (SSH):
 *  - pf: DUT on the physical functions (Intel to vfio-pci, mlx5 stays on mlx5_core), as DPDK's NIC reports test;
 *  - sriov: one VF per DUT port (autoprobe off, MAC/trust/spoofchk set, vfio-pci unless mlx5), DUT on the VFs;
 *  - vdpa: PF to switchdev, one VF, uplink and VF representors up and joined by tc redirects (switchdev
 *    forwards nothing by itself), `vdpa dev add`, DUT on virtio_user over /dev/vhost-vdpa-N;
 *  - vhost-user-ovs: PFs into OVS-DPDK, vhost-user client ports towards the DUT (virtio_user server=1);
 *  - vhost-user (VPP) and memif (VPP): PFs into VPP, vhost-user or memif towards the DUT.
 * The generator (pktgen) uses the tg node's PFs. Every change is journaled by HostProvisioner and undone
 * at down(), also when up() fails half-way.
 */
import { ProvisionError } from '../../../core/errors.ts';
import { Teardown } from '../../../core/teardown.ts';
import type { Lab } from '../../../lab/model.ts';
import type { DatapathKind } from '../../../lab/schema.ts';
import { DEFAULT_HOST_PATHS, type HostPaths } from '../../host/host-paths.ts';
import { readPciFunction } from '../../host/pci-function.ts';
import { representorsOf } from '../../host/representors.ts';
import { physicalCoresOf } from '../../host/cpu-topology.ts';
import { HostProvisioner } from '../../host/provisioner.ts';
import type { Shell } from '../../shell/shell.ts';
import type { GeneratorPort } from '../../loadgen/traffic-generator.ts';
import type { Datapath, DutInfo, RunningDatapath, Unavailable } from '../datapath.ts';
import { resolveTopology, type BaremetalTopology } from './topology.ts';
import type { NodeShells } from '../../shell/node-shells.ts';

/** How the DUT reaches one of its ports. */
export type DutPort =
  | { readonly kind: 'pci'; readonly pci: string; readonly mac: string }
  | { readonly kind: 'vdev'; readonly vdev: string; readonly mac: string };

/** A started DUT application (l3fwd, testpmd ...). */
export interface StartedDut {
  readonly info: DutInfo;
  log(): string;
  alive(): boolean;
  death(): string | null;
  stop(): Promise<void>;
}

/**
 * Starts the DUT application on the DUT node with its ports in topology order, polling on the first `cores`
 * of `cpus` (default 1) with as many RSS queues per port.
 */
export type DutStarter = (o: { shell: Shell; ports: readonly DutPort[]; cpus: readonly number[]; cores?: number }) => Promise<StartedDut>;

/** A vswitch between the physical ports and the DUT (vhost-user, memif kinds). */
export type VswitchStarter = (o: {
  kind: 'vhost-user' | 'vhost-user-ovs' | 'memif';
  shell: Shell;
  physical: readonly string[];
  runId: string;
  cpus: readonly number[];
}) => Promise<{ dutPorts: readonly DutPort[]; info: DutInfo; stop: () => Promise<void> }>;

export interface BaremetalOptions {
  readonly lab: Lab;
  /** The nodes' shells (drivers/shell/node-shells.ts). */
  readonly shells: NodeShells;
  readonly runId: string;
  readonly startDut: DutStarter;
  readonly startVswitch?: VswitchStarter;
  /** sysfs/proc of a node (tests point this at a fake tree). */
  readonly hostPaths?: (node: string) => HostPaths;
  /** DUT polling cores (default 1), each on its own physical core, with as many RSS queues per port. */
  readonly dutCores?: number;
}

/** The DUT node's CPUs left for the DUT: with a vswitch, the second half of cpus.dut (the first is the vswitch's). */
export function dutCpusOf(kind: DatapathKind, cpus: readonly number[]): readonly number[] {
  return kind === 'vhost-user' || kind === 'vhost-user-ovs' || kind === 'memif' ? cpus.slice(Math.ceil(cpus.length / 2)) : cpus;
}

/** Locally administered MAC for DUT port i of a run: 02:57:53:xx:xx:0i ("WS"). */
export function dutMac(runId: string, i: number): string {
  let h = 0;
  for (const c of runId) h = (h * 31 + c.charCodeAt(0)) & 0xffff;
  return `02:57:53:${(h >> 8).toString(16).padStart(2, '0')}:${(h & 0xff).toString(16).padStart(2, '0')}:${i.toString(16).padStart(2, '0')}`;
}

/** A PF's MAC from its netdev (`ip -j link`); the inventory's `mac` of the port spares the lookup. */
async function pfMac(shell: Shell, prov: HostProvisioner, paths: HostPaths, pci: string, node: string): Promise<string> {
  const netdev = (await readPciFunction(shell, paths, pci)).netdevs[0];
  const mac = netdev === undefined ? undefined : (await prov.linkInfo(netdev)).mac;
  if (mac === undefined) {
    throw new ProvisionError(`PF ${pci} has no netdev to read its MAC from (driver unbound, or already on vfio-pci)`, {
      where: node,
      hint: `give the port's MAC in the inventory (ports: - { name, pci: "${pci}", mac: "…" })`,
    });
  }
  return mac;
}

/**
 * The DUT's lcores must sit on distinct physical cores: the scenario id says `NtNc` (CSIT: N threads on N
 * cores), and SMT siblings share one core's pipeline. A host whose sysfs has no topology is taken as it is.
 */
async function checkOwnCores(shell: Shell, paths: HostPaths, cpus: readonly number[], node: string): Promise<void> {
  const topo = await physicalCoresOf(shell, paths, cpus);
  if (topo === undefined || topo.siblingPairs.length === 0) return;
  throw new ProvisionError(`DUT CPUs ${topo.siblingPairs.map(([a, b]) => `${a} and ${b}`).join(', ')} are SMT siblings of one core: ${cpus.length} lcores would sit on ${topo.cores} core${topo.cores === 1 ? '' : 's'}, not ${cpus.length}`, {
    where: `node ${node} cpus.dut`,
    hint: 'list CPUs of distinct physical cores first in cpus.dut (see /sys/devices/system/cpu/cpuN/topology/thread_siblings_list)',
  });
}

/** The bare-metal Datapath of a kind. */
export function baremetalDatapath(kind: DatapathKind, o: BaremetalOptions): Datapath {
  const resolved = () => resolveTopology(o.lab, kind);
  return {
    kind,
    async availability(): Promise<Unavailable> {
      const t = resolved();
      if ('reason' in t) return { reason: t.reason };
      if ((kind === 'vhost-user' || kind === 'vhost-user-ovs' || kind === 'memif') && !o.startVswitch)
        return { reason: `${kind} on bare metal needs a vswitch driver (OVS-DPDK or VPP) wired in` };
      const cores = o.dutCores ?? 1;
      const cpus = dutCpusOf(kind, t.dut.cpus.dut);
      if (cpus.length < cores) {
        return { reason: `${cores} DUT cores need ${cores} DUT CPUs: node ${t.dut.name} gives the DUT ${cpus.length} (cpus.dut${cpus.length < t.dut.cpus.dut.length ? `, the other half is the vswitch's` : ''})` };
      }
      return null;
    },
    async up(): Promise<RunningDatapath> {
      const t = resolved();
      if ('reason' in t) throw new ProvisionError(`${kind} cannot start: ${t.reason}`, { where: `datapath ${kind}`, hint: 'run wirespeed lab check on this lab' });
      return bringUp(kind, t, o);
    },
  };
}

async function bringUp(kind: DatapathKind, t: BaremetalTopology, o: BaremetalOptions): Promise<RunningDatapath> {
  const paths = (node: string) => o.hostPaths?.(node) ?? DEFAULT_HOST_PATHS;
  const dutShell = await o.shells.of(t.dut);
  const tgShell = await o.shells.of(t.tg);
  const dutProv = new HostProvisioner(dutShell, paths(t.dut.name));
  const tgProv = t.tg === t.dut ? dutProv : new HostProvisioner(tgShell, paths(t.tg.name));
  let dut: StartedDut | undefined;
  let vswitch: { stop: () => Promise<void>; info: DutInfo } | undefined;
  /** sriov: the PF netdev of the DUT's first port, whose link (or VF 0's) the failover events take down. */
  let linkDownVia: string | undefined;
  // Newest first on the way down: DUT, vswitch, then each node's provisioning. Every step runs and every
  // failure is reported (a DUT that will not stop must not keep the VFs of the node from being restored).
  const teardown = new Teardown(`datapath ${kind} on ${t.dut.name}`, 'check the nodes for DPDK processes, VFs and driver bindings of this run');
  if (tgProv !== dutProv) teardown.add(`restore ${t.tg.name}`, () => tgProv.restore());
  teardown.add(`restore ${t.dut.name}`, () => dutProv.restore());
  const undo = () => teardown.run();
  const dutCpus = dutCpusOf(kind, t.dut.cpus.dut);
  const cores = o.dutCores ?? 1;
  // Before anything is changed on the nodes: the cells' cores are checked first.
  if (cores > 1) await checkOwnCores(dutShell, paths(t.dut.name), dutCpus.slice(0, cores), t.dut.name);
  try {
    // generator side: PFs for DPDK (Intel to vfio-pci; mlx5 stays on mlx5_core)
    for (const p of t.pairs) if (p.tg.model.dpdkBinding === 'vfio-pci') await tgProv.bindDriver(p.tg.port.pci, 'vfio-pci');
    const dutPorts: DutPort[] = [];
    switch (kind) {
      case 'pf':
        for (const p of t.pairs) {
          // The MAC is the PF's own (DPDK keeps it): read while the kernel still owns the port.
          const mac = p.dut.port.mac ?? (await pfMac(dutShell, dutProv, paths(t.dut.name), p.dut.port.pci, t.dut.name));
          if (p.dut.model.dpdkBinding === 'vfio-pci') await dutProv.bindDriver(p.dut.port.pci, 'vfio-pci');
          dutPorts.push({ kind: 'pci', pci: p.dut.port.pci, mac });
        }
        break;
      case 'sriov':
        for (const [i, p] of t.pairs.entries()) {
          const vfs = await dutProv.createVfs(p.dut.port.pci, 1, { autoprobe: false });
          const vf = vfs.get(0)!;
          const pfIf = (await readPciFunction(dutShell, paths(t.dut.name), p.dut.port.pci)).netdevs[0];
          if (!pfIf) throw new ProvisionError(`PF ${p.dut.port.pci} has no netdev to set VF properties on`, { where: t.dut.name, hint: `bind it to ${p.dut.model.pfKernelDriver}` });
          const mac = dutMac(o.runId, i);
          await dutProv.setVf(pfIf, 0, { mac, trust: true, spoofchk: false });
          linkDownVia ??= pfIf;
          if (p.dut.model.dpdkBinding === 'vfio-pci') await dutProv.bindDriver(vf, 'vfio-pci');
          else await dutProv.bindDriver(vf, p.dut.model.vfKernelDriver);
          dutPorts.push({ kind: 'pci', pci: vf, mac });
        }
        break;
      case 'vdpa':
        for (const [i, p] of t.pairs.entries()) {
          await dutProv.setEswitchMode(p.dut.port.pci, 'switchdev');
          const vf = (await dutProv.createVfs(p.dut.port.pci, 1)).get(0)!;
          // switchdev forwards nothing by itself: the wire (uplink representor) and the VF (its representor)
          // are joined by a redirect each way, offloaded to the eswitch, with the PF and representor up.
          const reps = await representorsOf(dutShell, p.dut.port.pci);
          const vfRep = reps.vfs.get(0);
          if (!vfRep) throw new ProvisionError(`devlink shows no representor for VF 0 of ${p.dut.port.pci}`, { where: t.dut.name, hint: 'the PF must be in switchdev mode before its VFs are created' });
          await dutProv.setLinkUp(reps.uplink);
          await dutProv.setLinkUp(vfRep);
          await dutProv.redirectIngress(reps.uplink, vfRep);
          await dutProv.redirectIngress(vfRep, reps.uplink);
          const mac = dutMac(o.runId, i);
          const name = `wsp${o.runId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8)}v${i}`;
          await dutProv.addVdpaDevice(name, `pci/${vf}`, { mac });
          const dev = await dutShell.run(['ls', `${paths(t.dut.name).sysfsRoot}/bus/vdpa/devices/${name}`]);
          const vhost = dev.stdout.split('\n').map((s) => s.trim()).find((s) => /^vhost-vdpa-\d+$/.test(s));
          if (!vhost) throw new ProvisionError(`vdpa device ${name} has no vhost-vdpa char device`, { where: t.dut.name, hint: 'modprobe vhost_vdpa and bind the device to it (/sys/bus/vdpa/drivers/vhost_vdpa/bind)' });
          dutPorts.push({ kind: 'vdev', vdev: `net_virtio_user${i},path=/dev/${vhost},queues=1,queue_size=1024`, mac });
        }
        break;
      case 'vhost-user':
      case 'vhost-user-ovs':
      case 'memif': {
        if (!o.startVswitch) throw new ProvisionError(`${kind} needs a vswitch driver`, { where: `datapath ${kind}` });
        for (const p of t.pairs) if (p.dut.model.dpdkBinding === 'vfio-pci') await dutProv.bindDriver(p.dut.port.pci, 'vfio-pci');
        const half = Math.ceil(t.dut.cpus.dut.length / 2);
        const v = await o.startVswitch({ kind, shell: dutShell, physical: t.pairs.map((p) => p.dut.port.pci), runId: o.runId, cpus: t.dut.cpus.dut.slice(0, half) });
        vswitch = v;
        teardown.add(`stop ${v.info.kind} vswitch`, () => v.stop());
        dutPorts.push(...v.dutPorts);
        break;
      }
      case 'veth':
        throw new ProvisionError('veth has no bare-metal form');
    }
    dut = await o.startDut({ shell: dutShell, ports: dutPorts, cpus: dutCpus, ...(cores > 1 ? { cores } : {}) });
    const started = dut;
    teardown.add(`stop DUT ${started.info.kind}`, () => started.stop());
  } catch (e) {
    await undo().catch(() => undefined);
    throw e;
  }
  const generatorPorts: GeneratorPort[] = t.pairs.map((p, i) => ({ kind: 'pci', name: `p${i}`, pci: p.tg.port.pci, ...(p.tg.port.mac ? { mac: p.tg.port.mac } : {}) }));
  let down: Promise<void> | undefined;
  const started = dut;
  const via = linkDownVia;
  const running: RunningDatapath = {
    kind,
    generatorPorts,
    ...(via === undefined
      ? { gaps: { nicLinkDown: `a PF or VF link down needs the PF in the kernel's hands with the DUT on a VF (the sriov datapath); ${kind} ${kind === 'pf' ? 'gives the PF to DPDK' : 'has no VF of the DUT on a PF'}` } }
      : {
          capabilities: {
            nicLinkDown: {
              // Port 0's PF (every VF on it goes down with it), or the DUT's VF 0 on that PF alone.
              nicLinkDown: async (target, downS) => {
                const pulse = await dutProv.linkDownFor(target === 'pf' ? { ifname: via } : { pfIfname: via, vf: 0 }, downS);
                return { startMs: pulse.downMs[0], endMs: pulse.upMs[1], downMs: pulse.downMs, upMs: pulse.upMs };
              },
            },
          },
        }),
    generator: { cpus: t.tg.cpus.tg },
    dut: started.info,
    dutLog: () => started.log(),
    dutAlive: () => started.alive(),
    dutDeath: () => started.death(),
    down: () => (down ??= undo()),
    [Symbol.asyncDispose]: () => running.down(),
  };
  return running;
}
