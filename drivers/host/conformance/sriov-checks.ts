/**
 * SR-IOV conformance checks on one host's NIC, after what the sriov-network-operator conformance suite
 * covers: VFs created up to the NIC's and the requested count, VF MAC / VLAN+QoS / trust / spoof checking /
 * link state set through the PF and read back, a large MTU on the PF and a VF netdev, RDMA devices on
 * ConnectX VFs, vDPA devices where the NIC has them. Everything goes through HostProvisioner, so the host
 * is put back as it was afterwards, also when a check fails half-way.
 */
import { DEFAULT_HOST_PATHS, type HostPaths } from '../host-paths.ts';
import type { NicModel } from '../../../lab/nic-catalogue.ts';
import { readPciFunction } from '../pci-function.ts';
import { HostProvisioner } from '../provisioner.ts';
import type { Shell } from '../../shell/shell.ts';

/** The checks that act on a host (the device-plugin restart needs a Kubernetes lab). */
export const HOST_SRIOV_CHECKS = ['vf-create', 'vf-mac', 'vf-vlan', 'vf-trust', 'vf-spoofchk', 'vf-link-state', 'vf-mtu', 'vf-rdma', 'vdpa-devices'] as const;
export type HostSriovCheck = (typeof HOST_SRIOV_CHECKS)[number];

export interface SriovTarget {
  readonly shell: Shell;
  readonly paths?: HostPaths;
  /** PCI addresses of the NIC's PFs on this host. */
  readonly pfs: readonly string[];
  readonly model: NicModel;
}

export interface SriovCheckParams {
  /** VFs to create per PF: the PF's sriov_totalvfs caps it. */
  readonly vfsPerPf: number;
  /** MTU set on a PF and on a VF netdev. */
  readonly maxMtu: number;
}

export interface CheckOutcome {
  readonly test: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  /** What was seen (passed), what went wrong (failed) or why it cannot run here (skipped). */
  readonly detail: string;
  readonly durationS: number;
}

/** An error as one line: a failed command's message with its output (the kernel's answer) folded in. */
function oneLine(e: unknown): string {
  const text = (e instanceof Error ? e.message : String(e)).split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  return text.length > 400 ? `${text.slice(0, 399)}…` : text;
}

class CheckFailed extends Error {}
/** A check that cannot run on this NIC (the reason is the message). */
class SkipCheck extends Error {}
const expectEq = <T>(what: string, got: T, want: T): void => {
  if (got !== want) throw new CheckFailed(`${what}: expected ${String(want)}, read back ${String(got)}`);
};

/**
 * Run `tests` (in HOST_SRIOV_CHECKS order) on the target. Each outcome goes to `onOutcome` as soon as it is
 * known (so a caller records it before the next check starts), and all of them are returned. The host is
 * restored before this returns; a restore that fails throws (ProvisionError) after every outcome was handed on.
 */
export async function runSriovChecks(
  target: SriovTarget,
  params: SriovCheckParams,
  tests: readonly string[],
  onOutcome: (o: CheckOutcome) => Promise<void> | void = () => {},
): Promise<CheckOutcome[]> {
  const paths = target.paths ?? DEFAULT_HOST_PATHS;
  const sh = target.shell;
  let prov = new HostProvisioner(sh, paths);
  const out: CheckOutcome[] = [];
  const wanted = new Set(tests);
  /** PF → its netdev and the VFs created on it (VF index → BDF). */
  const pfs = new Map<string, { ifname: string; vfs: ReadonlyMap<number, string> }>();
  let created: string | undefined; // why VFs are missing, when vf-create did not make them

  const run = async (test: HostSriovCheck, body: () => Promise<string>): Promise<void> => {
    if (!wanted.has(test)) return;
    const t0 = Date.now();
    let status: CheckOutcome['status'] = 'passed';
    let detail: string;
    try {
      detail = await body();
    } catch (e) {
      if (e instanceof SkipCheck) {
        status = 'skipped';
        detail = e.message;
      } else {
        status = 'failed';
        detail = oneLine(e);
      }
    }
    const o = { test, status, detail, durationS: (Date.now() - t0) / 1000 };
    out.push(o);
    await onOutcome(o);
  };
  const needVfs = (): void => {
    if (created !== undefined) throw new CheckFailed(`no VFs to check: ${created}`);
  };
  const first = (): { pf: string; ifname: string } => {
    const [pf, s] = [...pfs.entries()][0]!;
    return { pf, ifname: s.ifname };
  };

  try {
    // VFs are created whenever any check needs them; vf-create reports on it.
    const createVfs = async (): Promise<string> => {
      const parts: string[] = [];
      for (const pf of target.pfs) {
        const info = await readPciFunction(sh, paths, pf);
        if (!info.sriov) throw new CheckFailed(`${pf} offers no SR-IOV (no sriov_totalvfs): enable SR-IOV in the NIC's firmware and the BIOS`);
        const ifname = info.netdevs[0];
        if (!ifname) throw new CheckFailed(`${pf} has no netdev: bind it to ${target.model.pfKernelDriver} to set VF options through the PF`);
        const count = Math.min(info.sriov.totalVfs, params.vfsPerPf);
        const vfs = await prov.createVfs(pf, count, { autoprobe: true });
        for (const [i, vf] of vfs) {
          const f = await readPciFunction(sh, paths, vf);
          expectEq(`${pf} VF ${i} (${vf}) PCI id`, f.pciId, target.model.vfPciId);
          expectEq(`${pf} VF ${i} (${vf}) physfn`, f.physfn, pf);
        }
        pfs.set(pf, { ifname, vfs });
        parts.push(`${pf} (${ifname}): ${count} of ${params.vfsPerPf} asked, sriov_totalvfs ${info.sriov.totalVfs}`);
      }
      const listed = (await sh.run(['lspci', '-Dnn'])).stdout.split('\n').filter((l) => l.includes(`[${target.model.vfPciId}]`)).length;
      const total = [...pfs.values()].reduce((s, p) => s + p.vfs.size, 0);
      expectEq(`VFs lspci lists with id ${target.model.vfPciId}`, listed, total);
      return `${total} VFs with PCI id ${target.model.vfPciId}: ${parts.join('; ')}`;
    };
    if (HOST_SRIOV_CHECKS.some((c) => wanted.has(c))) {
      let report: string | undefined;
      try {
        report = await createVfs();
      } catch (e) {
        created = oneLine(e);
      }
      await run('vf-create', async () => {
        if (report === undefined) throw new CheckFailed(created!);
        return report;
      });
    }

    await run('vf-mac', async () => {
      needVfs();
      const { ifname } = first();
      const mac = '02:00:5e:10:00:01';
      await prov.setVf(ifname, 0, { mac });
      expectEq(`${ifname} vf 0 mac`, (await prov.vfInfo(ifname, 0)).mac.toLowerCase(), mac);
      return `${ifname} vf 0 mac ${mac} read back`;
    });
    await run('vf-vlan', async () => {
      needVfs();
      const { ifname } = first();
      await prov.setVf(ifname, 0, { vlan: 100, qos: 3 });
      const v = await prov.vfInfo(ifname, 0);
      expectEq(`${ifname} vf 0 vlan`, v.vlan, 100);
      expectEq(`${ifname} vf 0 qos`, v.qos, 3);
      await prov.setVf(ifname, 0, { vlan: 0 });
      expectEq(`${ifname} vf 0 vlan after clearing`, (await prov.vfInfo(ifname, 0)).vlan, 0);
      return `${ifname} vf 0 vlan 100 qos 3 read back, then cleared`;
    });
    await run('vf-trust', async () => {
      needVfs();
      const { ifname } = first();
      for (const trust of [true, false]) {
        await prov.setVf(ifname, 0, { trust });
        expectEq(`${ifname} vf 0 trust`, (await prov.vfInfo(ifname, 0)).trust, trust);
      }
      return `${ifname} vf 0 trust on, then off, read back`;
    });
    await run('vf-spoofchk', async () => {
      needVfs();
      const { ifname } = first();
      for (const spoofchk of [false, true]) {
        await prov.setVf(ifname, 0, { spoofchk });
        expectEq(`${ifname} vf 0 spoofchk`, (await prov.vfInfo(ifname, 0)).spoofchk, spoofchk);
      }
      return `${ifname} vf 0 spoof checking off, then on, read back`;
    });
    await run('vf-link-state', async () => {
      needVfs();
      const { ifname } = first();
      for (const linkState of ['enable', 'disable', 'auto'] as const) {
        await prov.setVf(ifname, 0, { linkState });
        expectEq(`${ifname} vf 0 link state`, (await prov.vfInfo(ifname, 0)).linkState, linkState);
      }
      return `${ifname} vf 0 link state enable, disable, auto read back`;
    });
    await run('vf-mtu', async () => {
      needVfs();
      const { pf, ifname } = first();
      const vf = pfs.get(pf)!.vfs.get(0)!;
      const vfIf = (await readPciFunction(sh, paths, vf)).netdevs[0];
      if (!vfIf) throw new CheckFailed(`VF ${vf} has no netdev: is ${target.model.vfKernelDriver} loaded?`);
      await prov.setMtu(ifname, params.maxMtu);
      expectEq(`${ifname} mtu`, (await prov.linkInfo(ifname)).mtu, params.maxMtu);
      await prov.setMtu(vfIf, params.maxMtu);
      expectEq(`${vfIf} mtu`, (await prov.linkInfo(vfIf)).mtu, params.maxMtu);
      return `MTU ${params.maxMtu} set and read back on PF ${ifname} and VF ${vfIf}`;
    });
    await run('vf-rdma', async () => {
      if (target.model.vendor !== 'nvidia') throw new SkipCheck(`${target.model.name} has no RDMA-capable VFs (RDMA on VFs is ConnectX's, through mlx5_ib)`);
      needVfs();
      const found: string[] = [];
      for (const { vfs } of pfs.values()) {
        for (const vf of vfs.values()) {
          const r = await sh.exec(['ls', '-1', `${paths.sysfsRoot}/bus/pci/devices/${vf}/infiniband`]);
          const dev = r.exitCode === 0 ? r.stdout.trim().split('\n')[0] : undefined;
          if (!dev) throw new CheckFailed(`VF ${vf} has no RDMA device (no infiniband/ in sysfs): is mlx5_ib loaded and RDMA enabled for VFs?`);
          found.push(`${vf}: ${dev}`);
        }
      }
      return `an RDMA device on every VF (${found.length}): ${found.slice(0, 4).join(', ')}${found.length > 4 ? ', …' : ''}`;
    });
    // vDPA wants the eswitch in switchdev before its VFs exist (as the vdpa datapath sets it up): put the
    // host back first, then switch, create one VF and add the device on it.
    await prov.restore();
    prov = new HostProvisioner(sh, paths);
    await run('vdpa-devices', async () => {
      if (!target.model.capabilities.vdpa) throw new SkipCheck(`${target.model.name} has no vDPA (vDPA on VFs needs mlx5_vdpa: ConnectX-6 Dx and later)`);
      const pf = target.pfs[0]!;
      await prov.setEswitchMode(pf, 'switchdev');
      const vf = (await prov.createVfs(pf, 1)).get(0)!;
      const dev = await prov.addVdpaDevice('wsp-conformance0', `pci/${vf}`, { mac: '02:00:5e:10:00:02' });
      return `vDPA device ${dev.name} on ${dev.mgmtdev} (eswitch switchdev on ${pf})`;
    });
  } finally {
    await prov.restore();
  }
  return out;
}
