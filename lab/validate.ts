/**
 * The one cross-reference pass over a schema-valid inventory (DTS style): names unique, links point at
 * real ports and each port has at most one peer, roles present, files exist, CPU lists sane. Returns
 * issues with the exact field path; lab/load.ts turns paths into file:line:col.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';
import { NIC_CATALOGUE } from './nic-catalogue.ts';
import { parseCpuList } from './cpu-list.ts';
import { closest } from './zod-messages.ts';
import { LINK, type LabConfig, type NodeConfig } from './schema.ts';

export type FieldPath = readonly (string | number)[];

export interface PathIssue {
  path: FieldPath;
  message: string;
  hint: string;
  /** Point at the key of this mapping entry rather than its value. */
  atKey?: boolean;
}

export interface ValidateOptions {
  /** Directory of the inventory file: relative file paths resolve against it. */
  dir: string;
  /** Check that key, knownHosts and kubeconfig files exist (default true). */
  checkFiles?: boolean;
}

/** Resolve a path from the inventory: `~/` is the home directory, relative is against the inventory's directory. */
export function resolveInventoryPath(dir: string, p: string): string {
  if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(dir, p);
}

/** A path for messages: relative to the working directory when it is below it. */
function shown(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** A parsed link: both endpoints as node and port names. */
export interface LinkEnds {
  a: { node: string; port: string };
  b: { node: string; port: string };
}

/** Split `tg.p0 <-> dut.p0`; null when it does not match LINK (the schema reports that). */
export function parseLink(text: string): LinkEnds | null {
  const m = LINK.exec(text);
  if (!m) return null;
  return { a: { node: m[1]!, port: m[2]! }, b: { node: m[3]!, port: m[4]! } };
}

/** Where a node's processes run: nodes on the same host share its CPUs. */
export function hostKey(node: NodeConfig): string {
  return node.shell.kind === 'local' ? 'local' : `${node.shell.host}:${node.shell.port}`;
}

/** Every cross-reference problem of the inventory, in document order. */
export function validateLab(lab: LabConfig, opts: ValidateOptions): PathIssue[] {
  const issues: PathIssue[] = [];
  const checkFiles = opts.checkFiles ?? true;
  const nodeIndex = new Map<string, number>();

  lab.nodes.forEach((node, n) => {
    const at = (...rest: (string | number)[]): FieldPath => ['nodes', n, ...rest];
    const first = nodeIndex.get(node.name);
    if (first !== undefined) {
      issues.push({
        path: at('name'),
        message: `duplicate node name "${node.name}" (nodes[${first}] has it too)`,
        hint: 'give every node its own name; links refer to nodes by name',
      });
    } else nodeIndex.set(node.name, n);

    checkShell(node, at, lab.kind, opts.dir, checkFiles, issues);
    checkNics(node, at, lab.kind, issues);
    checkCpus(node, at, issues);
    if (new Set(node.roles).size !== node.roles.length) {
      issues.push({ path: at('roles'), message: 'a role is listed twice', hint: 'list each role once' });
    }
  });

  checkSharedHostCpus(lab, issues);
  checkLinks(lab, nodeIndex, issues);

  if (lab.kind === 'kubernetes' && !lab.cluster) {
    issues.push({
      path: ['kind'],
      message: 'a kubernetes lab needs a cluster section',
      hint: 'add `cluster: { kubeconfig: path/to/kubeconfig }` (relative to this file), or use kind: baremetal',
    });
  }
  if (lab.cluster && lab.kind !== 'kubernetes') {
    issues.push({
      path: ['cluster'],
      atKey: true,
      message: `only kind: kubernetes labs use a cluster (this lab is kind: ${lab.kind})`,
      hint: 'set kind: kubernetes, or remove the cluster section',
    });
  }
  if (lab.cluster && checkFiles) {
    const file = resolveInventoryPath(opts.dir, lab.cluster.kubeconfig);
    if (!existsSync(file)) {
      issues.push({
        path: ['cluster', 'kubeconfig'],
        message: `kubeconfig file ${lab.cluster.kubeconfig} not found (looked at ${shown(file)})`,
        hint: 'copy the cluster admin kubeconfig there; paths are relative to the inventory file',
      });
    }
    for (const [key, source] of Object.entries(lab.cluster.install)) {
      if (/^https:\/\//.test(source)) continue;
      if (/^[a-z]+:\/\//i.test(source)) {
        issues.push({ path: ['cluster', 'install', key], message: `manifests ${source}: only files and https URLs are read`, hint: 'download them and name the file' });
        continue;
      }
      const file = resolveInventoryPath(opts.dir, source);
      if (!existsSync(file)) {
        issues.push({ path: ['cluster', 'install', key], message: `manifests ${source} not found (looked at ${shown(file)})`, hint: 'name the upstream release manifests of the pinned version; paths are relative to the inventory file' });
      }
    }
  }
  if (lab.cluster) {
    for (const key of Object.keys(lab.cluster.install)) {
      if (lab.cluster.versions[key as keyof typeof lab.cluster.versions] === undefined) {
        issues.push({ path: ['cluster', 'install', key], message: `${key} is to be installed but has no pinned version`, hint: `add cluster.versions.${key} (the version of the manifests)` });
      }
    }
  }
  if (lab.kind === 'local') {
    lab.datapaths.forEach((d, i) => {
      if (d === 'sriov' || d === 'vdpa') {
        issues.push({
          path: ['datapaths', i],
          message: `the local lab cannot offer ${d}: it needs a NIC`,
          hint: 'remove it from this lab; use a baremetal or kubernetes lab for SR-IOV and vDPA',
        });
      }
    });
  }
  const seenDatapaths = new Set<string>();
  lab.datapaths.forEach((d, i) => {
    if (seenDatapaths.has(d)) issues.push({ path: ['datapaths', i], message: `datapath ${d} is listed twice`, hint: 'list each datapath once' });
    seenDatapaths.add(d);
  });
  return issues;
}

function checkShell(
  node: NodeConfig,
  at: (...rest: (string | number)[]) => FieldPath,
  kind: LabConfig['kind'],
  dir: string,
  checkFiles: boolean,
  issues: PathIssue[],
): void {
  const shell = node.shell;
  switch (shell.kind) {
    case 'local':
      return;
    case 'ssh': {
      if (kind === 'local') {
        issues.push({
          path: at('shell', 'kind'),
          message: 'a local lab runs on this machine: its nodes use shell kind local',
          hint: 'use kind: baremetal (or kubernetes) for a lab reached over SSH',
        });
      }
      if (shell.knownHosts === undefined && shell.hostKeySha256 === undefined) {
        issues.push({
          path: at('shell'),
          message: 'an ssh shell needs knownHosts or hostKeySha256 to verify the host key',
          hint: `add hostKeySha256 (run \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` on ${shell.host}) or knownHosts: a known_hosts file`,
        });
      }
      if (!checkFiles) return;
      const files: [string, string | undefined, string][] = [
        ['key', shell.key, `create one with \`ssh-keygen -t ed25519 -f ${shell.key}\` and add the .pub to ${shell.user}@${shell.host}:~/.ssh/authorized_keys`],
        ['knownHosts', shell.knownHosts, `write it with \`ssh-keyscan -p ${shell.port} ${shell.host} > ${shell.knownHosts ?? ''}\` after checking the fingerprint`],
      ];
      for (const [field, p, hint] of files) {
        if (p === undefined) continue;
        const file = resolveInventoryPath(dir, p);
        if (!existsSync(file)) {
          issues.push({ path: at('shell', field), message: `${field} file ${p} not found (looked at ${shown(file)})`, hint: `${hint}; paths are relative to the inventory file` });
        }
      }
      return;
    }
    default: {
      const never: never = shell;
      throw new Error(`unhandled shell ${JSON.stringify(never)}`);
    }
  }
}

function checkNics(node: NodeConfig, at: (...rest: (string | number)[]) => FieldPath, kind: LabConfig['kind'], issues: PathIssue[]): void {
  const nicNames = new Map<string, number>();
  const portNames = new Map<string, string>();
  const pcis = new Map<string, string>();
  node.nics.forEach((nic, i) => {
    const firstNic = nicNames.get(nic.name);
    if (firstNic !== undefined) {
      issues.push({
        path: at('nics', i, 'name'),
        message: `duplicate NIC name "${nic.name}" on node ${node.name} (nics[${firstNic}] has it too)`,
        hint: 'NIC names are unique within a node',
      });
    } else nicNames.set(nic.name, i);
    const models = NIC_CATALOGUE.map((m) => m.model);
    if (nic.model === 'virtual' ? kind !== 'local' : !models.includes(nic.model) && nic.pciId === undefined) {
      const near = closest(nic.model, models);
      issues.push({
        path: at('nics', i, 'model'),
        message: nic.model === 'virtual' ? `model virtual is only for the local lab (this lab is kind: ${kind})` : `NIC model "${nic.model}" is not in the catalogue`,
        hint: `${near ? `did you mean "${near}"? ` : ''}known models: ${models.join(', ')}; for another part add pciId: "vendor:device" (from \`lspci -nn\`)`,
      });
    }
    nic.ports.forEach((port, p) => {
      const where = `nics[${i}].ports[${p}]`;
      const firstPort = portNames.get(port.name);
      if (firstPort !== undefined) {
        issues.push({
          path: at('nics', i, 'ports', p, 'name'),
          message: `duplicate port name "${port.name}" on node ${node.name} (${firstPort} has it too)`,
          hint: 'port names are unique within a node (across its NICs): links name them as node.port',
        });
      } else portNames.set(port.name, where);
      if (port.pci !== undefined) {
        const firstPci = pcis.get(port.pci);
        if (firstPci !== undefined) {
          issues.push({
            path: at('nics', i, 'ports', p, 'pci'),
            message: `PCI address ${port.pci} is used twice on node ${node.name} (${firstPci} has it too)`,
            hint: 'each port is its own PCI function: check `lspci -D` on the node',
          });
        } else pcis.set(port.pci, where);
      } else if (kind !== 'local') {
        issues.push({
          path: at('nics', i, 'ports', p),
          message: `port ${port.name} of NIC ${nic.name} needs a pci address on a ${kind} lab`,
          hint: 'add `pci: 0000:81:00.0` (from `lspci -D -d ::0200` on the node)',
        });
      }
    });
  });
}

function checkCpus(node: NodeConfig, at: (...rest: (string | number)[]) => FieldPath, issues: PathIssue[]): void {
  if (!node.cpus) return;
  const parsed: Partial<Record<'tg' | 'dut' | 'isolated', number[]>> = {};
  for (const field of ['tg', 'dut', 'isolated'] as const) {
    const text = node.cpus[field];
    if (text === undefined) continue;
    try {
      parsed[field] = parseCpuList(text);
    } catch (e) {
      issues.push({
        path: at('cpus', field),
        message: `bad CPU list "${text}": ${(e as Error).message}`,
        hint: 'write CPUs as the kernel does, e.g. "2-5,8"; `lscpu -e` lists the node\'s CPUs',
      });
    }
  }
  if (parsed.tg && parsed.dut) {
    const both = parsed.tg.filter((c) => parsed.dut!.includes(c));
    if (both.length) {
      issues.push({
        path: at('cpus', 'dut'),
        message: `CPU${both.length > 1 ? 's' : ''} ${both.join(',')} given to both tg and dut`,
        hint: 'a polling lcore spins at 100 %: give the generator and the DUT separate CPUs',
      });
    }
  }
}

/** Nodes on one host (the local lab's tg and dut) must not hand the same CPU to a generator and a DUT. */
function checkSharedHostCpus(lab: LabConfig, issues: PathIssue[]): void {
  const tgByHost = new Map<string, { node: string; cpus: number[] }[]>();
  const safe = (t: string | undefined): number[] => {
    try {
      return t === undefined ? [] : parseCpuList(t);
    } catch {
      return []; // reported by checkCpus
    }
  };
  for (const node of lab.nodes) {
    const list = tgByHost.get(hostKey(node)) ?? [];
    list.push({ node: node.name, cpus: safe(node.cpus?.tg) });
    tgByHost.set(hostKey(node), list);
  }
  lab.nodes.forEach((node, n) => {
    const dut = safe(node.cpus?.dut);
    for (const other of tgByHost.get(hostKey(node)) ?? []) {
      if (other.node === node.name) continue;
      const both = dut.filter((c) => other.cpus.includes(c));
      if (both.length) {
        issues.push({
          path: ['nodes', n, 'cpus', 'dut'],
          message: `${both.length > 1 ? `CPUs ${both.join(',')} (dut of node ${node.name}) are also tg CPUs` : `CPU ${both[0]} (dut of node ${node.name}) is also a tg CPU`} of node ${other.node} on the same host`,
          hint: 'nodes that share a host share its CPUs: give the generator and the DUT separate CPUs',
        });
      }
    }
  });
}

function checkLinks(lab: LabConfig, nodeIndex: Map<string, number>, issues: PathIssue[]): void {
  const linkedBy = new Map<string, number>();
  lab.links.forEach((text, l) => {
    const ends = parseLink(text);
    if (!ends) return; // the schema reported it
    let ok = true;
    for (const end of [ends.a, ends.b]) {
      const n = nodeIndex.get(end.node);
      if (n === undefined) {
        issues.push({
          path: ['links', l],
          message: `link ${text}: there is no node "${end.node}"`,
          hint: `nodes are: ${[...nodeIndex.keys()].join(', ')}`,
        });
        ok = false;
        continue;
      }
      const node = lab.nodes[n]!;
      const ports = [...new Set(node.nics.flatMap((nic) => nic.ports.map((p) => p.name)))];
      if (!ports.includes(end.port)) {
        issues.push({
          path: ['links', l],
          message: `link ${text}: node ${end.node} has no port "${end.port}"`,
          hint: ports.length ? `ports of ${end.node} are: ${ports.join(', ')}` : `node ${end.node} has no NIC ports: add them under nics`,
        });
        ok = false;
      }
    }
    if (!ok) return;
    if (ends.a.node === ends.b.node && ends.a.port === ends.b.port) {
      issues.push({ path: ['links', l], message: `link ${text} connects a port to itself`, hint: 'a link joins two different ports' });
      return;
    }
    for (const end of [ends.a, ends.b]) {
      const key = `${end.node}.${end.port}`;
      const first = linkedBy.get(key);
      if (first !== undefined && first !== l) {
        issues.push({
          path: ['links', l],
          message: `port ${key} is linked twice (links[${first}] uses it already)`,
          hint: 'a port has one cable: each port appears in at most one link',
        });
      } else linkedBy.set(key, l);
    }
  });
  if (lab.links.length > 0) {
    for (const r of ['tg', 'dut'] as const) {
      if (!lab.nodes.some((n) => n.roles.includes(r))) {
        issues.push({
          path: ['nodes'],
          atKey: true,
          message: `the lab has links but no node with role ${r}`,
          hint: `add roles: [${r}] to the node that ${r === 'tg' ? 'generates traffic' : 'forwards it (device under test)'}`,
        });
      }
    }
  }
}
