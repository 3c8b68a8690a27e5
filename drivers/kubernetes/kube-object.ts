/**
 * Kubernetes objects as wirespeed handles them: plain JSON with apiVersion, kind and metadata, plus the
 * labels every object of a run carries, so a run's objects can always be found and removed by label.
 */
export interface KubeMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string | Date;
  uid?: string;
  generation?: number;
  [k: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMeta;
  [k: string]: unknown;
}

/** Enough to find one object. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'wirespeed';
export const RUN_LABEL = 'wirespeed.io/run';
export const FIELD_MANAGER = 'wirespeed';

/** Label values must be ≤63 chars of [A-Za-z0-9_.-]; a run id is made to fit. */
export function runLabelValue(runId: string): string {
  const v = runId.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63).replace(/[^A-Za-z0-9]+$/, '');
  return v || 'run';
}

export function runSelector(runId: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY},${RUN_LABEL}=${runLabelValue(runId)}`;
}

export function refOf(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): ObjectRef {
  return { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) };
}

/** "SriovNetworkNodePolicy sriov-network-operator/wsp-vfio" for messages. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

export const refKey = (r: ObjectRef): string => `${r.apiVersion}|${r.kind}|${r.namespace ?? ''}|${r.name}`;

/** Read a nested field of an object the API returned (typed loosely on purpose: status shapes vary). */
export function field(obj: unknown, ...path: string[]): unknown {
  let v = obj;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}
