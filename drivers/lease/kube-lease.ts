/**
 * A lease kept as a coordination.k8s.io/v1 Lease, the API's own object for this (client-go's leader
 * election uses it the same way): holderIdentity is the run id, renewTime the heartbeat,
 * leaseDurationSeconds the staleness bound, leaseTransitions counts takeovers. The rest of the holder
 * (host, pid, lab, run directory) rides in annotations. Compare-and-swap is the API's own: a replace
 * carrying the resourceVersion that was read fails with 409 when anyone wrote in between. Release
 * clears the holder (as client-go does) rather than deleting, so the transition count survives.
 */
import { ApiException, CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { V1MicroTime } from '@kubernetes/client-node';
import { ProvisionError, TransportError } from '../../core/errors.ts';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../kubernetes/kube-object.ts';
import { parseHolder, type CreateResult, type LeaseHolder, type LeaseSlot, type LeaseView, type ReplaceResult } from './lease.ts';

/** Leases live in a namespace every cluster has, so they outlive the lab namespace runs delete. */
export const LEASE_NAMESPACE = 'default';
const HOLDER_ANNOTATION = 'wirespeed.io/holder';

export interface KubeLeaseOptions {
  readonly kubeConfig: KubeConfig;
  /** The lab node the lease stands for (the Lease is wirespeed-node-<node>). */
  readonly node: string;
  /** leaseDurationSeconds: how long without renewal before others may take it over. */
  readonly staleAfterS: number;
  readonly namespace?: string;
}

/** The Lease name of a lab node: a DNS subdomain. */
export function leaseName(node: string): string {
  return `wirespeed-node-${node}`.toLowerCase().replace(/[^a-z0-9.-]/g, '-').slice(0, 253);
}

const micro = (iso: string): V1MicroTime => new V1MicroTime(iso);

/** The lease of one lab node in the cluster behind `kubeConfig`. */
export function kubeLease(opts: KubeLeaseOptions): LeaseSlot {
  const api = opts.kubeConfig.makeApiClient(CoordinationV1Api);
  const namespace = opts.namespace ?? LEASE_NAMESPACE;
  const name = leaseName(opts.node);
  const where = `Lease ${namespace}/${name}`;
  const translate = (err: unknown, what: string): Error => {
    if (err instanceof ApiException) {
      const hint = err.code === 403 ? 'the kubeconfig user needs get, create and update on leases.coordination.k8s.io in the default namespace' : 'check the API server';
      return new ProvisionError(`${what}: ${err.code} ${typeof err.body === 'string' ? err.body.slice(0, 300) : JSON.stringify(err.body).slice(0, 300)}`, { where, hint, cause: err });
    }
    return new TransportError(`${what}: cannot reach the API server (${(err as Error).message})`, { where, hint: 'is the cluster up and the kubeconfig server address right?', cause: err });
  };

  /** The lease as a view, or undefined when nobody holds it. */
  const view = (lease: V1Lease): LeaseView | undefined => {
    const spec = lease.spec ?? {};
    if (!spec.holderIdentity) return undefined;
    let extra: unknown;
    try {
      extra = JSON.parse(lease.metadata?.annotations?.[HOLDER_ANNOTATION] ?? '{}');
    } catch {
      extra = {};
    }
    const renew = spec.renewTime ?? spec.acquireTime;
    const renewMs = renew === undefined ? 0 : new Date(renew as unknown as string).getTime();
    const parsed = parseHolder(extra);
    // A Lease another tool holds (no annotation of ours) is still held: show what the API says.
    const holder: LeaseHolder = parsed ?? {
      runId: spec.holderIdentity,
      lab: '(not wirespeed)',
      host: '(unknown)',
      pid: 0,
      startedAt: spec.acquireTime ? new Date(spec.acquireTime as unknown as string).toISOString() : '(unknown)',
      heartbeatAt: renewMs ? new Date(renewMs).toISOString() : '(unknown)',
    };
    return {
      holder,
      ageS: Math.max(0, (Date.now() - renewMs) / 1000),
      version: lease.metadata?.resourceVersion ?? '',
      ...(spec.leaseDurationSeconds ? { staleAfterS: spec.leaseDurationSeconds } : {}),
    };
  };

  const body = (holder: LeaseHolder, previous: V1Lease | undefined, transition: boolean): V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace,
      labels: { ...(previous?.metadata?.labels ?? {}), [MANAGED_BY_LABEL]: MANAGED_BY },
      annotations: { ...(previous?.metadata?.annotations ?? {}), [HOLDER_ANNOTATION]: JSON.stringify(holder) },
      ...(previous?.metadata?.resourceVersion ? { resourceVersion: previous.metadata.resourceVersion } : {}),
    },
    spec: {
      holderIdentity: holder.runId,
      leaseDurationSeconds: Math.max(1, Math.round(opts.staleAfterS)),
      acquireTime: micro(transition ? holder.heartbeatAt : (previous?.spec?.acquireTime as unknown as string | undefined) ?? holder.startedAt),
      renewTime: micro(holder.heartbeatAt),
      leaseTransitions: (previous?.spec?.leaseTransitions ?? 0) + (transition && previous?.spec?.holderIdentity ? 1 : 0),
    },
  });

  const read = async (): Promise<V1Lease | undefined> => {
    try {
      return await api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw translate(err, 'read the lab lease');
    }
  };

  /** Replace `current` with `next`; the new lease, or undefined when someone wrote in between. */
  const cas = async (next: V1Lease): Promise<V1Lease | undefined> => {
    try {
      return await api.replaceNamespacedLease({ name, namespace, body: next });
    } catch (err) {
      if (err instanceof ApiException && (err.code === 409 || err.code === 404)) return undefined;
      throw translate(err, 'update the lab lease');
    }
  };

  return {
    where,
    async read(): Promise<LeaseView | undefined> {
      const current = await read();
      return current ? view(current) : undefined;
    },
    async create(holder): Promise<CreateResult> {
      for (let attempt = 0; attempt < 5; attempt++) {
        const current = await read();
        if (current === undefined) {
          try {
            const made = await api.createNamespacedLease({ namespace, body: body(holder, undefined, true) });
            return { kind: 'created', view: view(made)! };
          } catch (err) {
            if (err instanceof ApiException && err.code === 409) continue; // created meanwhile: read it
            throw translate(err, 'create the lab lease');
          }
        }
        const held = view(current);
        if (held) return { kind: 'held', view: held };
        // Released (no holder): take it with a compare-and-swap on what was read.
        const taken = await cas(body(holder, current, true));
        if (taken) return { kind: 'created', view: view(taken)! };
      }
      throw new ProvisionError('the lab lease kept changing under five attempts to take it', { where, hint: 'another wirespeed is racing for this lab: run again' });
    },
    async replace(expected, holder): Promise<ReplaceResult> {
      const current = await read();
      if (!current) return { kind: 'changed', view: undefined };
      if (current.metadata?.resourceVersion !== expected.version) return { kind: 'changed', view: view(current) };
      const transition = current.spec?.holderIdentity !== holder.runId;
      const next = await cas(body(holder, current, transition));
      if (next) return { kind: 'replaced', view: view(next)! };
      const now = await read();
      return { kind: 'changed', view: now ? view(now) : undefined };
    },
    async release(expected): Promise<void> {
      const current = await read();
      if (!current || current.metadata?.resourceVersion !== expected.version) return;
      const spec = current.spec ?? {};
      await cas({
        ...current,
        metadata: { ...current.metadata, annotations: Object.fromEntries(Object.entries(current.metadata?.annotations ?? {}).filter(([k]) => k !== HOLDER_ANNOTATION)) },
        spec: { leaseDurationSeconds: spec.leaseDurationSeconds ?? 1, ...(spec.leaseTransitions === undefined ? {} : { leaseTransitions: spec.leaseTransitions }) },
      });
    },
    close: () => Promise.resolve(),
  };
}
