/**
 * What the userspace CNI tells a pod about its sockets (intel/userspace-cni-network-plugin pkg/types
 * ConfigurationData, pkg/annotations): the annotation `userspace/configuration-data`, a JSON list with one entry
 * per attachment ({containerId, ifName, name, config: {engine, iftype, netType, vhost{mode, socketfile} |
 * memif{role, mode, socketfile}}, ipResult}), and `userspace/mapped-dir`, the directory in which the container
 * sees the socket files. The CNI writes no device-info into network-status, so this is where a DPDK process in
 * the pod learns its socket path and side. Parsed strictly: a malformed annotation is an error naming the pod.
 */
import { z } from 'zod';
import { ProvisionError } from '../../core/errors.ts';
import type { KubeObject } from './kube-object.ts';

export const USERSPACE_CONFIG_ANNOTATION = 'userspace/configuration-data';
export const USERSPACE_MAPPED_DIR_ANNOTATION = 'userspace/mapped-dir';

const side = z.object({
  engine: z.string().optional(),
  iftype: z.enum(['vhostuser', 'memif']),
  netType: z.string().optional(),
  vhost: z.object({ mode: z.enum(['client', 'server']), socketfile: z.string().min(1), group: z.string().optional() }).optional(),
  memif: z.object({ role: z.enum(['master', 'slave']), mode: z.string().optional(), socketfile: z.string().min(1) }).optional(),
});
const entry = z.object({ containerId: z.string(), ifName: z.string().min(1), name: z.string(), config: side, ipResult: z.unknown().optional() });

/** One attachment's socket as the container sees it. */
export interface UserspaceAttachment {
  ifName: string;
  /** The NAD config's name. */
  name: string;
  kind: 'vhost-user' | 'memif';
  /** Full path in the container. */
  path: string;
  /** vhost-user: the pod side creates the socket (server) or connects (client); memif: master or slave. */
  podMode: 'server' | 'client' | 'master' | 'slave';
}

/** The pod's userspace attachments, or [] when the CNI wrote none; ProvisionError when the annotation is malformed. */
export function parseUserspaceConfig(pod: KubeObject): UserspaceAttachment[] {
  const where = `pod ${pod.metadata.namespace ?? ''}/${pod.metadata.name}`;
  const text = pod.metadata.annotations?.[USERSPACE_CONFIG_ANNOTATION];
  if (text === undefined || text.trim() === '') return [];
  const dir = (pod.metadata.annotations?.[USERSPACE_MAPPED_DIR_ANNOTATION] ?? '/var/lib/cni/usrspcni').replace(/\/+$/, '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ProvisionError(`${USERSPACE_CONFIG_ANNOTATION} is not valid JSON (${(err as Error).message})`, { where, hint: 'the annotation is written by the userspace CNI; a hand-edited value cannot be used' });
  }
  const parsed = z.array(entry).safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new ProvisionError(`${USERSPACE_CONFIG_ANNOTATION} has an unexpected shape at [${i.path.join('.')}]: ${i.message}`, { where, hint: 'expected the userspace CNI ConfigurationData list: {containerId, ifName, name, config: {iftype, vhost|memif: {mode|role, socketfile}}}' });
  }
  return parsed.data.map((e) => {
    if (e.config.iftype === 'vhostuser') {
      if (!e.config.vhost) throw new ProvisionError(`${USERSPACE_CONFIG_ANNOTATION}: ${e.ifName} is vhostuser without vhost settings`, { where });
      return { ifName: e.ifName, name: e.name, kind: 'vhost-user', path: `${dir}/${e.config.vhost.socketfile}`, podMode: e.config.vhost.mode };
    }
    if (!e.config.memif) throw new ProvisionError(`${USERSPACE_CONFIG_ANNOTATION}: ${e.ifName} is memif without memif settings`, { where });
    return { ifName: e.ifName, name: e.name, kind: 'memif', path: `${dir}/${e.config.memif.socketfile}`, podMode: e.config.memif.role };
  });
}
