/**
 * SR-IOV without the operator (driver-formats.md §7.2): the device plugin DaemonSet reading the
 * `sriovdp-config` ConfigMap it mounts, sriov-cni on the nodes, and NADs of type sriov naming the pool. The
 * VFs must exist already (made on the host: drivers/host); the plugin never creates VFs or binds drivers.
 */
import { z } from 'zod';
import { ConfigError } from '../../../core/errors.ts';
import type { Cluster } from '../cluster.ts';
import type { KubeObject } from '../kube-object.ts';
import { waitNodeAllocatable } from '../waits.ts';
import { COMPONENT_IDS, component, DEFAULT_TIMEOUT_MS, mountsConfigMap, type ComponentSources, type StackComponent } from './component.ts';
import { nad, type Ipam } from './nad.ts';

export const selector = z.strictObject({
  vendors: z.array(z.string().regex(/^[0-9a-f]{4}$/)).optional(),
  devices: z.array(z.string().regex(/^[0-9a-f]{4}$/)).optional(),
  drivers: z.array(z.string()).optional(),
  pfNames: z.array(z.string()).optional(),
  rootDevices: z.array(z.string()).optional(),
  pciAddresses: z.array(z.string()).optional(),
  isRdma: z.boolean().optional(),
  needVhostNet: z.boolean().optional(),
  vdpaType: z.enum(['vhost', 'virtio']).optional(),
});
export const devicePluginResource = z.strictObject({
  resourceName: z.string().regex(/^[A-Za-z0-9_]{1,63}$/, 'resourceName: letters, digits and _ only'),
  resourcePrefix: z.string().default('intel.com'),
  deviceType: z.enum(['netDevice', 'accelerator', 'auxNetDevice']).default('netDevice'),
  selectors: z.array(selector).min(1),
  /** VFs the pool should offer: the wait for allocatable uses it. */
  expectCount: z.number().int().min(1).default(1),
});
export type DevicePluginResource = z.input<typeof devicePluginResource>;

export interface SriovDevicePluginStack extends StackComponent {
  /** The NAD of a pool: sriov-cni with the VF settings (vlan, spoofchk, trust) and IPAM. */
  network(ns: string, name: string, resource: string, opts?: { vlan?: number; spoofchk?: 'on' | 'off'; trust?: 'on' | 'off'; ipam?: Ipam }): KubeObject;
}

/** The device plugin's ConfigMap name (its DaemonSet mounts it at /etc/pcidp). */
export const DEVICE_PLUGIN_CONFIGMAP = 'sriovdp-config';

/**
 * The device plugin and sriov-cni, found or installed. When the run installs the plugin, the bundle's
 * `sriovdp-config` gets the run's pools; a pre-installed plugin keeps its admins' config, and the pools the
 * run asks for must be among those it advertises (checked through node allocatable, with a clear timeout).
 */
export function sriovDevicePlugin(sources: ComponentSources, resources: readonly DevicePluginResource[], opts: { timeoutMs?: number } = {}): SriovDevicePluginStack {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const parsed = resources.map((r, i) => {
    const p = devicePluginResource.safeParse(r);
    if (!p.success) throw new ConfigError(p.error.issues[0]!.message, { where: `sriovdp-config resourceList[${i}].${p.error.issues[0]!.path.join('.')}` });
    return p.data;
  });
  const config = JSON.stringify({ resourceList: parsed.map(({ expectCount: _c, ...r }) => r) }, null, 2);
  const plugin = component(
    {
      ...COMPONENT_IDS['sriov-network-device-plugin'],
      adjust: (o) => (o.kind === 'ConfigMap' && o.metadata.name === DEVICE_PLUGIN_CONFIGMAP ? { ...o, data: { 'config.json': config } } : o),
      check: async (_cluster, ds) => (mountsConfigMap(ds, DEVICE_PLUGIN_CONFIGMAP) ? null : `its DaemonSet does not mount the ConfigMap ${DEVICE_PLUGIN_CONFIGMAP}: it would advertise no device`),
    },
    sources,
    opts,
  );
  const cni = component(COMPONENT_IDS['sriov-cni'], sources, opts);
  return {
    ...plugin,
    async up(cluster: Cluster) {
      await cni.up(cluster);
      const state = await plugin.up(cluster);
      for (const r of parsed) await waitNodeAllocatable(cluster, `${r.resourcePrefix}/${r.resourceName}`, r.expectCount, timeoutMs);
      return state;
    },
    async down(cluster: Cluster) {
      await plugin.down(cluster);
      await cni.down(cluster);
    },
    network(nsName, name, resource, o = {}) {
      return nad(nsName, name, { type: 'sriov', vlan: o.vlan ?? 0, ...(o.spoofchk ? { spoofchk: o.spoofchk } : {}), ...(o.trust ? { trust: o.trust } : {}), ipam: o.ipam ?? {} }, resource);
    },
  };
}
