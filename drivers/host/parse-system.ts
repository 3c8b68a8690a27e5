/**
 * Host facts read from /proc and sysfs: kernel command line (IOMMU, isolcpus, hugepages), IOMMU groups,
 * NUMA node of a PCI device, hugepages per NUMA node, isolated CPUs, CPU model and frequency governor.
 * Multi-file reads come through `grep -H . <files>` (one `path:value` line per file) so one command
 * returns them all.
 */
import { parseCpuList } from '../../lab/cpu-list.ts';
import { outputFormatError, outputLines, toInt } from './output-format-error.ts';

/** A CPU list in a tool's output (the one parser, lab/cpu-list.ts); a bad one names the tool. */
function cpuListIn(text: string, tool: string): number[] {
  try {
    return parseCpuList(text);
  } catch (err) {
    if (err instanceof RangeError) throw outputFormatError(tool, `CPUs like '2-5,8' (${err.message})`, text.trim());
    throw err;
  }
}

export interface KernelCmdline {
  readonly raw: string;
  /** intel_iommu=on / amd_iommu=on|(absent: AMD defaults on) / iommu=pt ... */
  readonly intelIommu?: string;
  readonly amdIommu?: string;
  readonly iommu?: string;
  /** True when an IOMMU is requested on (intel_iommu=on or amd_iommu not off). */
  readonly iommuEnabled: boolean;
  /** iommu=pt: passthrough for host devices (recommended for DPDK hosts). */
  readonly iommuPassthrough: boolean;
  readonly isolcpus: readonly number[];
  readonly nohzFull: readonly number[];
  readonly defaultHugepagesz?: string;
  /** Every key=value (last one wins) and bare flag (value ''). */
  readonly params: Readonly<Record<string, string>>;
}

/** Parse /proc/cmdline. */
export function parseCmdline(text: string): KernelCmdline {
  const raw = text.trim();
  if (raw.includes('\n')) throw outputFormatError('/proc/cmdline', 'a single line', raw);
  const params: Record<string, string> = {};
  for (const word of raw.split(/\s+/).filter(Boolean)) {
    const eq = word.indexOf('=');
    if (eq < 0) params[word] = '';
    else params[word.slice(0, eq)] = word.slice(eq + 1);
  }
  const intel = params['intel_iommu'];
  const amd = params['amd_iommu'];
  const iommu = params['iommu'];
  const cpusOf = (v: string | undefined): number[] => {
    if (v === undefined) return [];
    // isolcpus may carry flags first: isolcpus=nohz,domain,2-5
    const list = v.split(',').filter((p) => /^\d/.test(p)).join(',');
    return cpuListIn(list, '/proc/cmdline isolcpus');
  };
  const iommuEnabled = (intel !== undefined && /(^|,)on(,|$)/.test(intel)) || (amd !== undefined && amd !== 'off');
  return {
    raw,
    ...(intel === undefined ? {} : { intelIommu: intel }),
    ...(amd === undefined ? {} : { amdIommu: amd }),
    ...(iommu === undefined ? {} : { iommu }),
    iommuEnabled,
    iommuPassthrough: iommu === 'pt',
    isolcpus: cpusOf(params['isolcpus']),
    nohzFull: cpusOf(params['nohz_full']),
    ...(params['default_hugepagesz'] === undefined ? {} : { defaultHugepagesz: params['default_hugepagesz'] }),
    params,
  };
}

/** IOMMU groups from a listing of /sys/kernel/iommu_groups/<g>/devices/<bdf> paths (one per line). */
export function parseIommuGroups(text: string): Map<string, number> {
  const groups = new Map<string, number>();
  outputLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /\/iommu_groups\/(\d+)\/devices\/([0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\.[0-7])$/.exec(line.trim());
    if (!m) throw outputFormatError('iommu_groups listing', "'<root>/kernel/iommu_groups/<n>/devices/<bdf>'", line, i + 1);
    groups.set(m[2]!, Number(m[1]));
  });
  return groups;
}

/** /sys/bus/pci/devices/<bdf>/numa_node: -1 (no NUMA info) becomes null. */
export function parseNumaNode(text: string): number | null {
  const n = toInt('numa_node', 'NUMA node', text.trim());
  return n < 0 ? null : n;
}

export interface HugepageCount {
  readonly numaNode: number;
  readonly sizeKb: number;
  readonly total: number;
  readonly free?: number;
}

/**
 * `grep -H . <root>/devices/system/node/node*\/hugepages/hugepages-*kB/{nr,free}_hugepages` output.
 * Each (node, size) gets total from nr_hugepages and free from free_hugepages.
 */
export function parseHugepagesPerNode(text: string): HugepageCount[] {
  const map = new Map<string, { numaNode: number; sizeKb: number; total?: number; free?: number }>();
  outputLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /\/node(\d+)\/hugepages\/hugepages-(\d+)kB\/(nr|free|surplus)_hugepages:(\d+)$/.exec(line.trim());
    if (!m) throw outputFormatError('hugepages sysfs', "'.../node<N>/hugepages/hugepages-<size>kB/nr_hugepages:<count>'", line, i + 1);
    const key = `${m[1]}/${m[2]}`;
    const e = map.get(key) ?? { numaNode: Number(m[1]), sizeKb: Number(m[2]) };
    if (m[3] === 'nr') e.total = Number(m[4]);
    if (m[3] === 'free') e.free = Number(m[4]);
    map.set(key, e);
  });
  return [...map.values()]
    .map((e) => {
      if (e.total === undefined) throw outputFormatError('hugepages sysfs', `nr_hugepages for node${e.numaNode} ${e.sizeKb} kB`, '(missing)');
      return { numaNode: e.numaNode, sizeKb: e.sizeKb, total: e.total, ...(e.free === undefined ? {} : { free: e.free }) };
    })
    .sort((a, b) => a.numaNode - b.numaNode || a.sizeKb - b.sizeKb);
}

/** /sys/devices/system/cpu/isolated (empty line = none). */
export function parseIsolatedCpus(text: string): number[] {
  return cpuListIn(text, '/sys/devices/system/cpu/isolated');
}

export interface CpuInfo {
  readonly model: string;
  readonly logicalCpus: number;
  /** CPU flags of the first processor (x86 'flags', arm 'Features'). */
  readonly flags: readonly string[];
}

/** /proc/cpuinfo: the model name and the number of processors. */
export function parseCpuinfo(text: string): CpuInfo {
  let model: string | undefined;
  let count = 0;
  let flags: string[] | undefined;
  outputLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^([^:]+?)\s*:\s?(.*)$/.exec(line);
    if (!m) throw outputFormatError('/proc/cpuinfo', "'key\\t: value'", line, i + 1);
    const key = m[1]!;
    if (key === 'processor') count++;
    else if ((key === 'model name' || key === 'Model' || key === 'cpu model') && model === undefined) model = m[2]!.trim();
    else if ((key === 'flags' || key === 'Features') && flags === undefined) flags = m[2]!.trim().split(/\s+/);
  });
  if (count === 0) throw outputFormatError('/proc/cpuinfo', "at least one 'processor : N' line", text.slice(0, 80));
  return { model: model ?? 'unknown', logicalCpus: count, flags: flags ?? [] };
}

/**
 * `grep -H . <root>/devices/system/cpu/cpu*\/cpufreq/scaling_governor`: governor per CPU.
 * No output (no cpufreq, e.g. in a VM) gives an empty map.
 */
export function parseGovernors(text: string): Map<number, string> {
  const out = new Map<number, string>();
  outputLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /\/cpu(\d+)\/cpufreq\/scaling_governor:(\S+)$/.exec(line.trim());
    if (!m) throw outputFormatError('scaling_governor', "'.../cpu<N>/cpufreq/scaling_governor:<governor>'", line, i + 1);
    out.set(Number(m[1]), m[2]!);
  });
  return out;
}
