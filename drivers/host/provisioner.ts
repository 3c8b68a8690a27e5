/**
 * Host provisioning with an undo journal (core/teardown.ts): every change first records how to put back
 * what was there, and `restore()` (or disposal) undoes them in reverse, every one, also after a failure
 * half-way. A change that fails is undone at once, so a failed `up()` leaves the host as it was.
 */
import { CommandFailedError, ProvisionError, TimeoutError } from '../../core/errors.ts';
import { Teardown } from '../../core/teardown.ts';
import type { Shell } from '../shell/shell.ts';
import { DEFAULT_HOST_PATHS, pciDevicePath, pciDriverPath, type HostPaths } from './host-paths.ts';
import { parseEswitchShowJson, type EswitchMode } from './parse-devlink.ts';
import { parseIpLinkJson, type LinkInfo, type VfInfo } from './parse-ip-link.ts';
import { parseVdpaDevJson, parseVdpaMgmtdevJson, type VdpaDev } from './parse-vdpa.ts';
import { readPciFunction } from './pci-function.ts';

export interface VfSettings {
  readonly mac?: string;
  readonly vlan?: number;
  /** 802.1p priority of the VLAN tag; only with `vlan` (ip-link: `vlan V qos Q`). */
  readonly qos?: number;
  readonly trust?: boolean;
  readonly spoofchk?: boolean;
  /** `state`: auto follows the PF's link, enable and disable force it. */
  readonly linkState?: 'auto' | 'enable' | 'disable';
}

/** When a link went down and came back, each bracketed by the start and the end of its command (wall-clock ms). */
export interface LinkPulse {
  readonly downMs: readonly [number, number];
  readonly upMs: readonly [number, number];
}

/** Preference of the tc rules wirespeed adds (its own number, so they are told from others' rules). */
export const TC_PREF = 29_300;

export interface ProvisionerOptions {
  /** Bound on one sysfs write (sriov_numvfs, bind, unbind …); default 60 s. */
  readonly sysfsWriteTimeoutMs?: number;
}

/** What a sysfs write is: `printf` of the value into the attribute, as one command the shell can time out. */
export const SYSFS_WRITE_SCRIPT = 'printf "%s" "$1" > "$2"';
export const SYSFS_WRITE_NAME = 'wsp-sysfs-write';

/** One node's provisioning session. */
export class HostProvisioner implements AsyncDisposable {
  readonly #shell: Shell;
  readonly #paths: HostPaths;
  readonly #journal: Teardown;
  readonly #writeTimeoutMs: number;

  constructor(shell: Shell, paths: HostPaths = DEFAULT_HOST_PATHS, opts: ProvisionerOptions = {}) {
    this.#shell = shell;
    this.#paths = paths;
    this.#journal = new Teardown(shell.name, 'the node may be left with VFs, bindings or hugepages changed: fix by hand or reboot it');
    this.#writeTimeoutMs = opts.sysfsWriteTimeoutMs ?? 60_000;
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
    // VFs already there belong to someone (a CNI, a VM, another tool): changing sriov_numvfs would destroy them.
    if (priorNum > 0) {
      const users = [...before.sriov.vfs.values()].slice(0, 4).join(', ');
      throw this.#error(
        `${pf} already has ${priorNum} VF${priorNum === 1 ? '' : 's'} (${users}${priorNum > 4 ? ', …' : ''}); wirespeed does not remove VFs it did not create`,
        `give the lab a PF without VFs, or remove them when nothing uses them: \`echo 0 > /sys/bus/pci/devices/${pf}/sriov_numvfs\``,
      );
    }
    await this.#step(`restore ${pf} sriov_numvfs=${priorNum}${priorAuto === undefined ? '' : ` autoprobe=${priorAuto ? 1 : 0}`}`, async () => {
      await this.#write(`${dev}/sriov_numvfs`, '0');
      if (priorAuto !== undefined) await this.#write(`${dev}/sriov_drivers_autoprobe`, priorAuto ? '1' : '0');
      if (priorNum > 0) await this.#write(`${dev}/sriov_numvfs`, String(priorNum));
    }, async () => {
      if (opts.autoprobe !== undefined && priorAuto !== undefined)
        await this.#write(`${dev}/sriov_drivers_autoprobe`, opts.autoprobe ? '1' : '0');
      if (count > 0) await this.#write(`${dev}/sriov_numvfs`, String(count));
    });
    const after = await readPciFunction(this.#shell, this.#paths, pf);
    if (after.sriov?.numVfs !== count || after.sriov.vfs.size !== count)
      throw this.#error(`${pf}: asked for ${count} VFs, sysfs shows ${after.sriov?.numVfs ?? 0} (${after.sriov?.vfs.size ?? 0} virtfn links)`, 'check dmesg on the node');
    return after.sriov.vfs;
  }

  /** `ip link set <pf> vf N mac|vlan|trust|spoofchk`, restoring the VF's previous settings at teardown. */
  async setVf(pfIfname: string, vf: number, s: VfSettings): Promise<void> {
    const prior = await this.vfInfo(pfIfname, vf);
    if (s.qos !== undefined && s.vlan === undefined) throw this.#error(`${pfIfname} vf ${vf}: a VLAN priority (qos) needs a VLAN`, 'set vlan together with qos');
    const args = (v: VfSettings): string[] => [
      ...(v.mac === undefined ? [] : ['mac', v.mac]),
      ...(v.vlan === undefined ? [] : ['vlan', String(v.vlan), ...(v.qos === undefined ? [] : ['qos', String(v.qos)])]),
      ...(v.trust === undefined ? [] : ['trust', v.trust ? 'on' : 'off']),
      ...(v.spoofchk === undefined ? [] : ['spoofchk', v.spoofchk ? 'on' : 'off']),
      ...(v.linkState === undefined ? [] : ['state', v.linkState]),
    ];
    const back: VfSettings = {
      ...(s.mac === undefined ? {} : { mac: prior.mac }),
      ...(s.vlan === undefined ? {} : { vlan: prior.vlan, ...(s.qos === undefined ? {} : { qos: prior.qos }) }),
      ...(s.trust === undefined ? {} : { trust: prior.trust }),
      ...(s.spoofchk === undefined ? {} : { spoofchk: prior.spoofchk }),
      ...(s.linkState === undefined ? {} : { linkState: prior.linkState }),
    };
    if (args(s).length === 0) return;
    await this.#step(`restore ${pfIfname} vf ${vf} ${args(back).join(' ')}`, async () => {
      await this.#shell.run(['ip', 'link', 'set', pfIfname, 'vf', String(vf), ...args(back)]);
    }, async () => {
      await this.#shell.run(['ip', 'link', 'set', pfIfname, 'vf', String(vf), ...args(s)]);
    });
  }

  /** `ip link set dev <ifname> mtu <mtu>`, restoring the previous MTU at teardown. */
  async setMtu(ifname: string, mtu: number): Promise<void> {
    const prior = (await this.linkInfo(ifname)).mtu;
    if (prior === mtu) return;
    await this.#step(`restore ${ifname} mtu ${prior}`, async () => {
      await this.#shell.run(['ip', 'link', 'set', 'dev', ifname, 'mtu', String(prior)]);
    }, async () => {
      await this.#shell.run(['ip', 'link', 'set', 'dev', ifname, 'mtu', String(mtu)]);
    });
  }

  /** A netdev as `ip -j link show dev <ifname>` reports it (MTU, state, the VFs of a PF). */
  async linkInfo(ifname: string): Promise<LinkInfo> {
    const r = await this.#shell.run(['ip', '-j', 'link', 'show', 'dev', ifname]);
    const info = parseIpLinkJson(r.stdout)[0];
    if (!info) throw this.#error(`ip shows no link ${ifname}`, 'is the netdev there (ip link)?');
    return info;
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
      if (now.driver) await this.#write(`${pciDriverPath(this.#paths, now.driver)}/unbind`, bdf);
      await this.#write(`${dev}/driver_override`, before.driverOverride ?? '\n');
      if (prior) await this.#write(`${pciDriverPath(this.#paths, prior)}/bind`, bdf);
    }, async () => {
      await this.#write(`${dev}/driver_override`, driver);
      if (prior) await this.#write(`${pciDriverPath(this.#paths, prior)}/unbind`, bdf);
      await this.#write(`${pciDriverPath(this.#paths, driver)}/bind`, bdf);
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

  /** `ip link set dev <ifname> up`, put back down at teardown when it was down. */
  async setLinkUp(ifname: string): Promise<void> {
    const r = await this.#shell.run(['ip', '-j', 'link', 'show', 'dev', ifname]);
    const link = (JSON.parse(r.stdout) as { flags?: string[] }[])[0];
    if (!link) throw this.#error(`ip shows no link ${ifname}`, 'check the netdev name (ip link)');
    if (link.flags?.includes('UP')) return;
    await this.#step(`link ${ifname} back down`, async () => {
      await this.#shell.run(['ip', 'link', 'set', 'dev', ifname, 'down']);
    }, async () => {
      await this.#shell.run(['ip', 'link', 'set', 'dev', ifname, 'up']);
    });
  }

  /**
   * A link down for `downS` seconds, then back as it was (a failover event under load): the PF's own link
   * (`ip link set dev <pf> down`: the NIC takes every VF on it down too) or one VF's (`ip link set <pf> vf N
   * state disable`, then its prior state). Journaled while down, so that a run that dies in between still
   * gets the link back at teardown. Returns when each command started and ended (wall-clock ms), to
   * bracket the outage the event makes.
   */
  async linkDownFor(target: { readonly ifname: string } | { readonly pfIfname: string; readonly vf: number }, downS: number): Promise<LinkPulse> {
    const [down, up, what] =
      'ifname' in target
        ? await (async () => {
            const r = await this.#shell.run(['ip', '-j', 'link', 'show', 'dev', target.ifname]);
            const link = (JSON.parse(r.stdout) as { flags?: string[] }[])[0];
            if (!link) throw this.#error(`ip shows no link ${target.ifname}`, 'check the netdev name (ip link)');
            if (!link.flags?.includes('UP')) throw this.#error(`link ${target.ifname} is already down: taking it down would show nothing`, 'bring the link up (and cabled) before the failover');
            return [['ip', 'link', 'set', 'dev', target.ifname, 'down'], ['ip', 'link', 'set', 'dev', target.ifname, 'up'], `link ${target.ifname}`] as const;
          })()
        : await (async () => {
            const prior = (await this.vfInfo(target.pfIfname, target.vf)).linkState;
            const set = ['ip', 'link', 'set', target.pfIfname, 'vf', String(target.vf), 'state'];
            return [[...set, 'disable'], [...set, prior], `${target.pfIfname} vf ${target.vf} state ${prior}`] as const;
          })();
    const bring = async (cmd: readonly string[]): Promise<readonly [number, number]> => {
      const start = performance.timeOrigin + performance.now();
      await this.#shell.run(cmd);
      return [start, performance.timeOrigin + performance.now()];
    };
    const step = this.#journal.add(`${what} back up`, () => this.#shell.run(up));
    let downMs: readonly [number, number];
    try {
      downMs = await bring(down);
    } catch (e) {
      step.discard();
      await this.#shell.run(up).catch(() => undefined);
      throw e;
    }
    await new Promise((r) => setTimeout(r, downS * 1000));
    const upMs = await bring(up);
    step.discard();
    return { downMs, upMs };
  }

  /**
   * Send everything that arrives on `from` out of `to` (tc flower on the ingress qdisc, action mirred
   * egress redirect; on a switchdev NIC the rule is offloaded to the eswitch). Teardown deletes the rule,
   * and the ingress qdisc when this run added it.
   */
  async redirectIngress(from: string, to: string): Promise<void> {
    const q = await this.#shell.run(['tc', '-j', 'qdisc', 'show', 'dev', from]);
    const hasIngress = (JSON.parse(q.stdout || '[]') as { kind?: string }[]).some((x) => x.kind === 'ingress');
    if (!hasIngress) {
      await this.#step(`tc qdisc del dev ${from} ingress`, async () => {
        await this.#shell.run(['tc', 'qdisc', 'del', 'dev', from, 'ingress']);
      }, async () => {
        await this.#shell.run(['tc', 'qdisc', 'add', 'dev', from, 'ingress']);
      });
    }
    const pref = String(TC_PREF);
    await this.#step(`tc filter del dev ${from} ingress pref ${pref}`, async () => {
      // Gone with the qdisc when this run added that: nothing left to delete then.
      const left = await this.#shell.run(['tc', '-j', 'filter', 'show', 'dev', from, 'ingress']).catch(() => undefined);
      const filters = left ? (JSON.parse(left.stdout || '[]') as { pref?: number }[]) : [];
      if (filters.some((f) => f.pref === TC_PREF)) await this.#shell.run(['tc', 'filter', 'del', 'dev', from, 'ingress', 'pref', pref]);
    }, async () => {
      await this.#shell.run(['tc', 'filter', 'add', 'dev', from, 'ingress', 'pref', pref, 'protocol', 'all', 'flower', 'action', 'mirred', 'egress', 'redirect', 'dev', to]);
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
      await this.#write(file, String(prior));
    }, async () => {
      await this.#write(file, String(count));
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

  /**
   * Write a sysfs attribute with a bound: a driver stuck in a bind, unbind or sriov_numvfs write never
   * answers, and teardown must go on to the other steps and say which write hung. The shell kills the
   * writer at the bound; a writer stuck in the kernel may outlive the kill, so the wait is bounded too.
   */
  async #write(path: string, value: string): Promise<void> {
    const timeoutMs = this.#writeTimeoutMs;
    const timedOut = (): TimeoutError =>
      new TimeoutError(`writing ${JSON.stringify(value.trim())} to ${path}`, timeoutMs, {
        where: this.#shell.name,
        hint: 'the driver did not answer (see dmesg on the node); the write may still be stuck in the kernel, and the node may need a reboot before it is used again',
      });
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timedOut()), timeoutMs + Math.min(5000, timeoutMs));
    });
    try {
      const r = await Promise.race([this.#shell.exec(['sh', '-c', SYSFS_WRITE_SCRIPT, SYSFS_WRITE_NAME, value, path], { timeoutMs }), bound]);
      if (r.timedOut) throw timedOut();
      if (r.exitCode !== 0) {
        throw new CommandFailedError({ host: this.#shell.name, command: `write ${JSON.stringify(value.trim())} > ${path}`, exitCode: r.exitCode, signal: r.signal, stdout: r.stdout, stderr: r.stderr });
      }
    } finally {
      clearTimeout(timer);
    }
  }

  #error(what: string, hint: string): ProvisionError {
    return new ProvisionError(what, { where: this.#shell.name, hint });
  }
}
