/**
 * DPDK workload pods: Guaranteed QoS (integer CPUs with requests = limits, so the static CPU manager gives
 * exclusive cores), hugepages-2Mi/1Gi, device pools (openshift.io/... or intel.com/...), and the Multus
 * networks annotation (driver-formats.md §7.5).
 */
import { z } from 'zod';
import { ConfigError } from '../../../core/errors.ts';
import { NETWORKS_ANNOTATION } from '../conditions.ts';
import type { KubeObject } from '../kube-object.ts';
import type { AttachmentKind } from '../pod-devices.ts';

/** generator: pktgen-dpdk (hardware labs); wsp-gen: wirespeed's own generator; l3fwd, testpmd, vpp: DUTs. */
export const WORKLOAD_ROLES = ['generator', 'wsp-gen', 'l3fwd', 'testpmd', 'vpp'] as const;
export type WorkloadRole = (typeof WORKLOAD_ROLES)[number];

/**
 * Exclusive CPUs a role needs at least: l3fwd and wsp-gen poll on their main lcore (an idle main lcore would
 * busy-spin in rte_eal_wait_lcore), testpmd and pktgen keep a main lcore besides their polling ones.
 */
export const MIN_CPUS: Record<WorkloadRole, number> = { generator: 2, 'wsp-gen': 1, l3fwd: 1, testpmd: 2, vpp: 1 };

/** The userspace CNI finds a pod's socket directory by this volume name (upstream pkg/annotations). */
export const SHARED_DIR_VOLUME = 'shared-dir';
/** Where the pod sees it: the CNI's default mapped directory (its DefaultBaseCNIDir). */
export const SHARED_DIR_MOUNT = '/var/lib/cni/usrspcni';

export const workloadSpec = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'pod name: lower-case DNS label'),
  role: z.enum(WORKLOAD_ROLES),
  image: z.string().min(1),
  /** Exclusive CPUs: an integer, as the static CPU manager requires (at least MIN_CPUS of the role). */
  cpus: z.number().int('exclusive CPUs need a whole number of CPUs (Guaranteed QoS, static CPU manager)').min(1),
  memoryMi: z.number().int().min(64),
  hugepages: z.strictObject({ pageSize: z.enum(['2Mi', '1Gi']), amountMi: z.number().int().positive() }),
  /** Device pools: { "openshift.io/intelnics": 2 }. */
  devices: z.record(z.string().regex(/^[a-z0-9.-]+\/[A-Za-z0-9_]+$/, 'device resource like openshift.io/intelnics or intel.com/sriov_dpdk'), z.number().int().positive()).default({}),
  /** Secondary networks in order; each names its NAD and what device it must yield. */
  networks: z.array(z.strictObject({ nad: z.string().min(1), namespace: z.string().optional(), interface: z.string().optional(), expect: z.enum(['pci', 'vdpa', 'vhost-user', 'memif']) })).min(1),
});
export type WorkloadSpec = z.input<typeof workloadSpec>;
export type ParsedWorkloadSpec = z.output<typeof workloadSpec>;

export function parseWorkloadSpec(spec: WorkloadSpec): ParsedWorkloadSpec {
  const r = workloadSpec.safeParse(spec);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new ConfigError(i.message, { where: `workload ${spec.name}.${i.path.join('.')}` });
  }
  const p = r.data;
  if (p.cpus < MIN_CPUS[p.role]) {
    throw new ConfigError(`${p.role} needs at least ${MIN_CPUS[p.role]} CPUs (a main lcore and a polling lcore), got ${p.cpus}`, { where: `workload ${p.name}.cpus` });
  }
  if (p.hugepages.pageSize === '1Gi' && p.hugepages.amountMi % 1024 !== 0) {
    throw new ConfigError(`hugepages-1Gi amount ${p.hugepages.amountMi}Mi is not a whole number of 1 GiB pages`, { where: `workload ${p.name}.hugepages.amountMi` });
  }
  if (p.hugepages.pageSize === '2Mi' && p.hugepages.amountMi % 2 !== 0) {
    throw new ConfigError(`hugepages-2Mi amount ${p.hugepages.amountMi}Mi is not a whole number of 2 MiB pages`, { where: `workload ${p.name}.hugepages.amountMi` });
  }
  return p;
}

export function expectOf(spec: ParsedWorkloadSpec): AttachmentKind[] {
  return spec.networks.map((n) => n.expect);
}

/** The Pod object of a workload in `namespace`. */
export function workloadPod(spec: ParsedWorkloadSpec, namespace: string): KubeObject {
  const resources: Record<string, string> = {
    cpu: String(spec.cpus),
    memory: `${spec.memoryMi}Mi`,
    [`hugepages-${spec.hugepages.pageSize}`]: `${spec.hugepages.amountMi}Mi`,
    ...Object.fromEntries(Object.entries(spec.devices).map(([k, v]) => [k, String(v)])),
  };
  const userspace = spec.networks.some((n) => n.expect === 'vhost-user' || n.expect === 'memif');
  const networks = spec.networks.map((n) => ({ name: n.nad, namespace: n.namespace ?? namespace, ...(n.interface ? { interface: n.interface } : {}) }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: spec.name,
      namespace,
      labels: { 'wirespeed.io/role': spec.role },
      annotations: { [NETWORKS_ANNOTATION]: JSON.stringify(networks) },
    },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 5,
      containers: [
        {
          name: spec.role,
          image: spec.image,
          command: ['sleep', 'infinity'],
          securityContext: { capabilities: { add: ['IPC_LOCK', 'SYS_NICE', 'NET_ADMIN', 'SYS_RESOURCE'] } },
          // requests = limits for every resource: Guaranteed QoS, exclusive CPUs.
          resources: { requests: resources, limits: resources },
          volumeMounts: [
            { name: 'hugepages', mountPath: '/dev/hugepages' },
            { name: 'podinfo', mountPath: '/etc/podinfo' },
            ...(userspace ? [{ name: SHARED_DIR_VOLUME, mountPath: SHARED_DIR_MOUNT }] : []),
          ],
        },
      ],
      volumes: [
        { name: 'hugepages', emptyDir: { medium: `HugePages-${spec.hugepages.pageSize}` } },
        { name: 'podinfo', downwardAPI: { items: [{ path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } }, { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        // One host directory per pod: the CNI creates the pod's sockets there, the pod sees them at SHARED_DIR_MOUNT.
        ...(userspace ? [{ name: SHARED_DIR_VOLUME, hostPath: { path: `/run/wirespeed/${namespace}/${spec.name}`, type: 'DirectoryOrCreate' } }] : []),
      ],
    },
  };
}
