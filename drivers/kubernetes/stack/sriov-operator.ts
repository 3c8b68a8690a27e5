/**
 * The SR-IOV network operator (group sriovnetwork.openshift.io/v1, driver-formats.md §7.3): its CRDs and
 * Deployment; node policies (numVfs, nicSelector, deviceType netdevice|vfio-pci, isRdma, eSwitchMode,
 * vdpaType virtio|vhost — vDPA goes through the policy too) that it turns into VFs and device-plugin
 * resources; SriovNetworks that it renders into NADs. Pools are `openshift.io/<resourceName>`.
 */
import { z } from 'zod';
import { ConfigError, ProvisionError } from '../../../core/errors.ts';
import type { Cluster } from '../cluster.ts';
import { deploymentAvailable } from '../conditions.ts';
import { refOf, type KubeObject } from '../kube-object.ts';
import { waitPolicyApplied, waitSriovNodeStates } from '../waits.ts';
import { clusterRole, clusterRoleBinding, crd, DEFAULT_TIMEOUT_MS, deleteAll, installCrds, namespace, pinnedVersion, serviceAccount, type StackComponent } from './component.ts';
import type { Ipam } from './nad.ts';

const G = 'sriovnetwork.openshift.io';
export const SRIOV_API = `${G}/v1`;
export const OPERATOR_NAMESPACE = 'sriov-network-operator';
export const RESOURCE_PREFIX = 'openshift.io';

export const SRIOV_CRDS: readonly KubeObject[] = [
  crd(G, 'SriovNetworkNodePolicy', 'sriovnetworknodepolicies', { status: true }),
  crd(G, 'SriovNetwork', 'sriovnetworks', { status: true }),
  crd(G, 'SriovNetworkNodeState', 'sriovnetworknodestates', { status: true }),
  crd(G, 'SriovOperatorConfig', 'sriovoperatorconfigs', { status: true }),
];

const RESOURCE_NAME = /^[A-Za-z0-9_]{1,63}$/;

export const sriovPolicySpec = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
    resourceName: z.string().regex(RESOURCE_NAME, 'resourceName: letters, digits and _ only (no hyphens), as the device plugin requires'),
    numVfs: z.number().int().min(0),
    nicSelector: z.strictObject({ vendor: z.string().optional(), deviceID: z.string().optional(), rootDevices: z.array(z.string()).optional(), pfNames: z.array(z.string()).optional() }),
    deviceType: z.enum(['netdevice', 'vfio-pci']).default('netdevice'),
    isRdma: z.boolean().optional(),
    eSwitchMode: z.enum(['legacy', 'switchdev']).optional(),
    vdpaType: z.enum(['virtio', 'vhost']).optional(),
    mtu: z.number().int().min(1).optional(),
    priority: z.number().int().min(0).max(99).default(99),
    nodeSelector: z.record(z.string(), z.string()).default({ 'feature.node.kubernetes.io/network-sriov.capable': 'true' }),
  })
  .superRefine((p, ctx) => {
    if (p.vdpaType && p.eSwitchMode !== 'switchdev') ctx.addIssue({ code: 'custom', path: ['vdpaType'], message: 'vdpaType needs eSwitchMode: switchdev' });
    if (p.vdpaType && p.isRdma) ctx.addIssue({ code: 'custom', path: ['isRdma'], message: 'vDPA and RDMA are mutually exclusive' });
    if (p.vdpaType && p.deviceType === 'vfio-pci') ctx.addIssue({ code: 'custom', path: ['deviceType'], message: 'vDPA VFs stay on the netdevice driver' });
    const s = p.nicSelector;
    if (!s.vendor && !s.deviceID && !s.rootDevices?.length && !s.pfNames?.length) ctx.addIssue({ code: 'custom', path: ['nicSelector'], message: 'select at least one PF (vendor, deviceID, rootDevices or pfNames)' });
  });
export type SriovPolicySpec = z.input<typeof sriovPolicySpec>;

export const sriovNetworkSpec = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
  resourceName: z.string().regex(RESOURCE_NAME),
  networkNamespace: z.string(),
  vlan: z.number().int().min(0).max(4094).default(0),
  vlanQoS: z.number().int().min(0).max(7).optional(),
  spoofChk: z.enum(['on', 'off']).optional(),
  trust: z.enum(['on', 'off']).optional(),
  linkState: z.enum(['auto', 'enable', 'disable']).optional(),
  maxTxRate: z.number().int().min(0).optional(),
  ipam: z.custom<Ipam>().optional(),
});
export type SriovNetworkSpec = z.input<typeof sriovNetworkSpec>;

function parse<T extends z.ZodType>(schema: T, input: unknown, where: string): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new ConfigError(`${i.message}`, { where: `${where}.${i.path.join('.')}`, hint: 'see driver-formats §7.3 / the operator API docs for the field' });
  }
  return r.data;
}

export function policyObject(spec: SriovPolicySpec): KubeObject {
  const p = parse(sriovPolicySpec, spec, `SriovNetworkNodePolicy ${spec.name}`);
  const { name, ...rest } = p;
  return { apiVersion: SRIOV_API, kind: 'SriovNetworkNodePolicy', metadata: { name, namespace: OPERATOR_NAMESPACE }, spec: rest };
}

export function sriovNetworkObject(spec: SriovNetworkSpec): KubeObject {
  const n = parse(sriovNetworkSpec, spec, `SriovNetwork ${spec.name}`);
  const { name, ipam, ...rest } = n;
  return { apiVersion: SRIOV_API, kind: 'SriovNetwork', metadata: { name, namespace: OPERATOR_NAMESPACE }, spec: { ...rest, ipam: JSON.stringify(ipam ?? {}) } };
}

export interface SriovOperatorStack extends StackComponent {
  /** Apply a policy; wait for every node state Succeeded and the pool in node allocatable (≥ numVfs). */
  applyPolicy(cluster: Cluster, spec: SriovPolicySpec): Promise<{ resource: string; node: string }>;
  /** Apply a SriovNetwork; wait until the operator rendered its NAD in the network namespace. */
  applyNetwork(cluster: Cluster, spec: SriovNetworkSpec): Promise<KubeObject>;
}

export function sriovOperator(versions: Readonly<Record<string, string>>, opts: { timeoutMs?: number } = {}): SriovOperatorStack {
  const version = pinnedVersion(versions, 'sriov-network-operator');
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ns = OPERATOR_NAMESPACE;
  const image = (c: string) => `ghcr.io/k8snetworkplumbingwg/${c}:${version}`;
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'sriov-network-operator', namespace: ns },
    spec: {
      replicas: 1,
      selector: { matchLabels: { name: 'sriov-network-operator' } },
      template: {
        metadata: { labels: { name: 'sriov-network-operator' } },
        spec: {
          serviceAccountName: 'sriov-network-operator',
          containers: [
            {
              name: 'sriov-network-operator',
              image: image('sriov-network-operator'),
              env: [
                { name: 'RESOURCE_PREFIX', value: RESOURCE_PREFIX },
                { name: 'SRIOV_CNI_IMAGE', value: image('sriov-cni') },
                { name: 'SRIOV_DEVICE_PLUGIN_IMAGE', value: image('sriov-network-device-plugin') },
                { name: 'SRIOV_NETWORK_CONFIG_DAEMON_IMAGE', value: image('sriov-network-config-daemon') },
                { name: 'OPERATOR_NAME', value: 'sriov-network-operator' },
                { name: 'NAMESPACE', value: ns },
              ],
              resources: { requests: { cpu: '100m', memory: '100Mi' }, limits: { cpu: '100m', memory: '100Mi' } },
            },
          ],
        },
      },
    },
  };
  const objects: KubeObject[] = [
    namespace(ns),
    serviceAccount(ns, 'sriov-network-operator'),
    clusterRole('sriov-network-operator', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
    clusterRoleBinding('sriov-network-operator', 'sriov-network-operator', ns, 'sriov-network-operator'),
    deployment,
  ];
  const config: KubeObject = { apiVersion: SRIOV_API, kind: 'SriovOperatorConfig', metadata: { name: 'default', namespace: ns }, spec: { enableInjector: false, enableOperatorWebhook: false, logLevel: 2 } };
  const created: KubeObject[] = [];
  return {
    name: 'sriov-network-operator',
    version,
    async up(cluster) {
      await installCrds(cluster, SRIOV_CRDS, timeoutMs);
      await cluster.applyAll(objects);
      await cluster.waitFor(refOf(deployment), deploymentAvailable, timeoutMs);
      await cluster.apply(config);
      await waitSriovNodeStates(cluster, ns, timeoutMs);
    },
    async applyPolicy(cluster, spec) {
      const obj = policyObject(spec);
      await cluster.apply(obj);
      created.push(obj);
      const resource = `${RESOURCE_PREFIX}/${spec.resourceName}`;
      const node = await waitPolicyApplied(cluster, ns, resource, spec.numVfs, timeoutMs);
      return { resource, node };
    },
    async applyNetwork(cluster, spec) {
      const obj = sriovNetworkObject(spec);
      await cluster.apply(obj);
      created.push(obj);
      const ref = { apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', name: spec.name, namespace: spec.networkNamespace };
      const nadObj = await cluster.waitUntil(
        `NAD ${spec.networkNamespace}/${spec.name} rendered by the operator from SriovNetwork ${spec.name}`,
        async () => {
          const o = await cluster.get(ref);
          return o ? { ok: o } : { observed: 'no NAD yet' };
        },
        timeoutMs,
        refOf(obj),
      );
      if (!nadObj) throw new ProvisionError(`NAD ${spec.name} vanished`);
      return nadObj;
    },
    async down(cluster) {
      // Networks and policies first (the operator removes their NADs and VFs), then the operator itself.
      await deleteAll(cluster, [...SRIOV_CRDS, ...objects, config, ...created], timeoutMs);
      created.length = 0;
    },
  };
}
