/**
 * The environment of a run for its `run-start` record: per lab node, what drivers/host reads through the
 * node's shell (host-facts.ts: CPU, kernel and its command line, isolated CPUs, cpufreq governors;
 * nic-facts.ts: each NIC's driver, firmware and NUMA node), the DPDK, VPP and OVS versions, and the harness's
 * git commit. Anything that cannot be read is recorded as unknown or left out rather than failing the run: the
 * record describes, it does not gate (`wirespeed lab check` gates).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { formatCpuList } from '../../lab/cpu-list.ts';
import type { Lab, LabNode, Nic } from '../../lab/model.ts';
import { gatherHostFacts, type HostFacts } from '../../drivers/host/host-facts.ts';
import { DEFAULT_HOST_PATHS, type HostPaths } from '../../drivers/host/host-paths.ts';
import { gatherPortFacts, type PortFacts } from '../../drivers/host/nic-facts.ts';
import type { Shell } from '../../drivers/shell/shell.ts';
import { locateVpp } from '../../drivers/vpp/locate-vpp.ts';
import type { Environment, NicInfo, NodeEnvironment } from '../../reports/schema/record.ts';
import { REPO_ROOT } from './playwright.ts';

const run = promisify(execFile);

export interface EnvironmentOptions {
  /** sysfs and /proc of a node (tests point them at a fake host's tree); default /sys and /proc. */
  readonly hostPaths?: (node: LabNode) => HostPaths;
}

async function out(shell: Shell, argv: string[]): Promise<string | undefined> {
  try {
    const r = await shell.exec(argv, { timeoutMs: 10_000 });
    const text = r.stdout.trim();
    return r.exitCode === 0 && text !== '' ? text : undefined;
  } catch {
    return undefined;
  }
}

/** cpufreq governor -> CPU list ("performance": "0-3"); empty without cpufreq. */
function governorsOf(facts: HostFacts): Record<string, string> {
  const byGovernor = new Map<string, number[]>();
  for (const [cpu, g] of facts.governors) byGovernor.set(g, [...(byGovernor.get(g) ?? []), cpu]);
  return Object.fromEntries([...byGovernor].sort(([a], [b]) => a.localeCompare(b)).map(([g, cpus]) => [g, formatCpuList(cpus)]));
}

/** The distinct values of a field over a NIC's ports, joined ("i40e" or "i40e/vfio-pci" when ports differ). */
function joined(values: readonly (string | number | null | undefined)[]): string | undefined {
  const distinct = [...new Set(values.filter((v): v is string | number => v !== null && v !== undefined).map(String))];
  return distinct.length ? distinct.join('/') : undefined;
}

async function describeNic(nic: Nic, shell: Shell, paths: HostPaths): Promise<NicInfo> {
  const base = { name: nic.name, model: nic.model, ...(nic.pciId ? { pciId: nic.pciId } : {}) };
  // The local lab's ports are software devices the datapath creates: no driver or firmware to read.
  if (nic.model === 'virtual') return { ...base, driver: 'virtual' };
  const ports = nic.ports.flatMap((p) => (p.pci === undefined ? [] : [p.pci]));
  const facts = (await Promise.all(ports.map((pci) => gatherPortFacts(shell, paths, pci).catch(() => undefined)))).filter((f): f is PortFacts => f !== undefined);
  const driver = joined(facts.map((f) => f.driver));
  const firmware = joined(facts.map((f) => f.firmware));
  const numa = facts.map((f) => f.numaNode).find((n) => n !== null && n >= 0);
  return {
    ...base,
    ...(driver === undefined ? {} : { driver }),
    ...(firmware === undefined ? {} : { firmware }),
    ...(numa === undefined || numa === null ? {} : { numaNode: numa }),
  };
}

async function describeNode(node: LabNode, shell: Shell | undefined, paths: HostPaths, local: boolean): Promise<NodeEnvironment> {
  const nothing = Promise.resolve(undefined);
  const [facts, hostname, dpdk, ovs] = await Promise.all([
    shell ? gatherHostFacts(shell, paths).catch(() => undefined) : nothing,
    shell ? out(shell, ['hostname']) : nothing,
    shell ? out(shell, ['pkg-config', '--modversion', 'libdpdk']) : nothing,
    shell ? out(shell, ['sh', '-c', 'ovs-vswitchd --version 2>/dev/null | head -1']) : nothing,
  ]);
  const ovsVersion = ovs?.match(/(\d+\.\d+\.\d+)/)?.[1];
  // The local lab's VPP is the one the locator finds on this machine (PATH, prefix or setup's cache).
  const vpp = local ? locateVpp() : undefined;
  const vppVersion = vpp && 'install' in vpp ? vpp.install.version : undefined;
  const nics = await Promise.all(
    node.nics.map((nic): Promise<NicInfo> => (shell ? describeNic(nic, shell, paths) : Promise.resolve({ name: nic.name, model: nic.model, ...(nic.model === 'virtual' ? { driver: 'virtual' } : {}) }))),
  );
  return {
    name: node.name,
    roles: [...node.roles],
    hostname: hostname ?? 'unknown',
    cpuModel: facts?.cpu.model || 'unknown',
    cpuCount: Math.max(1, facts?.cpu.logicalCpus ?? 1),
    coresUsed: [...new Set([...node.cpus.tg, ...node.cpus.dut])].sort((a, b) => a - b),
    kernel: facts?.kernel || 'unknown',
    ...(facts ? { kernelCmdline: facts.cmdline.raw, isolatedCpus: [...facts.isolatedCpus], governors: governorsOf(facts) } : {}),
    ...(dpdk ? { dpdkVersion: dpdk } : {}),
    ...(vppVersion ? { vppVersion } : {}),
    ...(ovsVersion ? { ovsVersion } : {}),
    nics,
  };
}

/** The harness's commit, "-dirty" when the tree has changes, "unknown" outside git. */
export async function harnessCommit(): Promise<string> {
  try {
    const head = (await run('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT })).stdout.trim();
    const dirty = (await run('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT })).stdout.trim() !== '';
    return `${head}${dirty ? '-dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}

/** Describe the lab and the harness for the run-start record, reaching each node through `shellOf`. */
export async function collectEnvironment(lab: Lab, shellOf: (node: LabNode) => Promise<Shell>, harnessVersion: string, opts: EnvironmentOptions = {}): Promise<Environment> {
  const nodes = await Promise.all(
    lab.nodes.map(async (node) => {
      const shell = await shellOf(node).catch(() => undefined); // unreachable: described from the inventory alone
      return describeNode(node, shell, opts.hostPaths?.(node) ?? DEFAULT_HOST_PATHS, lab.kind === 'local');
    }),
  );
  return {
    labName: lab.name,
    labKind: lab.kind,
    harnessCommit: await harnessCommit(),
    harnessVersion,
    nodeVersion: process.version,
    nodes,
  };
}
