/**
 * Conditions the waits check on one object. Each has a name for the timeout message ("CRD Established") and
 * a check returning ok, what was observed instead, or a failure that no waiting can fix.
 */
import { field, type KubeObject } from './kube-object.ts';

export interface Condition {
  readonly name: string;
  readonly hint?: string;
  check(obj: KubeObject | undefined): { ok: KubeObject | undefined } | { observed: string } | { fail: string };
}

type Cond = { type?: string; status?: string; reason?: string; message?: string };
const conditions = (o: unknown): Cond[] => (field(o, 'status', 'conditions') as Cond[] | undefined) ?? [];
const absent = { observed: 'the object does not exist' } as const;

export const crdEstablished: Condition = {
  name: 'CRD Established',
  hint: 'the API server did not accept the CRD names; check for a conflicting CRD',
  check: (o) => {
    if (!o) return absent;
    const est = conditions(o).find((c) => c.type === 'Established');
    return est?.status === 'True' ? { ok: o } : { observed: est ? `Established=${est.status} (${est.reason ?? ''}: ${est.message ?? ''})` : 'no Established condition yet' };
  },
};

export const daemonSetRolledOut: Condition = {
  name: 'DaemonSet rolled out (every scheduled pod updated and ready)',
  hint: 'look at the DaemonSet pods: image pull, node selector, tolerations',
  check: (o) => {
    if (!o) return absent;
    const s = (field(o, 'status') ?? {}) as Record<string, number | undefined>;
    const gen = o.metadata.generation ?? 0;
    const desired = s['desiredNumberScheduled'] ?? -1;
    const seen = `observedGeneration ${s['observedGeneration'] ?? 0}/${gen}, desired ${desired}, updated ${s['updatedNumberScheduled'] ?? 0}, ready ${s['numberReady'] ?? 0}`;
    const done = (s['observedGeneration'] ?? 0) >= gen && desired > 0 && s['updatedNumberScheduled'] === desired && s['numberReady'] === desired && (s['numberAvailable'] ?? 0) === desired;
    return done ? { ok: o } : { observed: seen };
  },
};

export const deploymentAvailable: Condition = {
  name: 'Deployment Available',
  check: (o) => {
    if (!o) return absent;
    const want = (field(o, 'spec', 'replicas') as number | undefined) ?? 1;
    const ready = (field(o, 'status', 'availableReplicas') as number | undefined) ?? 0;
    const gen = (field(o, 'status', 'observedGeneration') as number | undefined) ?? 0;
    return ready >= want && gen >= (o.metadata.generation ?? 0) ? { ok: o } : { observed: `${ready}/${want} available, observedGeneration ${gen}` };
  },
};

export const podReady: Condition = {
  name: 'Pod Ready',
  hint: 'the events below say why (scheduling, CNI, image)',
  check: (o) => {
    if (!o) return absent;
    const phase = String(field(o, 'status', 'phase') ?? 'Pending');
    if (phase === 'Failed' || phase === 'Succeeded') return { fail: `the pod ended (phase ${phase}) instead of becoming Ready` };
    const ready = conditions(o).find((c) => c.type === 'Ready');
    if (ready?.status === 'True') return { ok: o };
    const sched = conditions(o).find((c) => c.type === 'PodScheduled' && c.status === 'False');
    return { observed: `phase ${phase}${sched ? `, not scheduled: ${sched.message ?? sched.reason ?? ''}` : ready ? `, Ready=${ready.status}${ready.reason ? ` (${ready.reason})` : ''}` : ''}` };
  },
};

export const NETWORK_STATUS_ANNOTATION = 'k8s.v1.cni.cncf.io/network-status';
export const NETWORKS_ANNOTATION = 'k8s.v1.cni.cncf.io/networks';

export const networkStatusPresent: Condition = {
  name: `annotation ${NETWORK_STATUS_ANNOTATION} present`,
  hint: 'Multus writes it when it attaches the networks; is the Multus DaemonSet running?',
  check: (o) => {
    if (!o) return absent;
    return o.metadata.annotations?.[NETWORK_STATUS_ANNOTATION] ? { ok: o } : { observed: `annotations: ${Object.keys(o.metadata.annotations ?? {}).join(', ') || '(none)'}` };
  },
};

export const sriovNodeStateSynced: Condition = {
  name: 'SriovNetworkNodeState syncStatus Succeeded',
  hint: 'the sriov-network-config-daemon applies the policies; a Failed sync carries lastSyncError',
  check: (o) => {
    if (!o) return absent;
    const sync = field(o, 'status', 'syncStatus');
    if (sync === 'Succeeded') return { ok: o };
    if (sync === 'Failed') return { fail: `syncStatus Failed: ${String(field(o, 'status', 'lastSyncError') ?? '(no lastSyncError)')}` };
    return { observed: `syncStatus ${String(sync ?? '(none)')}` };
  },
};
