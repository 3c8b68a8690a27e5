/**
 * Host provisioning with an undo journal (core/teardown.ts): every change first records how to put back
 * what was there, and `restore()` (or disposal) undoes them in reverse, every one, also after a failure
 * half-way. A change that fails is undone at once, so a failed `up()` leaves the host as it was.
 */
import { ProvisionError } from '../../core/errors.ts';
import { Teardown } from '../../core/teardown.ts';
import type { Shell } from '../shell/shell.ts';
import { DEFAULT_HOST_PATHS, pciDevicePath, pciDriverPath, type HostPaths } from './host-paths.ts';
import { parseEswitchShowJson, type EswitchMode } from './parse-devlink.ts';
import { parseIpLinkJson, type VfInfo } from './parse-ip-link.ts';
import { parseVdpaDevJson, parseVdpaMgmtdevJson, type VdpaDev } from './parse-vdpa.ts';
import { readPciFunction } from './pci-function.ts';

export interface VfSettings {
  readonly mac?: string;
  readonly vlan?: number;
  readonly trust?: boolean;
  readonly spoofchk?: boolean;
}

/** One node's provisioning session. */
export class HostProvisioner implements AsyncDisposable {
  readonly #shell: Shell;
  readonly #paths: HostPaths;
  readonly #journal: Teardown;

  constructor(shell: Shell, paths: HostPaths = DEFAULT_HOST_PATHS) {
    this.#shell = shell;
    this.#paths = paths;
    this.#journal = new Teardown(shell.name, 'the node may be left with VFs, bindings or hugepages changed: fix by hand or reboot it');
  }

  /** What will be undone, oldest first (for logs and failure reports). */
  get pending(): readonly string[] {
    return this.#journal.pending();
  }

  /** Create `count` VFs on a PF (0 first, as the kernel requires), with driver autoprobe on or off. */
  async createVfs(pf: string, count: number, opts: { autoprobe?: boolean } = {}): Promise<ReadonlyMap<number, string>> {
    const dev = pciDevicePath(this.#paths, pf);
    const before = await readPciFunction(this.#shell, this.#paths, pf);
    if (!before.sriov) throw this.#error(`${pf} does not support SR-IOV (no sriov_totalvfs)`, 'use a PF of a NIC with SR-IOV enabled in firmware/BIOS');
    if (count > before.sriov.totalVfs) throw this.#error(`${pf} supports at most ${before.sriov.totalVfs} VFs, ${count} requested`, 'lower the VF count in the inventory');
    const priorNum = before.sriov.numVfs;
    const priorAuto = before.sriov.driversAutoprobe;
    await this.#step(`restore ${pf} sriov_numvfs=${priorNum}${priorAuto === undefined ? '' : ` autoprobe=${priorAuto ? 1 : 0}`}`, async () => {
      await this.#shell.writeFile(`${dev}/sriov_numvfs`, '0');
      if (priorAuto !== undefined) await this.#shell.writeFile(`${dev}/sriov_drivers_autoprobe`, priorAuto ? '1' : '0');
      if (priorNum > 0) await this.#shell.writeFile(`${dev}/sriov_numvfs`, String(priorNum));
    }, async () => {
      if (opts.autoprobe !== undefined && priorAuto !== undefined)
        await this.#shell.writeFile(`${dev}/sriov_drivers_autoprobe`, opts.autoprobe ? '1' : '0');
      if (priorNum !== 0) await this.#shell.writeFile(`${dev}/sriov_numvfs`, '0');
      if (count > 0) await this.#shell.writeFile(`${dev}/sriov_numvfs`, String(count));
    });
    const after = await readPciFunction(this.#shell, this.#paths, pf);
    if (after.sriov?.numVfs !== count || after.sriov.vfs.size !== count)
      throw this.#error(`${pf}: asked for ${count} VFs, sysfs shows ${after.sriov?.numVfs ?? 0} (${after.sriov?.vfs.size ?? 0} virtfn links)`, 'check dmesg on the node');
    return after.sriov.vfs;
  }

  /** `ip link set <pf> vf N mac|vlan|trust|spoofchk`, restoring the VF's previous settings at teardown. */
  async setVf(pfIfname: string, vf: number, s: VfSettings): Promise<void> {
    const prior = await this.vfInfo(pfIfname, vf);
    const args = (v: VfSettings): string[] => [
      ...(v.mac === undefined ? [] : ['mac', v.mac]),
      ...(v.vlan === undefined ? [] : ['vlan', String(v.vlan)]),
      ...(v.trust === undefined ? [] : ['trust', v.trust ? 'on' : 'off']),
      ...(v.spoofchk === undefined ? [] : ['spoofchk', v.spoofchk ? 'on' : 'off']),
    ];
    const back: VfSettings = {
      ...(s.mac === undefined ? {} : { mac: prior.mac }),
      ...(s.vlan === undefined ? {} : { vlan: prior.vlan }),
      ...(s.trust === undefined ? {} : { trust: prior.trust }),
      ...(s.spoofchk === undefined ? {} : { spoofchk: prior.spoofchk }),
    };
    if (args(s).length === 0) return;
    await this.#step(`restore ${pfIfname} vf ${vf} ${args(back).join(' ')}`, async () => {
      await this.#shell.run(['ip', 'link', 'set', pfIfname, 'vf', String(vf), ...args(back)]);
    }, async () => {
      await this.#shell.run(['ip', 'link', 'set', pfIfname, 'vf', String(vf), ...args(s)]);
    });
  }

  /** The VF's current settings from `ip -j link show <pf>`. */
  async vfInfo(pfIfname: string, vf: number): Promise<VfInfo> {
    const r = await this.#shell.run(['ip', '-j', 'link', 'show', 'dev', pfIfname]);
    const info = parseIpLinkJson(r.stdout)[0]?.vfs.find((v) => v.vf === vf);
    if (!info) throw this.#error(`${pfIfname} has no VF ${vf}`, 'create the VFs first (sriov_numvfs)');
    return info;
  }

  /**
   * Bind a function to `driver` (vfio-pci by default) through driver_override, so no other device with the
   * same id is captured; teardown unbinds it, clears the override and rebinds the previous driver.
   */
  async bindDriver(bdf: string, driver = 'vfio-pci'): Promise<void> {
    const before = await readPciFunction(this.#shell, this.#paths, bdf);
    if (before.driver === driver) return;
    const dev = pciDevicePath(this.#paths, bdf);
    const prior = before.driver;
    await this.#step(`rebind ${bdf} to ${prior ?? '(no driver)'}`, async () => {
      const now = await readPciFunction(this.#shell, this.#paths, bdf);
      if (now.driver) await this.#shell.writeFile(`${pciDriverPath(this.#paths, now.driver)}/unbind`, bdf);
      await this.#shell.writeFile(`${dev}/driver_override`, before.driverOverride ?? '\n');
      if (prior) await this.#shell.writeFile(`${pciDriverPath(this.#paths, prior)}/bind`, bdf);
    }, async () => {
      await this.#shell.writeFile(`${dev}/driver_override`, driver);
      if (prior) await this.#shell.writeFile(`${pciDriverPath(this.#paths, prior)}/unbind`, bdf);
      await this.#shell.writeFile(`${pciDriverPath(this.#paths, driver)}/bind`, bdf);
    });
    const after = await readPciFunction(this.#shell, this.#paths, bdf);
    if (after.driver !== driver) throw this.#error(`${bdf} is bound to ${after.driver ?? 'no driver'} after binding ${driver}`, `is the ${driver} module loaded (modprobe ${driver})?`);
  }

  /** `devlink dev eswitch set pci/<bdf> mode <mode>`, restoring the previous mode at teardown. */
  async setEswitchMode(pf: string, mode: EswitchMode): Promise<void> {
    const dev = `pci/${pf}`;
    const r = await this.#shell.run(['devlink', '-j', 'dev', 'eswitch', 'show', dev]);
    const prior = parseEswitchShowJson(r.stdout)[0]?.mode;
    if (!prior) throw this.#error(`devlink shows no eswitch for ${dev}`, 'switchdev needs a NIC that supports it (ConnectX-5+, E810)');
    if (prior === mode) return;
    await this.#step(`eswitch ${dev} back to ${prior}`, async () => {
      await this.#shell.run(['devlink', 'dev', 'eswitch', 'set', dev, 'mode', prior]);
    }, async () => {
      await this.#shell.run(['devlink', 'dev', 'eswitch', 'set', dev, 'mode', mode]);
    });
  }

  /** Add a vDPA device on a management device (`vdpa dev add`), deleted at teardown. */
  async addVdpaDevice(name: string, mgmtdev: string, opts: { mac?: string; maxVqp?: number } = {}): Promise<VdpaDev> {
    const m = await this.#shell.run(['vdpa', '-j', 'mgmtdev', 'show']);
    const mgmt = parseVdpaMgmtdevJson(m.stdout);
    if (!mgmt.some((d) => d.name === mgmtdev))
      throw this.#error(`no vDPA management device ${mgmtdev} (have: ${mgmt.map((d) => d.name).join(', ') || 'none'})`, 'switch the PF to switchdev and create VFs first; load mlx5_vdpa');
    await this.#step(`vdpa dev del ${name}`, async () => {
      await this.#shell.run(['vdpa', 'dev', 'del', name]);
    }, async () => {
      await this.#shell.run([
        'vdpa', 'dev', 'add', 'name', name, 'mgmtdev', mgmtdev,
        ...(opts.mac === undefined ? [] : ['mac', opts.mac]),
        ...(opts.maxVqp === undefined ? [] : ['max_vqp', String(opts.maxVqp)]),
      ]);
    });
    const d = await this.#shell.run(['vdpa', '-j', 'dev', 'show', name]);
    const dev = parseVdpaDevJson(d.stdout).find((x) => x.name === name);
    if (!dev) throw this.#error(`vdpa dev ${name} missing after creation`, 'check dmesg on the node');
    return dev;
  }

  /** Set the number of hugepages of a size on a NUMA node; the kernel may give fewer, which is an error. */
  async setHugepages(numaNode: number, sizeKb: number, count: number): Promise<void> {
    const file = `${this.#paths.sysfsRoot}/devices/system/node/node${numaNode}/hugepages/hugepages-${sizeKb}kB/nr_hugepages`;
    const prior = Number((await this.#shell.readFile(file)).trim());
    if (prior === count) return;
    await this.#step(`hugepages node${numaNode} ${sizeKb}kB back to ${prior}`, async () => {
      await this.#shell.writeFile(file, String(prior));
    }, async () => {
      await this.#shell.writeFile(file, String(count));
    });
    const got = Number((await this.#shell.readFile(file)).trim());
    if (got !== count)
      throw this.#error(`node${numaNode}: asked for ${count} hugepages of ${sizeKb} kB, the kernel gave ${got}`, 'memory is fragmented or short: reserve hugepages on the kernel command line (hugepages=, default_hugepagesz=)');
  }

  /** Undo everything, newest first; every step is attempted; the errors are reported together (TeardownError). */
  restore(): Promise<void> {
    return this.#journal.run();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.restore();
  }

  /** Record the undo first, then apply; when applying fails the undo runs at once for a clean state. */
  async #step(what: string, undo: () => Promise<void>, apply: () => Promise<void>): Promise<void> {
    const step = this.#journal.add(what, undo);
    try {
      await apply();
    } catch (e) {
      step.discard();
      try {
        await undo();
      } catch {
        // the apply error is the one to report; restore() of earlier steps still runs
      }
      throw e;
    }
  }

  #error(what: string, hint: string): ProvisionError {
    return new ProvisionError(what, { where: this.#shell.name, hint });
  }
}
