/**
 * The SR-IOV network operator (group sriovnetwork.openshift.io/v1, driver-formats.md §7.3), found on the
 * cluster (its Deployment, its CRDs, its `SriovOperatorConfig default` and `supported-nic-ids` ConfigMap) or
 * installed from the lab's release manifests; node policies (numVfs, nicSelector, deviceType netdevice|vfio-pci, isRdma, eSwitchMode,
 * vdpaType virtio|vhost — vDPA goes through the policy too) that it turns into VFs and device-plugin
 * resources; SriovNetworks that it renders into NADs. Pools are `openshift.io/<resourceName>`.
 */
import { z } from 'zod';
import { ConfigError, ProvisionError } from '../../../core/errors.ts';
import type { Cluster } from '../cluster.ts';
import { refOf, type KubeObject } from '../kube-object.ts';
import { waitPolicyApplied, waitSriovNodeStates } from '../waits.ts';
import { COMPONENT_IDS, component, DEFAULT_TIMEOUT_MS, type ComponentSources, type StackComponent } from './component.ts';
import type { Ipam } from './nad.ts';

const G = 'sriovnetwork.openshift.io';
export const SRIOV_API = `${G}/v1`;
/** The namespace upstream's manifests and chart use; the run uses wherever the operator actually runs. */
export const OPERATOR_NAMESPACE = 'sriov-network-operator';
export const RESOURCE_PREFIX = 'openshift.io';

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

/** The policy object, in the operator's namespace (it watches only its own). */
export function policyObject(spec: SriovPolicySpec, operatorNamespace = OPERATOR_NAMESPACE): KubeObject {
  const p = parse(sriovPolicySpec, spec, `SriovNetworkNodePolicy ${spec.name}`);
  const { name, ...rest } = p;
  return { apiVersion: SRIOV_API, kind: 'SriovNetworkNodePolicy', metadata: { name, namespace: operatorNamespace }, spec: rest };
}

/** The SriovNetwork object, in the operator's namespace; it renders the NAD into `networkNamespace`. */
export function sriovNetworkObject(spec: SriovNetworkSpec, operatorNamespace = OPERATOR_NAMESPACE): KubeObject {
  const n = parse(sriovNetworkSpec, spec, `SriovNetwork ${spec.name}`);
  const { name, ipam, ...rest } = n;
  return { apiVersion: SRIOV_API, kind: 'SriovNetwork', metadata: { name, namespace: operatorNamespace }, spec: { ...rest, ipam: JSON.stringify(ipam ?? {}) } };
}

export interface SriovOperatorStack extends StackComponent {
  /** Where the operator runs (known after up). */
  readonly namespace: () => string;
  /** Apply a policy; wait for every node state Succeeded and the pool in node allocatable (≥ numVfs). */
  applyPolicy(cluster: Cluster, spec: SriovPolicySpec, opts?: { timeoutMs?: number }): Promise<{ resource: string; node: string }>;
  /** Apply a SriovNetwork; wait until the operator rendered its NAD in the network namespace. */
  applyNetwork(cluster: Cluster, spec: SriovNetworkSpec): Promise<KubeObject>;
}

export const SRIOV_CRD_NAMES = ['sriovnetworknodepolicies', 'sriovnetworks', 'sriovnetworknodestates', 'sriovoperatorconfigs'].map((p) => `${p}.${G}`);

export function sriovOperator(sources: ComponentSources, opts: { timeoutMs?: number } = {}): SriovOperatorStack {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let ns: string | undefined;
  const created: KubeObject[] = [];
  const base = component(
    {
      ...COMPONENT_IDS['sriov-network-operator'],
      crds: SRIOV_CRD_NAMES,
      // Without its config the operator deploys no config daemon and no device plugin: nothing would happen.
      check: async (cluster, d) => {
        const where = d.metadata.namespace ?? '';
        const config = await cluster.get({ apiVersion: SRIOV_API, kind: 'SriovOperatorConfig', name: 'default', namespace: where });
        if (!config) return `there is no SriovOperatorConfig "default" in ${where}: the operator deploys its config daemon and device plugin only with it`;
        const nics = await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'supported-nic-ids', namespace: where });
        if (!nics) return `there is no ConfigMap supported-nic-ids in ${where}: the operator does not run without it`;
        return null;
      },
    },
    sources,
    opts,
  );
  const operatorNs = (): string => {
    if (ns === undefined) throw new ProvisionError('the SR-IOV operator is not up yet', { hint: 'call up() first' });
    return ns;
  };
  return {
    ...base,
    namespace: operatorNs,
    async up(cluster) {
      const state = await base.up(cluster);
      ns = state.namespace;
      await waitSriovNodeStates(cluster, ns, timeoutMs);
      return state;
    },
    async applyPolicy(cluster, spec, o = {}) {
      const obj = policyObject(spec, operatorNs());
      await cluster.apply(obj);
      created.push(obj);
      const resource = `${RESOURCE_PREFIX}/${spec.resourceName}`;
      const node = await waitPolicyApplied(cluster, operatorNs(), resource, spec.numVfs, o.timeoutMs ?? timeoutMs);
      return { resource, node };
    },
    async applyNetwork(cluster, spec) {
      const obj = sriovNetworkObject(spec, operatorNs());
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
      // Networks and policies first (the operator removes their NADs and VFs), then what the run installed.
      for (const o of [...created].reverse()) if (cluster.owns(refOf(o))) await cluster.deleteAndWait(refOf(o), timeoutMs);
      created.length = 0;
      await base.down(cluster);
    },
  };
}
