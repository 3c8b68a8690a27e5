/**
 * The Multus network-status annotation (driver-formats.md §7.1): a JSON string listing the pod's attachments,
 * secondaries named "namespace/nad", with device-info telling which device the CNI gave (pci, vdpa,
 * vhost-user, memif). Parsed strictly: a missing annotation, bad JSON or an entry of the wrong shape is an
 * error naming the pod, never skipped.
 */
import { z } from 'zod';
import { ProvisionError } from '../../core/errors.ts';
import { NETWORK_STATUS_ANNOTATION } from './conditions.ts';
import type { KubeObject } from './kube-object.ts';

const pciInfo = z.object({ 'pci-address': z.string().regex(/^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i, 'PCI address like 0000:3b:02.0'), 'vhost-net': z.string().optional(), 'rdma-device': z.string().optional(), 'pf-pci-address': z.string().optional() });
const vdpaInfo = z.object({ 'parent-device': z.string().optional(), driver: z.enum(['vhost', 'virtio']), path: z.string().optional(), 'pci-address': z.string().optional(), 'pf-pci-address': z.string().optional() });
const vhostInfo = z.object({ mode: z.enum(['client', 'server']), path: z.string().min(1) });
const memifInfo = z.object({ role: z.enum(['master', 'slave', 'primary', 'secondary', 'server', 'client']), mode: z.string().optional(), path: z.string().min(1) });

export const deviceInfo = z.discriminatedUnion('type', [
  z.object({ type: z.literal('pci'), version: z.string(), pci: pciInfo }),
  z.object({ type: z.literal('vdpa'), version: z.string(), vdpa: vdpaInfo }),
  z.object({ type: z.literal('vhost-user'), version: z.string(), 'vhost-user': vhostInfo }),
  z.object({ type: z.literal('memif'), version: z.string(), memif: memifInfo }),
]);
export type DeviceInfo = z.infer<typeof deviceInfo>;

export const networkStatusEntry = z.object({
  name: z.string().min(1),
  interface: z.string().optional(),
  ips: z.array(z.string()).optional(),
  mac: z.string().optional(),
  default: z.boolean().optional(),
  dns: z.record(z.string(), z.unknown()).optional(),
  'device-info': deviceInfo.optional(),
});
export type NetworkStatusEntry = z.infer<typeof networkStatusEntry>;

/** The pod's network-status entries; ProvisionError for a missing annotation or malformed content. */
export function parseNetworkStatus(pod: KubeObject): NetworkStatusEntry[] {
  const where = `pod ${pod.metadata.namespace ?? ''}/${pod.metadata.name}`;
  const text = pod.metadata.annotations?.[NETWORK_STATUS_ANNOTATION];
  if (text === undefined || text.trim() === '') {
    throw new ProvisionError(`the pod has no ${NETWORK_STATUS_ANNOTATION} annotation, so the devices it was given are unknown`, {
      where,
      hint: 'Multus writes it when it attaches secondary networks: check that the Multus DaemonSet runs and the pod has the k8s.v1.cni.cncf.io/networks annotation',
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ProvisionError(`${NETWORK_STATUS_ANNOTATION} is not valid JSON (${(err as Error).message}): ${text.slice(0, 200)}`, { where, hint: 'the annotation is written by Multus; a hand-edited or truncated value cannot be used' });
  }
  const parsed = z.array(networkStatusEntry).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ProvisionError(`${NETWORK_STATUS_ANNOTATION} has an unexpected shape at [${issue.path.join('.')}]: ${issue.message}`, { where, hint: 'expected a JSON list of {name, interface, ips, mac, device-info{type: pci|vdpa|vhost-user|memif, ...}}' });
  }
  return parsed.data;
}
