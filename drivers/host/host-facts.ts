/** Everything wirespeed records and checks about a hardware node, gathered through its Shell. */
import { quoteArg } from '../shell/quote.ts';
import type { Shell } from '../shell/shell.ts';
import { DEFAULT_HOST_PATHS, type HostPaths } from './host-paths.ts';
import { parseLspci, type PciDevice } from './parse-lspci.ts';
import {
  parseCmdline,
  parseCpuinfo,
  parseGovernors,
  parseHugepagesPerNode,
  parseIommuGroups,
  parseIsolatedCpus,
  type CpuInfo,
  type HugepageCount,
  type KernelCmdline,
} from './parse-system.ts';

export interface HostFacts {
  readonly kernel: string;
  readonly cpu: CpuInfo;
  readonly cmdline: KernelCmdline;
  readonly isolatedCpus: readonly number[];
  /** CPU → scaling governor; empty without cpufreq (VMs). */
  readonly governors: ReadonlyMap<number, string>;
  readonly hugepages: readonly HugepageCount[];
  /** Network-class PCI functions (class 02xx), from lspci -Dnn. */
  readonly nics: readonly PciDevice[];
  /** BDF → IOMMU group; empty when the IOMMU is off. */
  readonly iommuGroups: ReadonlyMap<string, number>;
  readonly vfioPciLoaded: boolean;
}

/** Gather host facts: a handful of commands, each parsed strictly. */
export async function gatherHostFacts(shell: Shell, paths: HostPaths = DEFAULT_HOST_PATHS): Promise<HostFacts> {
  const sys = quoteArg(paths.sysfsRoot);
  const [uname, cpuinfo, cmdline, isolated, governors, hugepages, lspci, groups, vfio] = await Promise.all([
    shell.run(['uname', '-r']),
    shell.readFile(`${paths.procRoot}/cpuinfo`),
    shell.readFile(`${paths.procRoot}/cmdline`),
    shell.exec(['cat', `${paths.sysfsRoot}/devices/system/cpu/isolated`]),
    // no cpufreq (VMs) is fine: grep exits 2 on missing files, we take what it printed
    shell.exec({ script: `grep -H . ${sys}/devices/system/cpu/cpu*/cpufreq/scaling_governor 2>/dev/null || true` }),
    shell.exec({ script: `grep -H . ${sys}/devices/system/node/node*/hugepages/hugepages-*kB/nr_hugepages ${sys}/devices/system/node/node*/hugepages/hugepages-*kB/free_hugepages 2>/dev/null || true` }),
    shell.run(['lspci', '-Dnn']),
    shell.exec({ script: `ls -d ${sys}/kernel/iommu_groups/*/devices/* 2>/dev/null || true` }),
    shell.exec(['test', '-d', `${paths.sysfsRoot}/module/vfio_pci`]),
  ]);
  return {
    kernel: uname.stdout.trim(),
    cpu: parseCpuinfo(cpuinfo),
    cmdline: parseCmdline(cmdline),
    isolatedCpus: isolated.exitCode === 0 ? parseIsolatedCpus(isolated.stdout) : [],
    governors: parseGovernors(governors.stdout),
    hugepages: parseHugepagesPerNode(hugepages.stdout),
    nics: parseLspci(lspci.stdout).filter((d) => d.classId.startsWith('02')),
    iommuGroups: parseIommuGroups(groups.stdout),
    vfioPciLoaded: vfio.exitCode === 0,
  };
}
