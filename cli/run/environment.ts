/**
 * The environment of a run for its `run-start` record: per lab node, host name, CPU, kernel, DPDK and OVS
 * versions and NICs, read through the node's shell; the harness's git commit. Anything that cannot be read
 * is recorded as "unknown" rather than failing the run: the record describes, it does not gate.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Lab, LabNode } from '../../lab/model.ts';
import type { Environment, NodeEnvironment } from '../../reports/schema/record.ts';
import { REPO_ROOT } from './playwright.ts';

const run = promisify(execFile);

async function out(node: LabNode, argv: string[]): Promise<string | undefined> {
  try {
    const shell = await node.shell();
    const r = await shell.exec(argv, { timeoutMs: 10_000 });
    const text = r.stdout.trim();
    return r.exitCode === 0 && text !== '' ? text : undefined;
  } catch {
    return undefined;
  }
}

async function describeNode(node: LabNode): Promise<NodeEnvironment> {
  const [hostname, kernel, nproc, cpuinfo, dpdk, ovs] = await Promise.all([
    out(node, ['hostname']),
    out(node, ['uname', '-r']),
    out(node, ['nproc', '--all']),
    out(node, ['sh', '-c', 'grep -m1 "model name" /proc/cpuinfo']),
    out(node, ['pkg-config', '--modversion', 'libdpdk']),
    out(node, ['sh', '-c', 'ovs-vswitchd --version 2>/dev/null | head -1']),
  ]);
  const cpuModel = cpuinfo?.split(':').slice(1).join(':').trim();
  const ovsVersion = ovs?.match(/(\d+\.\d+\.\d+)/)?.[1];
  return {
    name: node.name,
    roles: [...node.roles],
    hostname: hostname ?? 'unknown',
    cpuModel: cpuModel || 'unknown',
    cpuCount: Math.max(1, Number(nproc ?? '1') || 1),
    coresUsed: [...new Set([...node.cpus.tg, ...node.cpus.dut])].sort((a, b) => a - b),
    kernel: kernel ?? 'unknown',
    ...(dpdk ? { dpdkVersion: dpdk } : {}),
    ...(ovsVersion ? { ovsVersion } : {}),
    nics: node.nics.map((n) => ({ name: n.name, model: n.model, ...(n.pciId ? { pciId: n.pciId } : {}) })),
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

/** Describe the lab and the harness for the run-start record. */
export async function collectEnvironment(lab: Lab, harnessVersion: string): Promise<Environment> {
  return {
    labName: lab.name,
    labKind: lab.kind,
    harnessCommit: await harnessCommit(),
    harnessVersion,
    nodeVersion: process.version,
    nodes: await Promise.all(lab.nodes.map(describeNode)),
  };
}
