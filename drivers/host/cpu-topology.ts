/**
 * Which physical core each CPU sits on, from sysfs (`cpu<N>/topology/thread_siblings_list`). A DUT that polls
 * N lcores is CSIT's `NtNc` only when no two of its CPUs are SMT siblings of one core: siblings share the
 * core's pipeline, so 2 lcores on one core are `2t1c`, a different (and slower) configuration.
 */
import { parseCpuList } from '../../lab/cpu-list.ts';
import type { Shell } from '../shell/shell.ts';
import type { HostPaths } from './host-paths.ts';

export interface CpuCores {
  /** Physical cores the CPUs sit on (distinct sibling sets). */
  readonly cores: number;
  /** Pairs of the given CPUs that are SMT siblings of one core, lower CPU first. */
  readonly siblingPairs: readonly (readonly [number, number])[];
}

/**
 * The physical cores of `cpus` on the host behind `shell`, or undefined when its sysfs does not say (a kernel
 * without CPU topology, a CPU offline). A list it cannot parse is an error naming the file.
 */
export async function physicalCoresOf(shell: Shell, paths: HostPaths, cpus: readonly number[]): Promise<CpuCores | undefined> {
  const siblings = new Map<number, readonly number[]>();
  for (const cpu of new Set(cpus)) {
    const file = `${paths.sysfsRoot}/devices/system/cpu/cpu${cpu}/topology/thread_siblings_list`;
    let text: string;
    try {
      text = await shell.readFile(file);
    } catch {
      return undefined;
    }
    try {
      siblings.set(cpu, parseCpuList(text));
    } catch (e) {
      throw new RangeError(`${file} on ${shell.name}: ${(e as Error).message}`);
    }
  }
  const pairs: [number, number][] = [];
  const given = [...siblings.keys()].sort((a, b) => a - b);
  for (const [i, a] of given.entries()) for (const b of given.slice(i + 1)) if (siblings.get(a)!.includes(b)) pairs.push([a, b]);
  const cores = new Set(given.map((c) => Math.min(...siblings.get(c)!, c)));
  return { cores: cores.size, siblingPairs: pairs };
}
