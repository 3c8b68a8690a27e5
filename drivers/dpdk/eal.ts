/**
 * DPDK EAL command-line arguments from a typed spec. The argv is what goes before `--` on any DPDK
 * application (testpmd, l3fwd, our generator); the caller appends `--` and the application's own options.
 */
import { ConfigError } from '../../core/errors.ts';

/** One lcore: the CPU it runs on, or a set of CPUs it may float over. */
export type LcoreCpus = number | readonly number[];

export interface EalSpec {
  /** `--file-prefix`: names the hugepage files and the runtime directory; unique per process. */
  readonly filePrefix: string;
  /**
   * CPUs for lcores 0, 1, 2 ...: lcore i runs on lcores[i]. Emitted as `--lcores=0@3,1@5`, so lcore
   * ids stay small (and match an application's `--config`) whatever CPUs the process gets.
   */
  readonly lcores: readonly LcoreCpus[];
  /** Lcore id (an index into `lcores`) of the main lcore; default 0. */
  readonly mainLcore?: number;
  /** `-m`: hugepage memory in MB. */
  readonly memoryMb: number;
  /** `--no-pci`: no PCI bus scan (vdev-only processes). */
  readonly noPci: boolean;
  /** `--vdev` each: e.g. `net_memif0,role=server,socket=/x.sock`. */
  readonly vdevs: readonly string[];
  /** `-a` each: PCI addresses (`0000:3b:00.0`, optionally `,devargs`). */
  readonly allowPci: readonly string[];
  /** `--single-file-segments`: needed by virtio_user (shared memory) and memif zero-copy. */
  readonly singleFileSegments?: boolean;
  /** `--in-memory`: no hugepage files and no runtime files at all (no telemetry socket either). */
  readonly inMemory?: boolean;
  /** `--no-telemetry`. */
  readonly noTelemetry?: boolean;
  /** `--log-level` each: a level (`notice`, `7`), `<type-regex>:<level>` or `<type-glob>,<level>` (`pmd.net.memif:debug`). */
  readonly logLevel?: string | readonly string[];
}

/** A file prefix becomes file names and a glob (`<prefix>map_*`): keep it to safe characters. */
export const FILE_PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const PCI_PATTERN = /^(?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7](?:,[^\s]*)?$/;
const VDEV_PATTERN = /^[a-z][a-z0-9_]*[0-9]+(?:,[^\n\r\0]*)?$/;
const LOG_LEVEL_PATTERN = /^(?:[A-Za-z0-9_.*^$|()[\]-]+[:,])?(?:[1-8]|emerg|alert|crit|err|warning|notice|info|debug)$/;

/** The EAL argv for a spec (without the program name and without `--`). Throws ConfigError on bad input. */
export function ealArgs(spec: EalSpec): string[] {
  const where = `EAL arguments (file prefix ${JSON.stringify(spec.filePrefix)})`;
  const bad = (what: string, hint: string): never => {
    throw new ConfigError(what, { where, hint });
  };

  if (!FILE_PREFIX_PATTERN.test(spec.filePrefix)) {
    bad(`file prefix ${JSON.stringify(spec.filePrefix)} is not usable`, 'use 1-64 letters, digits, "-" or "_", starting with a letter or digit');
  }
  if (spec.lcores.length === 0) bad('no lcores given', 'give at least one CPU for the main lcore');
  const lcoreItems = spec.lcores.map((entry, id) => {
    const cpus = typeof entry === 'number' ? [entry] : [...entry];
    if (cpus.length === 0) bad(`lcore ${id} has an empty CPU set`, 'give each lcore at least one CPU');
    for (const cpu of cpus) {
      if (!Number.isInteger(cpu) || cpu < 0 || cpu > 1023) bad(`lcore ${id}: CPU ${cpu} is not a CPU number`, 'CPUs are integers 0..1023');
    }
    const sorted = [...new Set(cpus)].sort((a, b) => a - b);
    return sorted.length === 1 ? `${id}@${sorted[0]}` : `${id}@(${sorted.join(',')})`;
  });
  const mainLcore = spec.mainLcore ?? 0;
  if (!Number.isInteger(mainLcore) || mainLcore < 0 || mainLcore >= spec.lcores.length) {
    bad(`main lcore ${mainLcore} is not one of the ${spec.lcores.length} lcores`, `use an lcore id 0..${spec.lcores.length - 1}`);
  }
  if (!Number.isInteger(spec.memoryMb) || spec.memoryMb <= 0) {
    bad(`memory ${spec.memoryMb} MB is not a positive whole number`, 'give memoryMb, e.g. 256');
  }
  if (spec.noPci && spec.allowPci.length > 0) {
    bad('noPci is set but PCI devices are allowed', 'drop noPci, or drop the allowPci entries');
  }
  for (const pci of spec.allowPci) {
    if (!PCI_PATTERN.test(pci)) bad(`PCI address ${JSON.stringify(pci)} is malformed`, 'write it as 0000:3b:00.0 (devargs after a comma)');
  }
  for (const vdev of spec.vdevs) {
    if (!VDEV_PATTERN.test(vdev)) bad(`vdev ${JSON.stringify(vdev)} is malformed`, 'write it as <driver><n>[,key=value...], e.g. net_memif0,role=server');
  }
  const vdevNames = spec.vdevs.map((v) => v.split(',')[0]);
  const dup = vdevNames.find((n, i) => vdevNames.indexOf(n) !== i);
  if (dup !== undefined) bad(`vdev name ${dup} is used twice`, 'give each vdev its own number (net_memif0, net_memif1)');
  const logLevels = spec.logLevel === undefined ? [] : typeof spec.logLevel === 'string' ? [spec.logLevel] : [...spec.logLevel];
  for (const level of logLevels) {
    if (!LOG_LEVEL_PATTERN.test(level)) bad(`log level ${JSON.stringify(level)} is malformed`, 'use a level (1-8, notice, debug) or <type>:<level>');
  }

  const argv = [`--file-prefix=${spec.filePrefix}`, `--lcores=${lcoreItems.join(',')}`];
  if (spec.mainLcore !== undefined) argv.push(`--main-lcore=${mainLcore}`);
  argv.push('-m', String(spec.memoryMb));
  if (spec.noPci) argv.push('--no-pci');
  for (const pci of spec.allowPci) argv.push('-a', pci);
  for (const vdev of spec.vdevs) argv.push('--vdev', vdev);
  if (spec.singleFileSegments) argv.push('--single-file-segments');
  if (spec.inMemory) argv.push('--in-memory');
  if (spec.noTelemetry) argv.push('--no-telemetry');
  for (const level of logLevels) argv.push(`--log-level=${level}`);
  return argv;
}
