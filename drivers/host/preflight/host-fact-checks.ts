/**
 * Host facts a run's figures rest on, checked against what the inventory pins on the node: the polling
 * CPUs are isolated from the scheduler and run the performance governor, and every NIC port sits on the
 * NUMA node of the CPUs and hugepages that serve it (a remote port costs every packet a trip across the
 * socket interconnect). Hugepages per NUMA node: local-checks.ts; IOMMU: host-checks.ts.
 */
import { formatCpuList, parseCpuList } from '../../../lab/cpu-list.ts';
import type { Lab, LabNode } from '../../../lab/model.ts';
import { pciDevicePath } from '../host-paths.ts';
import { parseGovernors, parseIsolatedCpus, parseNumaNode } from '../parse-system.ts';
import { fail, pass, skip, type CheckFactory, type PreflightCheck } from './check.ts';

/** The CPUs the lab's pollers run on (generator and DUT lcores), sorted. */
function pinnedCpus(node: LabNode): number[] {
  return [...new Set([...node.cpus.tg, ...node.cpus.dut])].sort((a, b) => a - b);
}

const cpus = (list: readonly number[]): string => `CPU${list.length === 1 ? '' : 's'} ${formatCpuList(list)}`;

/**
 * Where host-fact checks apply: hardware nodes that pin CPUs. They are left out of the local lab, which
 * shares this machine with everything else on it by design (no CPU is set aside for it).
 */
function pinning(node: LabNode, lab: Lab): boolean | string {
  if (lab.kind === 'local') return false;
  if (pinnedCpus(node).length === 0) return 'the inventory pins no CPU on this node (cpus.tg / cpus.dut)';
  return true;
}

export const cpuIsolationCheck: PreflightCheck = {
  name: 'cpu-isolation',
  appliesTo: pinning,
  async run({ node, shell, paths }) {
    const file = `${paths.sysfsRoot}/devices/system/cpu/isolated`;
    const r = await shell.exec(['cat', file]);
    if (r.exitCode !== 0) return fail(`cannot read ${file}: ${r.stderr.trim() || `exit ${r.exitCode}`}`, 'a kernel of 4.4 or later has it; check that sysfs is mounted');
    const isolated = parseIsolatedCpus(r.stdout);
    const pinned = pinnedCpus(node);
    const declared = node.cpus.isolated;
    const want = [...new Set([...pinned, ...declared])].sort((a, b) => a - b);
    const missing = want.filter((c) => !isolated.includes(c));
    const kernel = isolated.length ? `the kernel isolates ${formatCpuList(isolated)}` : 'the kernel isolates no CPU';
    if (missing.length) {
      const why = [
        ...(pinned.some((c) => missing.includes(c)) ? [`polled by the lab: ${formatCpuList(pinned)}`] : []),
        ...(declared.some((c) => missing.includes(c)) ? [`cpus.isolated: ${formatCpuList(declared)}`] : []),
      ].join('; ');
      const all = formatCpuList([...new Set([...want, ...isolated])].sort((a, b) => a - b));
      return fail(
        `${cpus(missing)} ${missing.length === 1 ? 'is' : 'are'} not isolated (${why}); ${kernel}: the scheduler and interrupts share them with the pollers`,
        `add \`isolcpus=${all} nohz_full=${all} rcu_nocbs=${all}\` to GRUB_CMDLINE_LINUX, update-grub and reboot; or pin CPUs the kernel isolates`,
      );
    }
    return pass(`${cpus(pinned)} polled by the lab ${pinned.length === 1 ? 'is' : 'are'} isolated (${kernel})`);
  },
};

export const governorCheck: PreflightCheck = {
  name: 'cpu-governor',
  appliesTo: pinning,
  async run({ node, shell, paths }) {
    const pinned = pinnedCpus(node);
    const files = pinned.map((c) => `${paths.sysfsRoot}/devices/system/cpu/cpu${c}/cpufreq/scaling_governor`);
    // grep exits 2 when some file is missing (no cpufreq for that CPU): what it printed is what there is.
    const r = await shell.exec(['grep', '-H', '.', ...files]);
    const governors = parseGovernors(r.stdout);
    if (governors.size === 0) return skip(`no cpufreq for ${cpus(pinned)} (a VM, or the firmware sets the frequency): there is no governor to check`);
    const slow = pinned.filter((c) => governors.has(c) && governors.get(c) !== 'performance');
    const unknown = pinned.filter((c) => !governors.has(c));
    if (slow.length) {
      const byGov = new Map<string, number[]>();
      for (const c of slow) {
        const g = governors.get(c)!;
        byGov.set(g, [...(byGov.get(g) ?? []), c]);
      }
      const shown = [...byGov].map(([g, list]) => `${cpus(list)} ${g}`).join(', ');
      return fail(
        `${shown}: a polling CPU that changes frequency changes the measured rate`,
        `\`cpupower -c ${formatCpuList(slow)} frequency-set -g performance\` (or write performance to each CPU's cpufreq/scaling_governor), and make it stick across reboots`,
      );
    }
    return pass(`${cpus(pinned.filter((c) => governors.has(c)))} performance${unknown.length ? `; no cpufreq for ${cpus(unknown)}` : ''}`);
  },
};

/** One check per NIC port with a PCI address: its NUMA node is the one of the node's pinned CPUs and hugepages. */
export const nicNumaChecks: CheckFactory = {
  name: 'nic-numa',
  checksFor: (node, lab) =>
    lab.kind === 'local'
      ? []
      : node.nics.flatMap((nic) =>
          nic.ports.flatMap((port): PreflightCheck[] => {
            const pci = port.pci;
            if (pci === undefined) return [];
            return [
              {
                name: `nic-numa ${nic.name}.${port.name}`,
                appliesTo: pinning,
                async run({ shell, paths }) {
                  const r = await shell.exec(['cat', `${pciDevicePath(paths, pci)}/numa_node`]);
                  if (r.exitCode !== 0) return skip(`no PCI device at ${pci} (the nic check says more)`);
                  const numa = parseNumaNode(r.stdout);
                  const pinned = pinnedCpus(node);
                  if (numa === null) {
                    const nodes = await shell.exec({ script: `ls -d ${paths.sysfsRoot}/devices/system/node/node[0-9]* 2>/dev/null || true` });
                    const count = nodes.stdout.split('\n').filter(Boolean).length;
                    if (count <= 1) return pass(`${pci}: one NUMA node on this host, every CPU is local to it`);
                    return skip(`the firmware reports no NUMA node for ${pci} on a host with ${count} NUMA nodes: its locality cannot be checked`);
                  }
                  const list = await shell.exec(['cat', `${paths.sysfsRoot}/devices/system/node/node${numa}/cpulist`]);
                  if (list.exitCode !== 0) return fail(`${pci} is on NUMA node ${numa}, but the host shows no CPU list for that node`, 'check /sys/devices/system/node on the host');
                  const local = parseCpuList(list.stdout.trim());
                  const remote = pinned.filter((c) => !local.includes(c));
                  const problems: string[] = [];
                  const hints: string[] = [];
                  if (remote.length) {
                    problems.push(`${cpus(remote)} polling it ${remote.length === 1 ? 'is' : 'are'} not on NUMA node ${numa} (its CPUs: ${formatCpuList(local)})`);
                    hints.push(`pin CPUs of NUMA node ${numa} in cpus.tg / cpus.dut`);
                  }
                  if (node.cpus.numaNode !== numa) {
                    problems.push(`the inventory says cpus.numaNode ${node.cpus.numaNode}`);
                    hints.push(`set cpus.numaNode: ${numa}`);
                  }
                  const huge = node.hugepages;
                  if (huge?.numaNode !== undefined && huge.numaNode !== numa) {
                    problems.push(`its hugepages are on NUMA node ${huge.numaNode}`);
                    hints.push(`set hugepages.numaNode: ${numa}`);
                  }
                  if (problems.length) return fail(`${pci} is on NUMA node ${numa}, but ${problems.join(', and ')}: every packet would cross the socket interconnect`, hints.join('; '));
                  return pass(`${pci} on NUMA node ${numa}, with ${cpus(pinned)}${huge?.numaNode === undefined ? '' : ' and the hugepages'}`);
                },
              },
            ];
          }),
        ),
};
