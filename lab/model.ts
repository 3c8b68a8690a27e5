/**
 * The runtime model built from a validated inventory (config and model are separate, as in DTS):
 * resolved paths, parsed CPU lists, links as endpoint pairs, and how each node is reached. It is data only:
 * opening a node's shell is a driver's job (drivers/shell/node-shells.ts).
 */
import { parseCpuList } from './cpu-list.ts';
import type { ClusterConfig, DatapathKind, DutKind, GeneratorKind, LabConfig, NodeConfig, Role } from './schema.ts';
import { parseLink, resolveInventoryPath } from './validate.ts';

export interface PortRef {
  node: string;
  port: string;
}

export interface Link {
  a: PortRef;
  b: PortRef;
}

export interface Port {
  name: string;
  /** Name of the NIC it belongs to. */
  nic: string;
  pci?: string;
  mac?: string;
  /** Negotiated speed stated in the inventory, Gb/s. */
  speedGbps?: number;
}

export interface Nic {
  name: string;
  model: string;
  pciId?: string;
  ports: Port[];
}

export interface NodeCpus {
  tg: number[];
  dut: number[];
  isolated: number[];
  numaNode: number;
}

export interface LabNode {
  name: string;
  roles: readonly Role[];
  config: NodeConfig;
  cpus: NodeCpus;
  nics: Nic[];
  /** Every port of every NIC, in inventory order. */
  ports: Port[];
  hugepages?: NodeConfig['hugepages'];
  netns?: string;
  /** "local" or user@host:port: nodes with the same host share CPUs, hugepages and namespaces. */
  host: string;
  hasRole(role: Role): boolean;
  port(name: string): Port | undefined;
  /** How the node is reached, with the key and known-hosts paths resolved against the inventory. */
  access: NodeAccess;
}

/** How a node is reached: this machine, or SSH (paths absolute). Its netns, if any, is LabNode.netns. */
export type NodeAccess =
  | { readonly kind: 'local' }
  | {
      readonly kind: 'ssh';
      readonly host: string;
      readonly port: number;
      readonly user: string;
      readonly keyPath: string;
      readonly knownHostsPath?: string;
      readonly hostKeySha256?: string;
      readonly keepaliveIntervalMs: number;
      readonly connectTimeoutMs: number;
      readonly retries: number;
    };

export interface Lab {
  name: string;
  kind: LabConfig['kind'];
  description?: string;
  /** Absolute path of the inventory file. */
  file: string;
  nodes: LabNode[];
  links: Link[];
  datapaths: DatapathKind[];
  /** DUT applications of the run matrix (inventory `duts`, default l3fwd). */
  duts: DutKind[];
  /** Generators of the run matrix (inventory `generators`; default wsp-gen on the local lab, pktgen elsewhere). */
  generators: GeneratorKind[];
  /** With kubeconfig resolved to an absolute path. */
  cluster?: ClusterConfig;
  config: LabConfig;
  /** The node of that name; throws when there is none. */
  node(name: string): LabNode;
  nodesWithRole(role: Role): LabNode[];
  /** The port at the other end of the link that uses `ref`, if linked. */
  peer(ref: PortRef): PortRef | undefined;
}

/** Build the runtime model from a validated config (see loadLab). */
export function buildLab(config: LabConfig, file: string, dir: string): Lab {
  const nodes = config.nodes.map((n) => buildNode(n, dir));
  const links: Link[] = config.links.map((text) => {
    const ends = parseLink(text);
    if (!ends) throw new Error(`unvalidated link ${text}`);
    return ends;
  });
  const byName = new Map(nodes.map((n) => [n.name, n]));
  // Both ends of every link, so that peer() is a lookup (lab show asks it for every port).
  const peers = new Map<string, PortRef>();
  for (const l of links) {
    peers.set(`${l.a.node}.${l.a.port}`, l.b);
    peers.set(`${l.b.node}.${l.b.port}`, l.a);
  }
  return {
    name: config.name,
    kind: config.kind,
    ...(config.description === undefined ? {} : { description: config.description }),
    file,
    nodes,
    links,
    datapaths: [...config.datapaths],
    duts: [...(config.duts ?? ['l3fwd'])],
    generators: [...(config.generators ?? [config.kind === 'local' ? 'wsp-gen' : 'pktgen'])],
    ...(config.cluster
      ? {
          cluster: {
            ...config.cluster,
            kubeconfig: resolveInventoryPath(dir, config.cluster.kubeconfig),
            // Manifest files are relative to the inventory; URLs stay as they are.
            install: Object.fromEntries(Object.entries(config.cluster.install).map(([k, v]) => [k, /^https?:\/\//.test(v) ? v : resolveInventoryPath(dir, v)])),
          },
        }
      : {}),
    config,
    node(name) {
      const n = byName.get(name);
      if (!n) throw new Error(`lab ${config.name} has no node ${name} (nodes: ${[...byName.keys()].join(', ')})`);
      return n;
    },
    nodesWithRole(role) {
      return nodes.filter((n) => n.roles.includes(role));
    },
    peer(ref) {
      return peers.get(`${ref.node}.${ref.port}`);
    },
  };
}

function buildNode(config: NodeConfig, dir: string): LabNode {
  const nics: Nic[] = config.nics.map((nic) => ({
    name: nic.name,
    model: nic.model,
    ...(nic.pciId === undefined ? {} : { pciId: nic.pciId }),
    ports: nic.ports.map((p) => ({
      name: p.name,
      nic: nic.name,
      ...(p.pci === undefined ? {} : { pci: p.pci }),
      ...(p.mac === undefined ? {} : { mac: p.mac }),
      ...(p.speedGbps === undefined ? {} : { speedGbps: p.speedGbps }),
    })),
  }));
  const ports = nics.flatMap((n) => n.ports);
  const sh = config.shell;
  const host = sh.kind === 'local' ? 'local' : `${sh.user}@${sh.host}:${sh.port}`;
  const access: NodeAccess =
    sh.kind === 'local'
      ? { kind: 'local' }
      : {
          kind: 'ssh',
          host: sh.host,
          port: sh.port,
          user: sh.user,
          keyPath: resolveInventoryPath(dir, sh.key),
          ...(sh.knownHosts === undefined ? {} : { knownHostsPath: resolveInventoryPath(dir, sh.knownHosts) }),
          ...(sh.hostKeySha256 === undefined ? {} : { hostKeySha256: sh.hostKeySha256 }),
          keepaliveIntervalMs: sh.keepaliveIntervalMs,
          connectTimeoutMs: sh.connectTimeoutMs,
          retries: sh.retries,
        };
  return {
    name: config.name,
    roles: config.roles,
    config,
    cpus: {
      tg: parseCpuList(config.cpus?.tg ?? ''),
      dut: parseCpuList(config.cpus?.dut ?? ''),
      isolated: parseCpuList(config.cpus?.isolated ?? ''),
      numaNode: config.cpus?.numaNode ?? 0,
    },
    nics,
    ports,
    ...(config.hugepages === undefined ? {} : { hugepages: config.hugepages }),
    ...(config.netns === undefined ? {} : { netns: config.netns }),
    host,
    hasRole: (r) => config.roles.includes(r),
    port: (name) => ports.find((p) => p.name === name),
    access,
  };
}
