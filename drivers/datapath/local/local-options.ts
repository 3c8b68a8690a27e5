/**
 * What every local datapath needs to know: where it runs, the run it belongs to, which DUT to start,
 * and the CPUs. On 2 cores the DUT polls on CPU 0 and the generator on CPU 1.
 */
import { cpus as osCpus } from 'node:os';
import { posix as path } from 'node:path';
import { ConfigError } from '../../../core/errors.ts';
import { createDpdkRuntime, MAX_SOCKET_PATH, type DpdkRuntime } from '../../dpdk/runtime.ts';
import type { DutKind } from '../../../lab/schema.ts';
import type { Shell } from '../../shell/shell.ts';

/** The DUT application: l3fwd (LPM routes), testpmd forwarding, or VPP (L2 cross-connect or IPv4 routing). */
export type LocalDutKind = DutKind;

/** DUT kinds that are a DPDK application started by drivers/datapath/local/dut.ts. */
export type DpdkDutKind = Exclude<LocalDutKind, `vpp-${string}`>;

/** VPP's forwarding of a VPP DUT kind, or undefined for a DPDK DUT. */
export function vppForwardingOf(dut: LocalDutKind): 'l2xc' | 'ip4base' | undefined {
  return dut === 'vpp-l2xc' ? 'l2xc' : dut === 'vpp-ip4base' ? 'ip4base' : undefined;
}

export interface LocalDatapathOptions {
  /** Shell on this machine (namespaces are created through it). */
  readonly shell: Shell;
  readonly runId: string;
  /** The run's directory; sockets and the DPDK runtime directory go under it. Keep it short (unix socket paths). */
  readonly runDir: string;
  /** Share one runtime with the generator; without it the datapath makes and removes its own. */
  readonly runtime?: DpdkRuntime;
  /** Default l3fwd. */
  readonly dut?: LocalDutKind;
  /** CPUs from the lab (`cpus.dut`, `cpus.tg`); default DUT 0, generator 1. */
  readonly cpus?: { readonly dut?: readonly number[]; readonly tg?: readonly number[] };
  /** DUT hugepage memory (`-m`), default 256 MB. */
  readonly dutMemoryMb?: number;
  /** What the generator will take, for the budget check before start; default 256 MB. */
  readonly generatorMemoryMb?: number;
  /** veth: PMD on both ends; default 'auto' = af_xdp, af_packet when af_xdp does not start. */
  readonly vethPmd?: 'auto' | 'af_xdp' | 'af_packet';
  /** vhost-user-ovs: CPU of the OVS PMD; default the first CPU neither the DUT nor the generator uses. */
  readonly vswitchCpu?: number;
  /** CPUs on the machine (for vhost-user-ovs); default os.cpus().length. */
  readonly cpuCount?: number;
  /** DUT start timeout; default 30 s. */
  readonly startTimeoutMs?: number;
}

export interface ResolvedLocal {
  readonly shell: Shell;
  readonly runtime: DpdkRuntime;
  /** The datapath made the runtime and removes it on down(). */
  readonly ownsRuntime: boolean;
  readonly dut: LocalDutKind;
  readonly dutCpu: number;
  readonly tgCpus: readonly number[];
  readonly dutMemoryMb: number;
  readonly generatorMemoryMb: number;
  readonly sockDir: string;
  readonly cpuCount: number;
}

/** Fill in defaults and check the CPUs do not overlap (two pollers on one CPU halve both). */
export function resolveLocal(opts: LocalDatapathOptions, kind: string): ResolvedLocal {
  const where = `datapath ${kind}`;
  const dutCpus = opts.cpus?.dut ?? [0];
  const tgCpus = opts.cpus?.tg ?? [1];
  const dutCpu = dutCpus[0];
  if (dutCpu === undefined) throw new ConfigError('no DUT CPU given', { where, hint: 'set cpus.dut in the lab, e.g. "0"' });
  if (tgCpus.length === 0) throw new ConfigError('no generator CPU given', { where, hint: 'set cpus.tg in the lab, e.g. "1"' });
  if (tgCpus.includes(dutCpu)) {
    throw new ConfigError(`DUT and generator both poll on CPU ${dutCpu}`, { where, hint: 'give cpus.dut and cpus.tg different CPUs' });
  }
  const sockDir = path.resolve(opts.runDir, 'sock');
  // memif1.sock is the longest name used below.
  if (path.join(sockDir, 'memif1.sock').length > MAX_SOCKET_PATH) {
    throw new ConfigError(`socket paths under ${sockDir} would exceed ${MAX_SOCKET_PATH} characters`, { where, hint: 'use a shorter run directory' });
  }
  const runtime = opts.runtime ?? createDpdkRuntime({ shell: opts.shell, runDir: opts.runDir, runId: opts.runId });
  return {
    shell: opts.shell,
    runtime,
    ownsRuntime: opts.runtime === undefined,
    dut: opts.dut ?? 'l3fwd',
    dutCpu,
    tgCpus,
    dutMemoryMb: opts.dutMemoryMb ?? 256,
    generatorMemoryMb: opts.generatorMemoryMb ?? 256,
    sockDir,
    cpuCount: opts.cpuCount ?? osCpus().length,
  };
}
