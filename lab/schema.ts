/**
 * The lab inventory schema (DTS's config style): strict (unknown keys are errors), patterns checked
 * per field; cross-references (links, unique names) are checked once at the root by `lab/validate.ts`.
 * This describes what a user writes; `lab/model.ts` is the runtime model built from it.
 */
import { z } from 'zod';

const NAME = /^[a-z][a-z0-9-]{0,30}$/;
const name = (what: string) =>
  z.string().regex(NAME, `${what} must be lower-case letters, digits and '-', starting with a letter (max 31)`);

/** Full PCI address with domain: 0000:81:00.0 */
export const PCI_ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\.[0-7]$/;
export const pciAddress = z
  .string()
  .regex(PCI_ADDRESS, 'PCI address must look like 0000:81:00.0 (domain:bus:device.function, lower-case hex)');

export const macAddress = z
  .string()
  .regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, 'MAC address must look like 3c:fd:fe:12:34:56 (lower-case hex)');

/** vendor:device as lspci -nn prints it: 8086:1572 */
export const pciId = z.string().regex(/^[0-9a-f]{4}:[0-9a-f]{4}$/, 'PCI id must look like 8086:1572 (vendor:device, hex)');

/** CPU list as the kernel writes it: "0-3,8,10-11". Parsed and checked by lab/cpu-list.ts. */
export const cpuList = z.preprocess(
  // `tg: 3` is a number in YAML; a single CPU is a fine CPU list.
  (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? String(v) : v),
  z.string().regex(/^\d+(-\d+)?(,\d+(-\d+)?)*$/, 'CPU list must look like "2-5,8" (ranges and single CPUs, comma-separated)'),
);

/** A DNS name or an IPv4/IPv6 address (no brackets, no port): what ssh connects to. */
export const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$/;
/** A login name as useradd accepts it. */
export const USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;
/** Timers beyond an hour are mistakes (and Node's timers wrap past 2^31 ms, firing at once). */
const durationMs = (dflt: number) => z.number().int().positive().max(3_600_000).default(dflt);

export const sshShell = z.strictObject({
  kind: z.literal('ssh'),
  host: z.string().max(253).regex(HOST, 'host must be a DNS name or an IP address (no user@, no :port, no brackets)'),
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().regex(USER, 'user must be a login name: letters, digits, _ . - (max 32)').default('root'),
  /** Path to a private key, relative to the inventory file. */
  key: z.string().min(1),
  /** known_hosts file, relative to the inventory file. One of knownHosts or hostKeySha256 is required. */
  knownHosts: z.string().min(1).optional(),
  /** Pinned host key fingerprint as `ssh-keygen -lf` prints it: SHA256:base64 */
  hostKeySha256: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'host key fingerprint must look like SHA256:<43 base64 chars>').optional(),
  keepaliveIntervalMs: durationMs(10_000),
  connectTimeoutMs: durationMs(10_000),
  retries: z.number().int().min(0).max(10).default(3),
});

export const localShell = z.strictObject({ kind: z.literal('local') });

export const shellConfig = z.discriminatedUnion('kind', [localShell, sshShell]);

export const portConfig = z.strictObject({
  name: name('port name'),
  /** PCI address of the port (PF); absent for virtual ports of the local lab. */
  pci: pciAddress.optional(),
  mac: macAddress.optional(),
  /**
   * The speed the link negotiates, in Gb/s, when the user knows it (the max offered load is its line rate).
   * Without it the speed is read from the node (/sys/class/net/<if>/speed), the catalogue's as a last resort.
   */
  speedGbps: z.number().positive().max(800).optional(),
});

export const nicConfig = z.strictObject({
  name: name('NIC name'),
  /** A catalogue model (lab/nic-catalogue.ts) such as x710, e810-c, cx6dx; or 'virtual' on the local lab. */
  model: z.string().min(1),
  /** vendor:device when the model is not in the catalogue, or to pin the exact part. */
  pciId: pciId.optional(),
  ports: z.array(portConfig).min(1),
});

/** Linux numbers NUMA nodes below MAX_NUMNODES (1024 at most, CONFIG_NODES_SHIFT=10). */
export const MAX_NUMA_NODE = 1023;

export const hugepagesConfig = z.strictObject({
  sizeKb: z.union([z.literal(2048), z.literal(1048576)]).default(2048),
  /** Pages the lab needs on this node (lab/validate.ts bounds count × size by MAX_HUGEPAGE_KB). */
  count: z.number().int().min(1),
  numaNode: z.number().int().min(0).max(MAX_NUMA_NODE).optional(),
});

export const cpusConfig = z.strictObject({
  /** CPUs the generator's polling lcores may use. */
  tg: cpuList.optional(),
  /** CPUs the DUT's polling lcores may use. */
  dut: cpuList.optional(),
  /** CPUs isolated from the scheduler (isolcpus / nohz_full) that wirespeed expects. */
  isolated: cpuList.optional(),
  numaNode: z.number().int().min(0).max(MAX_NUMA_NODE).default(0),
});

export const ROLES = ['tg', 'dut', 'k8s-worker'] as const;
export const role = z.enum(ROLES);

export const nodeConfig = z.strictObject({
  name: name('node name'),
  roles: z.array(role).min(1),
  shell: shellConfig,
  cpus: cpusConfig.optional(),
  hugepages: hugepagesConfig.optional(),
  nics: z.array(nicConfig).default([]),
  /** Network namespace the node's processes run in (local lab: models separate hosts). */
  netns: name('network namespace').optional(),
});

/** pf: DPDK on the NIC's physical functions (bare metal), as DPDK's NIC performance reports test a NIC. */
export const DATAPATHS = ['sriov', 'vdpa', 'vhost-user', 'vhost-user-ovs', 'memif', 'veth', 'pf', 'memif-vpp', 'vhost-user-vpp'] as const;
export const datapathKind = z.enum(DATAPATHS);
export type DatapathKind = z.infer<typeof datapathKind>;

/** The cluster components wirespeed uses: found pre-installed, or installed from release manifests. */
export const CLUSTER_COMPONENTS = ['multus', 'sriov-network-operator', 'sriov-network-device-plugin', 'sriov-cni', 'userspace-cni', 'whereabouts'] as const;
export const clusterComponent = z.enum(CLUSTER_COMPONENTS);

/** Who provides SR-IOV VFs to pods on a Kubernetes lab (cluster.sriov.via). */
export const SRIOV_VIA = ['operator', 'device-plugin'] as const;
export type SriovVia = (typeof SRIOV_VIA)[number];

/**
 * DUT applications; adding one means a name here and its entry in drivers/datapath/stack/duts.ts. VPP is
 * two DUT kinds, one per forwarding (CSIT's l2xcbase and ip4base), so each has its own scenario ids.
 */
export const DUT_KINDS = ['l3fwd', 'testpmd-io', 'testpmd-macswap', 'vpp-l2xc', 'vpp-ip4base'] as const;
export const dutKind = z.enum(DUT_KINDS);
export type DutKind = z.infer<typeof dutKind>;

/** Names a user may give for several DUT kinds at once (`--dut vpp`, `duts: [vpp]`). */
export const DUT_ALIASES: Readonly<Record<string, readonly DutKind[]>> = { vpp: ['vpp-l2xc', 'vpp-ip4base'] };

/** DUT kinds with every alias replaced by what it stands for, each once, in the order given. */
export function expandDuts(names: readonly string[]): string[] {
  return [...new Set(names.flatMap((n): readonly string[] => DUT_ALIASES[n] ?? [n]))];
}

/** What a lab's `duts` list takes: a DUT kind, or an alias (expanded on load). */
const dutName = z.enum([...DUT_KINDS, ...Object.keys(DUT_ALIASES)] as [string, ...string[]]);

/** Traffic generators; adding one means a name here and its entry in drivers/datapath/stack/generators.ts. */
export const GENERATOR_KINDS = ['wsp-gen', 'pktgen'] as const;
export const generatorKind = z.enum(GENERATOR_KINDS);
export type GeneratorKind = z.infer<typeof generatorKind>;

/** `namespace/name` of a namespaced Kubernetes object (DNS labels; the name may contain dots). */
function namespacedName(what: string, example: string) {
  return z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/, `write the ${what} as 'namespace/name', e.g. '${example}'`);
}

export const clusterConfig = z.strictObject({
  /** Path to a kubeconfig, relative to the inventory file. */
  kubeconfig: z.string().min(1),
  context: z.string().min(1).optional(),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'namespace must be a DNS label').default('wirespeed'),
  /** Pinned versions of the stack components: what a pre-installed one is expected to run, what gets installed. */
  versions: z.partialRecord(clusterComponent, z.string().min(1)).default({}),
  /**
   * Components to install when the cluster lacks them: their upstream release manifests of the pinned version
   * (a file relative to the inventory, or an https URL). Components not listed must be pre-installed.
   */
  install: z.partialRecord(clusterComponent, z.string().min(1)).default({}),
  /**
   * How SR-IOV and vDPA VFs reach the pods: through the SR-IOV network operator (it makes the VFs from a
   * policy), or through the device plugin and sriov-cni alone, on VFs made beforehand on the nodes (clusters
   * without the operator; certification restarts the plugin itself).
   */
  sriov: z.strictObject({ via: z.enum(SRIOV_VIA) }).default({ via: 'operator' }),
  /**
   * What the run may disrupt although it did not create it: an explicit opt-in, since wirespeed otherwise never
   * deletes what it does not own (drivers/kubernetes/cluster.ts). `devicePlugin`: the SR-IOV device plugin's
   * DaemonSet (`namespace/name`) whose pod on the DUT node the device-plugin-restart event deletes; the
   * DaemonSet recreates it. Without it that event is skipped, saying so.
   */
  mayRestart: z.strictObject({ devicePlugin: namespacedName('DaemonSet', 'kube-system/kube-sriov-device-plugin') }).optional(),
});

/** The inventory's opt-in to restarting the SR-IOV device plugin (cluster.mayRestart.devicePlugin). */
export const MAY_RESTART_DEVICE_PLUGIN = 'cluster.mayRestart.devicePlugin';

/** `tg.p0 <-> dut.p0`: node.port on both sides, whitespace around the arrow optional. */
export const LINK = /^([a-z][a-z0-9-]*)\.([a-z][a-z0-9-]*)\s*<->\s*([a-z][a-z0-9-]*)\.([a-z][a-z0-9-]*)$/;
export const linkConfig = z.string().regex(LINK, "link must be written 'node.port <-> node.port', e.g. 'tg.p0 <-> dut.p0'");

export const LAB_KINDS = ['local', 'baremetal', 'kubernetes'] as const;

export const labConfig = z.strictObject({
  name: name('lab name'),
  kind: z.enum(LAB_KINDS),
  description: z.string().optional(),
  nodes: z.array(nodeConfig).min(1),
  links: z.array(linkConfig).default([]),
  /** Datapaths this lab offers; suites that need others are skipped with a reason. */
  datapaths: z.array(datapathKind).min(1),
  /** DUT applications the run matrix covers (default: l3fwd); `wirespeed run --dut` overrides. */
  duts: z
    .array(dutName)
    .min(1)
    .transform((names) => expandDuts(names) as DutKind[])
    .optional(),
  /** Generators the run matrix covers (default: wsp-gen on the local lab, pktgen on hardware); `--generator` overrides. */
  generators: z.array(generatorKind).min(1).optional(),
  cluster: clusterConfig.optional(),
});

export type LabConfig = z.infer<typeof labConfig>;
export type NodeConfig = z.infer<typeof nodeConfig>;
export type NicConfig = z.infer<typeof nicConfig>;
export type PortConfig = z.infer<typeof portConfig>;
export type ShellConfig = z.infer<typeof shellConfig>;
export type SshShellConfig = z.infer<typeof sshShell>;
export type ClusterConfig = z.infer<typeof clusterConfig>;
export type Role = z.infer<typeof role>;
