/**
 * SR-IOV without the operator (driver-formats.md §7.2): the device plugin DaemonSet reading the
 * `sriovdp-config` ConfigMap, the sriov-cni installer, and NADs of type sriov naming the pool. The VFs
 * must exist already (made on the host: drivers/host); the plugin never creates VFs or binds drivers.
 */
import { z } from 'zod';
import { ConfigError } from '../../../core/errors.ts';
import type { Cluster } from '../cluster.ts';
import { daemonSetRolledOut } from '../conditions.ts';
import { refOf, type KubeObject } from '../kube-object.ts';
import { waitNodeAllocatable } from '../waits.ts';
import { daemonSet, DEFAULT_TIMEOUT_MS, deleteAll, pinnedVersion, type StackComponent } from './component.ts';
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

export function sriovDevicePlugin(versions: Readonly<Record<string, string>>, resources: readonly DevicePluginResource[], opts: { timeoutMs?: number } = {}): SriovDevicePluginStack {
  const dpVersion = pinnedVersion(versions, 'sriov-network-device-plugin');
  const cniVersion = pinnedVersion(versions, 'sriov-cni');
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const parsed = resources.map((r, i) => {
    const p = devicePluginResource.safeParse(r);
    if (!p.success) throw new ConfigError(p.error.issues[0]!.message, { where: `sriovdp-config resourceList[${i}].${p.error.issues[0]!.path.join('.')}` });
    return p.data;
  });
  const ns = 'kube-system';
  const configMap: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'sriovdp-config', namespace: ns },
    data: { 'config.json': JSON.stringify({ resourceList: parsed.map(({ expectCount: _c, ...r }) => r) }, null, 2) },
  };
  const plugin = daemonSet(ns, 'kube-sriov-device-plugin', `ghcr.io/k8snetworkplumbingwg/sriov-network-device-plugin:${dpVersion}`, {
    args: ['--log-dir=sriovdp', '--log-level=10', '--config-file=/etc/pcidp/config.json'],
    hostPaths: { '/var/lib/kubelet/device-plugins': '/var/lib/kubelet/device-plugins', '/var/lib/kubelet/plugins_registry': '/var/lib/kubelet/plugins_registry' },
  });
  const cni = daemonSet(ns, 'kube-sriov-cni-ds', `ghcr.io/k8snetworkplumbingwg/sriov-cni:${cniVersion}`, { hostPaths: { '/host/opt/cni/bin': '/opt/cni/bin' } });
  const objects = [configMap, cni, plugin];
  return {
    name: 'sriov-network-device-plugin',
    version: dpVersion,
    async up(cluster: Cluster) {
      await cluster.applyAll(objects);
      await cluster.waitFor(refOf(cni), daemonSetRolledOut, timeoutMs);
      await cluster.waitFor(refOf(plugin), daemonSetRolledOut, timeoutMs);
      for (const r of parsed) await waitNodeAllocatable(cluster, `${r.resourcePrefix}/${r.resourceName}`, r.expectCount, timeoutMs);
    },
    async down(cluster: Cluster) {
      await deleteAll(cluster, objects, timeoutMs);
    },
    network(nsName, name, resource, o = {}) {
      return nad(nsName, name, { type: 'sriov', vlan: o.vlan ?? 0, ...(o.spoofchk ? { spoofchk: o.spoofchk } : {}), ...(o.trust ? { trust: o.trust } : {}), ipam: o.ipam ?? {} }, resource);
    },
  };
}
