/**
 * DPDK l3fwd as the DUT: LPM routes 198.18.N.0/24 -> port N (built in), one polling lcore that serves
 * every port (`--config='(0,0,0),(1,0,0)'`), software packet-type parsing (vdevs cannot report it).
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

export interface L3fwdSpec {
  readonly filePrefix: string;
  /** The CPU its single polling lcore (also the main lcore) runs on. */
  readonly cpu: number;
  /** One vdev per port, in port order (p0, p1). */
  readonly vdevs: readonly string[];
  readonly memoryMb?: number;
  /** `-P`. Default: on, except when a port is virtio_user (it has no promiscuous control and l3fwd would exit). */
  readonly promiscuous?: boolean;
  /** Needed when a port is virtio_user (shared memory); default: on exactly then. */
  readonly singleFileSegments?: boolean;
  readonly binary?: string;
}

const isVirtioUser = (vdev: string) => /^(net_)?virtio_user\d/.test(vdev);

/** Full argv (program first) for l3fwd forwarding between the given ports on one lcore. */
export function l3fwdArgv(spec: L3fwdSpec): string[] {
  const n = spec.vdevs.length;
  if (n < 1 || n > 16) {
    throw new ConfigError(`l3fwd needs 1 to 16 ports, got ${n}`, { where: `l3fwd ${spec.filePrefix}`, hint: 'give one vdev per port' });
  }
  const anyVirtioUser = spec.vdevs.some(isVirtioUser);
  const promiscuous = spec.promiscuous ?? !anyVirtioUser;
  if (promiscuous && anyVirtioUser) {
    throw new ConfigError('l3fwd -P on a virtio_user port fails (rte_eth_promiscuous_enable: Operation not supported)', {
      where: `l3fwd ${spec.filePrefix}`,
      hint: 'leave promiscuous unset: virtual ports do not filter MACs anyway',
    });
  }
  const eal = ealArgs({
    filePrefix: spec.filePrefix,
    // One lcore that is also the main lcore: an idle main lcore would busy-spin in rte_eal_wait_lcore.
    lcores: [spec.cpu],
    memoryMb: spec.memoryMb ?? 256,
    noPci: true,
    vdevs: spec.vdevs,
    allowPci: [],
    singleFileSegments: spec.singleFileSegments ?? anyVirtioUser,
  });
  const portmask = `0x${((1 << n) - 1).toString(16)}`;
  const config = spec.vdevs.map((_, port) => `(${port},0,0)`).join(',');
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

export interface RunningL3fwd extends DpdkProcess {
  readonly ports: number;
  /** `/ethdev/stats` of every port, in port order. */
  portStats(): Promise<EthdevStats[]>;
}

/** Start l3fwd and wait until its lcore has entered the main loop and telemetry answers. */
export async function startL3fwd(opts: StartL3fwdOptions): Promise<RunningL3fwd> {
  const role = opts.role ?? 'dut';
  const prefix = opts.runtime.prefix(role);
  const argv = l3fwdArgv({ ...opts, filePrefix: prefix });
  const proc = await startDpdkProcess({
    shell: opts.shell,
    runtime: opts.runtime,
    prefix,
    label: `l3fwd (${role})`,
    argv,
    // Printed by the polling lcore once every port and queue is set up.
    readyPattern: /L3FWD: entering main loop on lcore/,
    ...(opts.startTimeoutMs === undefined ? {} : { startTimeoutMs: opts.startTimeoutMs }),
  });
  const ports = opts.vdevs.length;
  return Object.assign(proc, {
    ports,
    portStats: () => Promise.all(Array.from({ length: ports }, (_, p) => proc.telemetry.ethdevStats(p))),
  });
}
