/**
 * Open our local generator on a running datapath, placed as the datapath asks: in its network
 * namespace (veth), on the generator CPUs, with shared memory segments for virtio_user.
 */
import type { DpdkRuntime } from '../../dpdk/runtime.ts';
import { openLocalGenerator, type LocalGeneratorOptions, type LocalGeneratorSession } from '../../loadgen/local-generator.ts';
import { netnsShell } from '../../shell/netns.ts';
import type { Shell } from '../../shell/shell.ts';
import type { RunningDatapath } from '../datapath.ts';

export interface GeneratorOnOptions {
  /** Shell of the machine (the namespace shell is derived from it). */
  readonly shell: Shell;
  readonly runtime: DpdkRuntime;
  /** CPUs when the datapath does not place the generator (default [1]). */
  readonly cpus?: readonly number[];
  readonly role?: string;
  readonly memoryMb?: number;
  readonly ceilingPps?: number;
  readonly extra?: Partial<Omit<LocalGeneratorOptions, 'shell' | 'runtime' | 'ports' | 'cpus'>>;
}

/**
 * On a shared VM a poller can be descheduled for 3-28 ms (findings §3), and through the kernel (veth)
 * softirq work waits its turn too: packets still in flight then arrive after the generator's default
 * quiet period and would count as lost. Drain longer after the window.
 */
const LOCAL_LAB_TUNING = { drainMs: 500, quietMs: 150 } as const;

/** A generator session attached to the datapath's generator ports. */
export function openGeneratorOn(dp: RunningDatapath, o: GeneratorOnOptions): Promise<LocalGeneratorSession> {
  const placement = dp.generator ?? {};
  return openLocalGenerator({
    tuning: LOCAL_LAB_TUNING,
    ...o.extra,
    shell: placement.netns ? netnsShell(o.shell, placement.netns) : o.shell,
    runtime: o.runtime,
    ports: dp.generatorPorts,
    cpus: placement.cpus ?? o.cpus ?? [1],
    ...(o.role === undefined ? {} : { role: o.role }),
    ...(o.memoryMb === undefined ? {} : { memoryMb: o.memoryMb }),
    ...(o.ceilingPps === undefined ? {} : { ceilingPps: o.ceilingPps }),
    ...(placement.singleFileSegments ? { singleFileSegments: true } : {}),
    ...(placement.mbufs === undefined ? {} : { mbufs: placement.mbufs }),
    ...(placement.ringSize === undefined ? {} : { ringSize: placement.ringSize }),
  });
}
