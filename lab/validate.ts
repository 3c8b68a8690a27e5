/**
 * The one cross-reference pass over a schema-valid inventory (DTS style): names unique, links point at
 * real ports and each port has at most one peer, roles present, files exist, CPU lists sane. Returns
 * issues with the exact field path; lab/load.ts turns paths into file:line:col.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';
import ssh2 from 'ssh2';
import { quote } from '../core/shell-quote.ts';
import { shownValue, terminalSafeLine } from '../core/terminal-text.ts';
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
  return terminalSafeLine(rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file);
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
  const files = new FileChecks();
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

    checkShell(node, at, lab.kind, opts.dir, checkFiles ? files : undefined, issues);
    checkNics(node, at, lab.kind, issues);
    checkCpus(node, at, issues);
    checkHugepages(node, at, issues);
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
  if (lab.cluster) issues.push(...clusterSourceIssues(lab.cluster, opts.dir, checkFiles ? files : undefined));
  if (lab.cluster) {
    for (const key of Object.keys(lab.cluster.install)) {
      if (lab.cluster.versions[key as keyof typeof lab.cluster.versions] === undefined) {
        issues.push({ path: ['cluster', 'install', key], message: `${key} is to be installed but has no pinned version`, hint: `add cluster.versions.${key} (the version of the manifests)` });
      }
    }
  }
  if (lab.kind === 'local') {
    lab.datapaths.forEach((d, i) => {
      if (d === 'sriov' || d === 'vdpa' || d === 'pf') {
        issues.push({
          path: ['datapaths', i],
          message: `the local lab cannot offer ${d}: it needs a NIC`,
          hint: d === 'pf' ? 'remove it from this lab; pf runs DPDK on the physical functions of a baremetal lab\'s NIC' : 'remove it from this lab; use a baremetal or kubernetes lab for SR-IOV and vDPA',
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
  files: FileChecks | undefined,
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
          hint: `add hostKeySha256 (run \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\` on ${quote([shell.host])}) or knownHosts: a known_hosts file`,
        });
      }
      if (!files) return;
      issues.push(...sshFileIssues(node, at, dir, files));
      return;
    }
    default: {
      const never: never = shell;
      throw new Error(`unhandled shell ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Problems with where the cluster's kubeconfig and release manifests come from: a manifest URL that is
 * neither a file nor https always; with `files`, a kubeconfig or manifest file that is not there (https
 * manifests are not looked at). `wirespeed run` refuses them at load; `lab check` loads without files and
 * reports each as a check of the lab (drivers/host/preflight/cluster-checks.ts).
 */
export function clusterSourceIssues(cluster: NonNullable<LabConfig['cluster']>, dir: string, files: FileChecks | undefined): PathIssue[] {
  const issues: PathIssue[] = [];
  const kubeconfig = resolveInventoryPath(dir, cluster.kubeconfig);
  if (files && !files.isFile(kubeconfig)) {
    issues.push({
      path: ['cluster', 'kubeconfig'],
      message: `kubeconfig file ${shownValue(cluster.kubeconfig)} not found (looked at ${shown(kubeconfig)})`,
      hint: 'copy the cluster admin kubeconfig there; paths are relative to the inventory file',
    });
  }
  for (const [key, source] of Object.entries(cluster.install)) {
    if (/^https:\/\//.test(source)) continue;
    if (/^[a-z]+:\/\//i.test(source)) {
      issues.push({ path: ['cluster', 'install', key], message: `manifests ${shownValue(source)}: only files and https URLs are read`, hint: 'download them and name the file' });
      continue;
    }
    const file = resolveInventoryPath(dir, source);
    if (files && !files.isFile(file)) {
      issues.push({ path: ['cluster', 'install', key], message: `manifests ${shownValue(source)} not found (looked at ${shown(file)})`, hint: 'name the upstream release manifests of the pinned version; paths are relative to the inventory file' });
    }
  }
  return issues;
}

const MODELS = NIC_CATALOGUE.map((m) => m.model);

/** Largest file read as a private key; real ones are under 4 KiB (RSA 4096 in PEM is about 3.3 KiB). */
const MAX_KEY_BYTES = 64 * 1024;

/** The ssh shell's files: the key exists and is a private key ssh2 can use; knownHosts exists. */
export function sshFileIssues(node: NodeConfig, at: (...rest: (string | number)[]) => FieldPath, dir: string, files = new FileChecks()): PathIssue[] {
  const shell = node.shell;
  if (shell.kind !== 'ssh') return [];
  const issues: PathIssue[] = [];
  const login = `${shell.user}@${shell.host}`;
  const keyHint = `create one with \`${quote(['ssh-keygen', '-t', 'ed25519', '-N', '', '-f', shell.key])}\` and install it with \`${quote(['ssh-copy-id', '-i', `${shell.key}.pub`, '-p', String(shell.port), login])}\``;
  const key = resolveInventoryPath(dir, shell.key);
  const keyProblem = files.keyProblem(key);
  if (keyProblem) {
    const where = `key file ${shownValue(shell.key)} of node ${node.name}`;
    const relHint = 'paths are relative to the inventory file';
    switch (keyProblem.kind) {
      case 'missing':
        issues.push({ path: at('shell', 'key'), message: `${where} not found (looked at ${shown(key)})`, hint: `${keyHint}; ${relHint}` });
        break;
      case 'unreadable':
        issues.push({ path: at('shell', 'key'), message: `${where} cannot be read (${shown(key)}): ${keyProblem.reason}`, hint: `${relHint}; the key must be a readable regular file` });
        break;
      case 'unusable':
        issues.push({
          path: at('shell', 'key'),
          message: `${where} (${shown(key)}) is not a private key wirespeed can use: ${keyProblem.reason}`,
          hint: keyProblem.encrypted
            ? `wirespeed needs a key without a passphrase (it runs unattended): remove it with \`${quote(['ssh-keygen', '-p', '-N', '', '-f', shell.key])}\`, or make a dedicated key: ${keyHint}`
            : `give the private key (not the .pub) in OpenSSH or PEM format, ed25519, ecdsa or rsa; \`${quote(['ssh-keygen', '-y', '-f', shell.key])}\` prints its public key when it is one. Or ${keyHint}`,
        });
        break;
      default: {
        const never: never = keyProblem;
        throw new Error(`unhandled key problem ${JSON.stringify(never)}`);
      }
    }
  }
  if (shell.knownHosts !== undefined) {
    const file = resolveInventoryPath(dir, shell.knownHosts);
    if (!files.isFile(file)) {
      issues.push({
        path: at('shell', 'knownHosts'),
        message: `knownHosts file ${shownValue(shell.knownHosts)} of node ${node.name} not found (looked at ${shown(file)})`,
        hint: `write it with \`${quote(['ssh-keyscan', '-p', String(shell.port), shell.host])} > ${quote([shell.knownHosts])}\` after checking the fingerprint; paths are relative to the inventory file`,
      });
    }
  }
  return issues;
}

/** File checks remembered for one validation: a thousand nodes naming one key read and parse it once. */
export class FileChecks {
  readonly #keys = new Map<string, KeyProblem | undefined>();
  readonly #files = new Map<string, boolean>();
  keyProblem(path: string): KeyProblem | undefined {
    if (!this.#keys.has(path)) this.#keys.set(path, privateKeyProblem(path));
    return this.#keys.get(path);
  }
  isFile(path: string): boolean {
    let known = this.#files.get(path);
    if (known === undefined) this.#files.set(path, (known = isFile(path)));
    return known;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

type KeyProblem = { kind: 'missing' } | { kind: 'unreadable'; reason: string } | { kind: 'unusable'; reason: string; encrypted: boolean };

/** Why the file at `path` is not a usable private key, or undefined when it is one. */
export function privateKeyProblem(path: string): KeyProblem | undefined {
  let data: Buffer;
  try {
    const st = statSync(path);
    if (st.isDirectory()) return { kind: 'unreadable', reason: 'it is a directory' };
    if (!st.isFile()) return { kind: 'unreadable', reason: 'it is not a regular file' };
    if (st.size > MAX_KEY_BYTES) return { kind: 'unusable', reason: `it has ${st.size} bytes, too many for a key`, encrypted: false };
    data = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'unreadable', reason: (e as Error).message };
  }
  const parsed = ssh2.utils.parseKey(data);
  if (parsed instanceof Error) {
    return { kind: 'unusable', reason: parsed.message, encrypted: /encrypted|passphrase/i.test(parsed.message) };
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key) return { kind: 'unusable', reason: 'no key in the file', encrypted: false };
  if (!key.isPrivateKey()) return { kind: 'unusable', reason: `it is a public key (${key.type})`, encrypted: false };
  return undefined;
}

function checkNics(node: NodeConfig, at: (...rest: (string | number)[]) => FieldPath, kind: LabConfig['kind'], issues: PathIssue[]): void {
  const models = MODELS;
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
    if (nic.model === 'virtual' ? kind !== 'local' : !models.includes(nic.model) && nic.pciId === undefined) {
      const near = closest(nic.model, models);
      issues.push({
        path: at('nics', i, 'model'),
        message: nic.model === 'virtual' ? `model virtual is only for the local lab (this lab is kind: ${kind})` : `NIC model ${shownValue(nic.model)} is not in the catalogue`,
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

/** More hugepage memory than this on one node is a typo (4 TiB: 2,097,152 pages of 2 MB or 4096 of 1 GB). */
export const MAX_HUGEPAGE_KB = 4 * 1024 * 1024 * 1024;

function checkHugepages(node: NodeConfig, at: (...rest: (string | number)[]) => FieldPath, issues: PathIssue[]): void {
  const hp = node.hugepages;
  if (!hp) return;
  const totalKb = hp.count * hp.sizeKb;
  if (totalKb > MAX_HUGEPAGE_KB) {
    const page = hp.sizeKb === 2048 ? '2 MB' : '1 GB';
    issues.push({
      path: at('hugepages', 'count'),
      message: `${hp.count} pages of ${page} is ${formatKb(totalKb)}, more than a node reserves (at most ${formatKb(MAX_HUGEPAGE_KB)}: ${MAX_HUGEPAGE_KB / hp.sizeKb} pages of ${page})`,
      hint: 'count is the number of pages the lab needs on this node, not bytes or kB: the local lab needs 512 pages of 2 MB, a DPDK DUT a few 1 GB pages',
    });
  }
}

function formatKb(kb: number): string {
  const units = ['kB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = kb;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
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
    const dut = new Set(parsed.dut);
    const both = parsed.tg.filter((c) => dut.has(c));
    if (both.length) {
      issues.push({
        path: at('cpus', 'dut'),
        message: `CPU${both.length > 1 ? 's' : ''} ${both.join(',')} given to both tg and dut`,
        hint: 'a polling lcore spins at 100 %: give the generator and the DUT separate CPUs',
      });
    }
  }
}

/** Other nodes named per overlap at most: beyond that the overlap is one mistake repeated. */
const MAX_OVERLAPS_PER_NODE = 3;

/**
 * Nodes on one host (the local lab's tg and dut) must not hand the same CPU to a generator and a DUT.
 * One index of tg CPUs per host, so the check is linear in the inventory, not in nodes squared.
 */
function checkSharedHostCpus(lab: LabConfig, issues: PathIssue[]): void {
  const safe = (t: string | undefined): number[] => {
    try {
      return t === undefined ? [] : parseCpuList(t);
    } catch {
      return []; // reported by checkCpus
    }
  };
  /** host → CPU → indexes of nodes that give it to a generator, in node order. */
  const tgByHost = new Map<string, Map<number, number[]>>();
  lab.nodes.forEach((node, n) => {
    const host = hostKey(node);
    let cpus = tgByHost.get(host);
    if (!cpus) tgByHost.set(host, (cpus = new Map()));
    for (const c of safe(node.cpus?.tg)) {
      const list = cpus.get(c);
      if (list) list.push(n);
      else cpus.set(c, [n]);
    }
  });
  lab.nodes.forEach((node, n) => {
    const dut = safe(node.cpus?.dut);
    if (dut.length === 0) return;
    const tgCpus = tgByHost.get(hostKey(node))!;
    /** other node index → the dut CPUs it also uses as tg, in dut order. */
    const overlaps = new Map<number, number[]>();
    for (const c of dut) {
      for (const other of tgCpus.get(c) ?? []) {
        if (other === n) continue;
        const both = overlaps.get(other);
        if (both) both.push(c);
        else if (overlaps.size < MAX_OVERLAPS_PER_NODE) overlaps.set(other, [c]);
        else break;
      }
    }
    for (const other of [...overlaps.keys()].sort((a, b) => a - b)) {
      const both = overlaps.get(other)!;
      issues.push({
        path: ['nodes', n, 'cpus', 'dut'],
        message: `${both.length > 1 ? `CPUs ${both.join(',')} (dut of node ${node.name}) are also tg CPUs` : `CPU ${both[0]} (dut of node ${node.name}) is also a tg CPU`} of node ${lab.nodes[other]!.name} on the same host`,
        hint: 'nodes that share a host share its CPUs: give the generator and the DUT separate CPUs',
      });
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
