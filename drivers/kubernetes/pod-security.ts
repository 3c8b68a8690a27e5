/**
 * The Pod Security Standards level a pod needs (kubernetes.io/docs/concepts/security/pod-security-standards):
 * DPDK pods add capabilities baseline forbids (IPC_LOCK to lock hugepage memory, NET_ADMIN, SYS_NICE,
 * SYS_RESOURCE), and userspace-CNI pods mount the host directory their sockets live in (hostPath). The
 * namespace wirespeed creates is labelled for the level its pods need; a namespace that exists and enforces a
 * stricter level stops the run before anything is deployed, saying which level and why.
 */
import { ProvisionError } from '../../core/errors.ts';
import type { Cluster } from './cluster.ts';
import { field, type KubeObject } from './kube-object.ts';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';
export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
const ORDER: readonly PodSecurityLevel[] = ['restricted', 'baseline', 'privileged'];

/** Capabilities baseline lets a container add (the standard's list). */
const BASELINE_CAPS = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);

export interface PodSecurityNeed {
  readonly level: PodSecurityLevel;
  /** Why it needs more than baseline (or restricted): "hostPath volume shared-dir", "capability IPC_LOCK". */
  readonly reasons: readonly string[];
}

interface Ctr {
  name: string;
  ports?: { hostPort?: number }[];
  securityContext?: { privileged?: boolean; allowPrivilegeEscalation?: boolean; runAsNonRoot?: boolean; capabilities?: { add?: string[]; drop?: string[] }; seccompProfile?: { type?: string } };
}

/** The least permissive level a pod (or pod template) fits, with the reasons. */
export function podSecurityNeed(pod: KubeObject): PodSecurityNeed {
  const spec = ((pod.kind === 'Pod' ? field(pod, 'spec') : field(pod, 'spec', 'template', 'spec')) ?? {}) as {
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    containers?: Ctr[];
    initContainers?: Ctr[];
    volumes?: Record<string, unknown>[];
    securityContext?: { runAsNonRoot?: boolean; seccompProfile?: { type?: string } };
  };
  const ctrs = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const privileged: string[] = [];
  for (const k of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (spec[k]) privileged.push(`${k}: true`);
  for (const c of ctrs) {
    if (c.securityContext?.privileged) privileged.push(`container ${c.name} privileged`);
    for (const cap of c.securityContext?.capabilities?.add ?? []) if (!BASELINE_CAPS.has(cap)) privileged.push(`container ${c.name} adds capability ${cap}`);
    for (const p of c.ports ?? []) if ((p.hostPort ?? 0) > 0) privileged.push(`container ${c.name} hostPort ${p.hostPort}`);
  }
  for (const v of spec.volumes ?? []) if (v['hostPath'] !== undefined) privileged.push(`hostPath volume ${String(v['name'])}`);
  if (privileged.length) return { level: 'privileged', reasons: privileged };
  const baseline: string[] = [];
  for (const c of ctrs) {
    if (c.securityContext?.allowPrivilegeEscalation !== false) baseline.push(`container ${c.name} allows privilege escalation`);
    if (!(c.securityContext?.capabilities?.drop ?? []).includes('ALL')) baseline.push(`container ${c.name} does not drop ALL capabilities`);
  }
  const restrictedVolumes = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
  for (const v of spec.volumes ?? []) if (!Object.keys(v).some((k) => restrictedVolumes.includes(k))) baseline.push(`volume ${String(v['name'])} of a type restricted forbids`);
  if (spec.securityContext?.runAsNonRoot !== true && !ctrs.every((c) => c.securityContext?.runAsNonRoot === true)) baseline.push('may run as root');
  const seccomp = (t?: string) => t === 'RuntimeDefault' || t === 'Localhost';
  if (!seccomp(spec.securityContext?.seccompProfile?.type) && !ctrs.every((c) => seccomp(c.securityContext?.seccompProfile?.type))) baseline.push('no seccomp profile');
  return baseline.length ? { level: 'baseline', reasons: baseline } : { level: 'restricted', reasons: [] };
}

/** The most permissive of several needs (what a namespace holding all these pods must allow). */
export function strongestNeed(needs: readonly PodSecurityNeed[]): PodSecurityNeed {
  const level = needs.reduce<PodSecurityLevel>((l, n) => (ORDER.indexOf(n.level) > ORDER.indexOf(l) ? n.level : l), 'restricted');
  return { level, reasons: [...new Set(needs.filter((n) => n.level === level).flatMap((n) => n.reasons))] };
}

/** Labels for a namespace wirespeed creates: enforce (and warn, audit) the level its pods need. */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
  return { [ENFORCE_LABEL]: level, 'pod-security.kubernetes.io/warn': level, 'pod-security.kubernetes.io/audit': level };
}

/** Stop before deploying when the namespace enforces a stricter level than the pods need. */
export function checkNamespaceAllows(cluster: Pick<Cluster, 'name'>, ns: KubeObject, need: PodSecurityNeed): void {
  const enforced = ns.metadata.labels?.[ENFORCE_LABEL] as PodSecurityLevel | undefined;
  if (enforced === undefined || !ORDER.includes(enforced)) return;
  if (ORDER.indexOf(enforced) >= ORDER.indexOf(need.level)) return;
  throw new ProvisionError(`namespace ${ns.metadata.name} enforces PodSecurity "${enforced}", and the pods of this scenario need "${need.level}": ${need.reasons.join('; ')}`, {
    where: `cluster ${cluster.name}`,
    hint: `label the namespace ${ENFORCE_LABEL}=${need.level} (cluster admins), or point cluster.namespace at a namespace wirespeed may create: it labels its own for the level its pods need`,
  });
}
