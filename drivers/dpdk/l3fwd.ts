/**
 * DPDK l3fwd as the DUT: LPM routes 198.18.N.0/24 -> port N (built in), one polling lcore that serves
 * every port (`--config='(0,0,0),(1,0,0)'`), or N lcores with N RX queues per port, lcore i polling queue
 * i of every port (`(0,0,0),(1,0,0),(0,1,1),(1,1,1)`): l3fwd then asks the port for RSS on the IP header
 * and gives each lcore a TX queue of every port. Software packet-type parsing (vdevs cannot report it).
 * l3fwd prints no statistics and has no control channel: its counters come from telemetry.
 * The binary is built by cli/setup.d/20-l3fwd.sh with the vdev RX offload patch.
 */
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../core/errors.ts';
import type { Shell } from '../shell/shell.ts';
import { startDpdkProcess, type DpdkProcess } from './dpdk-process.ts';
import { ealArgs } from './eal.ts';
import type { DpdkRuntime } from './runtime.ts';
import type { EthdevStats } from './telemetry.ts';

/** The l3fwd that setup builds in this checkout. */
export const LOCAL_L3FWD_BINARY = fileURLToPath(new URL('./l3fwd/build/l3fwd', import.meta.url));

/** One l3fwd port: a PCI device (`-a`) or a vdev (`--vdev`). */
export type L3fwdPort = { readonly kind: 'pci'; readonly pci: string } | { readonly kind: 'vdev'; readonly vdev: string };

export interface L3fwdSpec {
  readonly filePrefix: string;
  /** The CPU of its first polling lcore (lcore 0, also the main lcore). */
  readonly cpu: number;
  /**
   * CPUs of further polling lcores (lcore 1, 2 ...). With N CPUs in all, every port gets N RX queues spread
   * by RSS, one per lcore, and N TX queues (CSIT's multi-core l3fwd: as many queues as workers).
   */
  readonly extraCpus?: readonly number[];
  /** One vdev per port, in port order (p0, p1). Shorthand for `ports` of kind vdev; give one or the other. */
  readonly vdevs?: readonly string[];
  /**
   * Ports in port order (p0, p1): PCI devices and/or vdevs. EAL numbers PCI devices first, by address,
   * then vdevs, whatever the `-a` order: the list must already be in that order, or routes would leave
   * on the wrong port.
   */
  readonly ports?: readonly L3fwdPort[];
  readonly memoryMb?: number;
  /** `-P`. Default: on, except when a port is virtio_user (it has no promiscuous control and l3fwd would exit). */
  readonly promiscuous?: boolean;
  /** Needed when a port is virtio_user (shared memory); default: on exactly then. */
  readonly singleFileSegments?: boolean;
  readonly binary?: string;
}

const isVirtioUser = (vdev: string) => /^(net_)?virtio_user\d/.test(vdev);

/** `3b:00.1,devargs` -> `0000:3b:00.1`, for ordering as EAL's PCI scan does. */
const pciKey = (pci: string) => {
  const addr = (pci.split(',')[0] ?? pci).toLowerCase();
  return /^[0-9a-f]{4}:/.test(addr) ? addr : `0000:${addr}`;
};

/** The spec's ports in port order; ConfigError when they are given twice or in an order EAL would not keep. */
export function l3fwdPorts(spec: Pick<L3fwdSpec, 'filePrefix' | 'vdevs' | 'ports'>): L3fwdPort[] {
  const where = `l3fwd ${spec.filePrefix}`;
  if (spec.vdevs !== undefined && spec.ports !== undefined) {
    throw new ConfigError('l3fwd got both vdevs and ports', { where, hint: 'give every port in `ports` (vdevs is the shorthand for vdev-only port lists)' });
  }
  const ports: L3fwdPort[] = spec.ports ? [...spec.ports] : (spec.vdevs ?? []).map((vdev) => ({ kind: 'vdev', vdev }));
  const firstVdev = ports.findIndex((p) => p.kind === 'vdev');
  const pciAfterVdev = firstVdev < 0 ? -1 : ports.findIndex((p, i) => i > firstVdev && p.kind === 'pci');
  if (pciAfterVdev >= 0) {
    throw new ConfigError(`l3fwd port ${pciAfterVdev} is a PCI device after vdev port ${firstVdev}: EAL probes PCI devices first, so it would become port ${firstVdev}`, {
      where,
      hint: 'list the PCI ports before the vdevs',
    });
  }
  const pcis = ports.flatMap((p) => (p.kind === 'pci' ? [pciKey(p.pci)] : []));
  for (let i = 1; i < pcis.length; i++) {
    if (pcis[i]! === pcis[i - 1]!) throw new ConfigError(`l3fwd PCI device ${pcis[i]} is given twice`, { where, hint: 'one port per PCI function' });
    if (pcis[i]! < pcis[i - 1]!) {
      throw new ConfigError(`l3fwd PCI ports are not in address order (${pcis[i - 1]} before ${pcis[i]}): EAL numbers them by address, so ports ${i - 1} and ${i} would swap`, {
        where,
        hint: 'order the ports by PCI address, or cable/route so that the lower address is the lower port',
      });
    }
  }
  return ports;
}

/** The CPUs of the spec's polling lcores, lcore 0 first; ConfigError when one is given twice. */
export function l3fwdLcoreCpus(spec: Pick<L3fwdSpec, 'filePrefix' | 'cpu' | 'extraCpus'>): number[] {
  const cpus = [spec.cpu, ...(spec.extraCpus ?? [])];
  const twice = cpus.find((c, i) => cpus.indexOf(c) !== i);
  if (twice !== undefined) {
    throw new ConfigError(`l3fwd CPU ${twice} is given to two lcores`, { where: `l3fwd ${spec.filePrefix}`, hint: 'one polling lcore per CPU: give distinct CPUs' });
  }
  return cpus;
}

/** `--config` of l3fwd: lcore i polls RX queue i of every port. */
export function l3fwdConfig(ports: number, lcores: number): string {
  const entries: string[] = [];
  for (let lcore = 0; lcore < lcores; lcore++) for (let port = 0; port < ports; port++) entries.push(`(${port},${lcore},${lcore})`);
  return entries.join(',');
}

/** Full argv (program first) for l3fwd forwarding between the given ports on its lcores. */
export function l3fwdArgv(spec: L3fwdSpec): string[] {
  const ports = l3fwdPorts(spec);
  const n = ports.length;
  if (n < 1 || n > 16) {
    throw new ConfigError(`l3fwd needs 1 to 16 ports, got ${n}`, { where: `l3fwd ${spec.filePrefix}`, hint: 'give one vdev or PCI device per port' });
  }
  const vdevs = ports.flatMap((p) => (p.kind === 'vdev' ? [p.vdev] : []));
  const allowPci = ports.flatMap((p) => (p.kind === 'pci' ? [p.pci] : []));
  const anyVirtioUser = vdevs.some(isVirtioUser);
  const promiscuous = spec.promiscuous ?? !anyVirtioUser;
  if (promiscuous && anyVirtioUser) {
    throw new ConfigError('l3fwd -P on a virtio_user port fails (rte_eth_promiscuous_enable: Operation not supported)', {
      where: `l3fwd ${spec.filePrefix}`,
      hint: 'leave promiscuous unset: virtual ports do not filter MACs anyway',
    });
  }
  const lcores = l3fwdLcoreCpus(spec);
  const eal = ealArgs({
    filePrefix: spec.filePrefix,
    // The first lcore is also the main lcore (l3fwd runs its loop there too): an idle main lcore would
    // busy-spin in rte_eal_wait_lcore.
    lcores,
    memoryMb: spec.memoryMb ?? 256,
    // No PCI scan when every port is a vdev: the host's NICs are none of this process's business.
    noPci: allowPci.length === 0,
    vdevs,
    allowPci,
    singleFileSegments: spec.singleFileSegments ?? anyVirtioUser,
  });
  const portmask = `0x${((1 << n) - 1).toString(16)}`;
  const config = l3fwdConfig(n, lcores.length);
  const app = ['-p', portmask, ...(promiscuous ? ['-P'] : []), `--config=${config}`, '--parse-ptype'];
  return [spec.binary ?? LOCAL_L3FWD_BINARY, ...eal, '--', ...app];
}

export interface StartL3fwdOptions extends Omit<L3fwdSpec, 'filePrefix'> {
  readonly shell: Shell;
  readonly runtime: DpdkRuntime;
  /** Role for the file prefix; default "dut". */
  readonly role?: string;
  readonly startTimeoutMs?: number;
}

/**
 * Ports on which l3fwd had to give up RSS, from its log: it masks the requested hash functions by what the
 * port offers and prints "Port N modified RSS hash function based on hardware support,requested:… configured:…".
 * A port configured with none puts every flow on queue 0: more lcores would then poll empty queues.
 */
export function portsWithoutRss(log: string): number[] {
  const out: number[] = [];
  for (const m of log.matchAll(/Port (\d+) modified RSS hash function based on hardware support,\s*requested:\s*(0x[0-9a-f]+|0)\s+configured:\s*(0x[0-9a-f]+|0)\b/gi)) {
    if (Number(m[3]) === 0) out.push(Number(m[1]));
  }
  return [...new Set(out)];
}

/** A log in which `lcores` lcores have entered l3fwd's main loop. */
export function mainLoopOn(lcores: number): RegExp {
  return new RegExp(`(?:L3FWD: entering main loop on lcore \\d+[\\s\\S]*?){${lcores}}`);
}

export interface RunningL3fwd extends DpdkProcess {
  readonly ports: number;
  /** Polling lcores (= RX queues per port). */
  readonly lcores: number;
  /** `/ethdev/stats` of every port, in port order. */
  portStats(): Promise<EthdevStats[]>;
}

/** Start l3fwd and wait until its lcore has entered the main loop and telemetry answers. */
export async function startL3fwd(opts: StartL3fwdOptions): Promise<RunningL3fwd> {
  const role = opts.role ?? 'dut';
  const prefix = opts.runtime.prefix(role);
  const argv = l3fwdArgv({ ...opts, filePrefix: prefix });
  const ports = l3fwdPorts({ ...opts, filePrefix: prefix }).length;
  const lcores = l3fwdLcoreCpus({ ...opts, filePrefix: prefix }).length;
  const proc = await startDpdkProcess({
    shell: opts.shell,
    runtime: opts.runtime,
    prefix,
    label: `l3fwd (${role})`,
    argv,
    // Printed by each polling lcore once every port and queue is set up, in no fixed order: ready when
    // all of them have (lcore 1 printed first in 2 of 5 runs on this machine).
    readyPattern: mainLoopOn(lcores),
    ...(opts.startTimeoutMs === undefined ? {} : { startTimeoutMs: opts.startTimeoutMs }),
  });
  return Object.assign(proc, {
    ports,
    lcores,
    portStats: () => Promise.all(Array.from({ length: ports }, (_, p) => proc.telemetry.ethdevStats(p))),
  });
}
