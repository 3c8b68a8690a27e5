/**
 * A Kubernetes cluster of a lab, on @kubernetes/client-node: typed waits whose timeouts name the object and the
 * condition, pod logs and events for failure reports, exec in pods.
 *
 * Ownership, never adoption (a shared cluster is the normal case): wirespeed owns exactly the objects it
 * created, by uid, recorded as they are created (`onOwned` persists them with the run). An object that already
 * exists is someone else's: it can be read and used as it is (`ensure`), never patched, never deleted — an
 * `apply` onto it stops with a message naming the object and its owner. Updates of owned objects and deletes
 * carry the uid as a precondition, so an object someone recreated under the same name is never touched.
 * Teardown deletes the recorded uids, newest first, and nothing else. The one exception is opted into by the
 * inventory: a pod of a DaemonSet the lab names under `cluster.mayRestart` (the SR-IOV device plugin) may be
 * deleted so that its DaemonSet replaces it (`deleteAllowedPod`); nothing else of someone else's is ever deleted.
 */
import { PassThrough, Writable, type Readable } from 'node:stream';
import type { CoreV1Api, Exec, KubeConfig, KubernetesObject, KubernetesObjectApi, V1Status } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { ConfigError, ProvisionError, TimeoutError, TransportError } from '../../core/errors.ts';
import { kubeconfigSecrets, redactSecrets } from '../../core/redact.ts';
import type { ClusterConfig } from '../../lab/schema.ts';
import { describeRef, field, FIELD_MANAGER, MANAGED_BY, MANAGED_BY_LABEL, refKey, refOf, RUN_LABEL, runLabelValue, runSelector, type KubeObject, type ObjectRef } from './kube-object.ts';
import type { Condition } from './conditions.ts';

export interface ClusterOptions {
  /** The run id: becomes the `wirespeed.io/run` label value. */
  runId: string;
  /** Namespace for the workloads (the lab's `cluster.namespace`). */
  namespace: string;
  /** Poll interval of the waits (default 250 ms). */
  pollMs?: number;
  /** Called for every object the run creates, as soon as the server accepted it (to record it with the run). */
  onOwned?: (o: OwnedObject) => void;
  /** Credential values of the kubeconfig, kept out of every message. */
  secrets?: readonly string[];
}

export interface ApplyOptions {
  /** Take fields other managers own on an object of the run (SSA force); off by default so a conflict is reported. */
  force?: boolean;
}

/** An object the run created: what teardown deletes, and nothing else. */
export interface OwnedObject {
  readonly ref: ObjectRef;
  readonly uid: string;
  /** When the server accepted it (ISO time). */
  readonly createdAt: string;
}

/** What `ensure` found or did. */
export type Ensured = { readonly owned: true; readonly obj: KubeObject } | { readonly owned: false; readonly obj: KubeObject; readonly owner: string };

export interface PodExecResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** The status channel's message when the command did not succeed. */
  statusMessage: string | undefined;
  timedOut: boolean;
}

export interface ExecStream {
  /** Resolves when the command ended (the status channel) or the connection closed. */
  readonly done: Promise<{ exitCode: number | null; statusMessage: string | undefined }>;
  /** Close the connection (the command may keep running in the container). */
  close(): void;
}

/** Kinds whose objects carrying the run label `leftovers()` looks for (read only: teardown deletes by uid). */
export const SWEEP_KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'v1', kind: 'Pod' },
  { apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition' },
  { apiVersion: 'sriovnetwork.openshift.io/v1', kind: 'SriovNetwork' },
  { apiVersion: 'sriovnetwork.openshift.io/v1', kind: 'SriovNetworkNodePolicy' },
  { apiVersion: 'sriovnetwork.openshift.io/v1', kind: 'SriovOperatorConfig' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' },
  { apiVersion: 'v1', kind: 'Namespace' },
];

export class Cluster {
  readonly runId: string;
  readonly namespace: string;
  /** "context <name> (<server>)", for messages. */
  readonly name: string;
  private readonly objects: KubernetesObjectApi;
  private readonly core: CoreV1Api;
  private readonly execApi: Exec;
  private readonly pollMs: number;
  /** Every object the run created, in creation order (teardown walks it backwards). */
  private readonly owned: OwnedObject[] = [];
  private readonly onOwned: ((o: OwnedObject) => void) | undefined;
  private readonly secrets: readonly string[];

  private constructor(
    private readonly k8s: K8s,
    readonly kubeConfig: KubeConfig,
    opts: ClusterOptions,
  ) {
    this.runId = opts.runId;
    this.namespace = opts.namespace;
    this.pollMs = opts.pollMs ?? 250;
    this.onOwned = opts.onOwned;
    this.secrets = [...(opts.secrets ?? []), ...userSecrets(kubeConfig)];
    const server = kubeConfig.getCurrentCluster()?.server ?? '(no server)';
    this.name = `context ${kubeConfig.getCurrentContext()} (${server})`;
    this.objects = k8s.KubernetesObjectApi.makeApiClient(kubeConfig);
    this.core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    this.execApi = new k8s.Exec(kubeConfig);
  }

  /** The cluster of a lab inventory: its kubeconfig (already resolved to an absolute path) and context. */
  static async fromLab(cfg: Pick<ClusterConfig, 'kubeconfig' | 'context' | 'namespace'>, runId: string, opts: Pick<ClusterOptions, 'pollMs' | 'onOwned'> = {}): Promise<Cluster> {
    const kc = await kubeconfigOf(cfg);
    return new Cluster(await k8sModule(), kc, { runId, namespace: cfg.namespace, ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }), ...(opts.onOwned ? { onOwned: opts.onOwned } : {}) });
  }

  /** The API server's version (`GET /version`): the cheapest request that proves it answers these credentials. */
  async serverVersion(): Promise<string> {
    try {
      const v = await this.kubeConfig.makeApiClient(this.k8s.VersionApi).getCode();
      return v.gitVersion;
    } catch (err) {
      throw this.translate(err, 'GET /version');
    }
  }

  /** The objects this run created, oldest first. */
  ownedObjects(): readonly OwnedObject[] {
    return [...this.owned];
  }

  /** Did this run create the object (same uid when the object is given)? */
  owns(ref: ObjectRef, uid?: string): boolean {
    const o = this.ownedRecord(ref);
    return o !== undefined && (uid === undefined || o.uid === uid);
  }

  private ownedRecord(ref: ObjectRef): OwnedObject | undefined {
    return this.owned.find((o) => refKey(o.ref) === refKey(ref));
  }

  /** The run's labels (what teardown selects on). */
  labels(): Record<string, string> {
    return { [MANAGED_BY_LABEL]: MANAGED_BY, [RUN_LABEL]: runLabelValue(this.runId) };
  }

  /** Add the run labels to an object (and to a pod template, so its pods are found too). */
  labelled(obj: KubeObject): KubeObject {
    const out = structuredClone(obj);
    out.metadata.labels = { ...(out.metadata.labels ?? {}), ...this.labels() };
    const tpl = field(out, 'spec', 'template', 'metadata') as { labels?: Record<string, string> } | undefined;
    if (tpl && (out.kind === 'DaemonSet' || out.kind === 'Deployment')) tpl.labels = { ...(tpl.labels ?? {}), ...this.labels() };
    return out;
  }

  /**
   * Create the object, or server-side apply onto it when this run created it (field manager `wirespeed`, its uid
   * as precondition). An object of the same name that the run did not create stops here with a ProvisionError
   * naming it and its owner: wirespeed never patches what it does not own.
   */
  async apply(obj: KubeObject, opts: ApplyOptions = {}): Promise<KubeObject> {
    const body = this.labelled(obj);
    const ref = refOf(body);
    const mine = this.ownedRecord(ref);
    if (mine === undefined) return this.create(body, ref);
    try {
      body.metadata.uid = mine.uid;
      const out = await this.objects.patch(body as KubernetesObject, undefined, undefined, FIELD_MANAGER, opts.force ?? false, this.k8s.PatchStrategy.ServerSideApply);
      return out as unknown as KubeObject;
    } catch (err) {
      throw this.translate(err, `apply ${describeRef(ref)}`);
    }
  }

  /** Apply objects in order: each must be accepted before the next is sent. */
  async applyAll(objs: readonly KubeObject[], opts: ApplyOptions = {}): Promise<KubeObject[]> {
    const out: KubeObject[] = [];
    for (const o of objs) out.push(await this.apply(o, opts));
    return out;
  }

  /**
   * Use the object as the cluster has it, or create it when it is absent: a pre-installed CRD, namespace or
   * component is used read-only (never patched, never deleted by this run).
   */
  async ensure(obj: KubeObject): Promise<Ensured> {
    const ref = refOf(obj);
    const cur = await this.get(ref);
    if (cur && this.owns(ref, cur.metadata.uid)) return { owned: true, obj: cur };
    if (cur) return { owned: false, obj: cur, owner: ownerOf(cur) };
    try {
      return { owned: true, obj: await this.create(this.labelled(obj), ref) };
    } catch (err) {
      // Someone created it between our read and our create: theirs, used as it is.
      if (err instanceof ForeignObjectError) {
        const now = await this.get(ref);
        if (now) return { owned: false, obj: now, owner: ownerOf(now) };
      }
      throw err;
    }
  }

  /** POST: the run owns what the server creates for it; AlreadyExists means someone else's object. */
  private async create(body: KubeObject, ref: ObjectRef): Promise<KubeObject> {
    let out: KubeObject;
    try {
      out = (await this.objects.create(body as KubernetesObject, undefined, undefined, FIELD_MANAGER)) as unknown as KubeObject;
    } catch (err) {
      if (err instanceof this.k8s.ApiException && err.code === 409) {
        const cur = await this.get(ref).catch(() => undefined);
        throw new ForeignObjectError(ref, cur ? ownerOf(cur) : 'unknown (it exists, and this run did not create it)', `cluster ${this.name}`);
      }
      throw this.translate(err, `create ${describeRef(ref)}`);
    }
    const uid = out.metadata.uid;
    if (!uid) throw new ProvisionError(`create ${describeRef(ref)}: the API server answered without a uid`, { where: `cluster ${this.name}` });
    const record: OwnedObject = { ref, uid, createdAt: new Date().toISOString() };
    this.owned.push(record);
    this.onOwned?.(record);
    return out;
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      const spec = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
      return (await this.objects.read(spec)) as unknown as KubeObject;
    } catch (err) {
      if (err instanceof this.k8s.ApiException && err.code === 404) return undefined;
      throw this.translate(err, `get ${describeRef(ref)}`);
    }
  }

  /** List objects of a kind; namespace undefined lists all namespaces. */
  async list(apiVersion: string, kind: string, opts: { namespace?: string; labelSelector?: string } = {}): Promise<KubeObject[]> {
    try {
      const res = await this.objects.list(apiVersion, kind, opts.namespace, undefined, undefined, undefined, undefined, opts.labelSelector);
      return res.items.map((i) => ({ apiVersion, kind, ...(i as object) }) as KubeObject);
    } catch (err) {
      throw this.translate(err, `list ${kind} (${apiVersion})`);
    }
  }

  /**
   * Delete an object this run created, with its uid as precondition (a same-named object someone made since is
   * left alone). Absent is fine; returns true when the server accepted the delete. Anything the run did not
   * create is refused.
   */
  async delete(ref: ObjectRef): Promise<boolean> {
    const mine = this.ownedRecord(ref);
    if (!mine) {
      throw new ProvisionError(`refusing to delete ${describeRef(ref)}: this run did not create it`, { where: `cluster ${this.name}`, hint: 'wirespeed deletes only objects it created (recorded by uid)' });
    }
    return this.deleteUid(mine);
  }

  private async deleteUid(o: OwnedObject): Promise<boolean> {
    const { ref } = o;
    try {
      await this.objects.delete({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } }, undefined, undefined, undefined, undefined, 'Background', { preconditions: { uid: o.uid } });
      return true;
    } catch (err) {
      if (err instanceof this.k8s.ApiException && err.code === 404) return false;
      // The uid precondition failed: the name now belongs to a different object, which is not ours to delete.
      if (err instanceof this.k8s.ApiException && err.code === 409) return false;
      throw this.translate(err, `delete ${describeRef(ref)}`);
    }
  }

  /** Forget an owned object that is gone (a deleted pod whose replacement takes its name). */
  private forget(o: OwnedObject): void {
    const i = this.owned.indexOf(o);
    if (i >= 0) this.owned.splice(i, 1);
  }

  /** Delete an owned object and wait until it is gone (finalizers done); the record is dropped. */
  async deleteAndWait(ref: ObjectRef, timeoutMs: number): Promise<void> {
    const mine = this.ownedRecord(ref);
    if (!mine) throw new ProvisionError(`refusing to delete ${describeRef(ref)}: this run did not create it`, { where: `cluster ${this.name}`, hint: 'wirespeed deletes only objects it created (recorded by uid)' });
    await this.deleteUid(mine);
    await this.waitFor(ref, goneUid(mine.uid), timeoutMs);
    this.forget(mine);
  }

  /**
   * Delete a pod this run did not create because the inventory allows it (`allowedBy` names the entry, e.g.
   * cluster.mayRestart.devicePlugin): only a pod, only with the uid the caller read as precondition (a pod
   * recreated under the same name since is left alone), and wait until it is gone. Returns false when it was
   * gone already.
   */
  async deleteAllowedPod(ref: ObjectRef, uid: string, allowedBy: string, timeoutMs: number): Promise<boolean> {
    if (ref.kind !== 'Pod' || ref.apiVersion !== 'v1') {
      throw new ProvisionError(`refusing to delete ${describeRef(ref)}: ${allowedBy} allows restarting a DaemonSet's pod, nothing else`, { where: `cluster ${this.name}`, hint: 'wirespeed deletes only objects it created, and pods the inventory lets it restart' });
    }
    const accepted = await this.deleteUid({ ref, uid, createdAt: '' });
    await this.waitFor(ref, goneUid(uid), timeoutMs);
    return accepted;
  }

  /** Wait until `cond` holds for the object; TimeoutError names object and condition, with the events seen. */
  async waitFor(ref: ObjectRef, cond: Condition, timeoutMs: number): Promise<KubeObject | undefined> {
    return this.waitUntil(`${describeRef(ref)}: ${cond.name}`, async () => cond.check(await this.get(ref)), timeoutMs, ref, cond.hint);
  }

  /**
   * Poll `probe` until it reports ok; a `fail` result stops at once (ProvisionError), a timeout gives a
   * TimeoutError with `what`, the last observation, and the object's recent events when `ref` is given.
   */
  async waitUntil<T>(what: string, probe: () => Promise<ProbeResult<T>>, timeoutMs: number, ref?: ObjectRef, hint?: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let observed = 'not checked yet';
    for (;;) {
      let r: ProbeResult<T>;
      try {
        r = await probe();
      } catch (err) {
        if (err instanceof TransportError) throw err;
        throw err;
      }
      if ('ok' in r) return r.ok;
      if ('fail' in r) {
        const diag = ref ? await this.diagnose(ref).catch(() => '') : '';
        throw new ProvisionError(`${what}: ${r.fail}`, { where: `cluster ${this.name}`, ...(hintOf(hint, diag) ? { hint: hintOf(hint, diag) } : {}) });
      }
      observed = r.observed;
      if (Date.now() >= deadline) break;
      await sleep(Math.min(this.pollMs, Math.max(1, deadline - Date.now())));
    }
    const diag = ref ? await this.diagnose(ref).catch(() => '') : '';
    throw new TimeoutError(`${what} (last seen: ${observed})`, timeoutMs, { where: `cluster ${this.name}`, ...(hintOf(hint, diag) ? { hint: hintOf(hint, diag) } : {}) });
  }

  /** Recent events of an object, one line each ("Warning FailedScheduling: 0/1 nodes ..."). */
  async events(ref: ObjectRef): Promise<string[]> {
    if (!ref.namespace) return [];
    try {
      const res = await this.core.listNamespacedEvent({ namespace: ref.namespace, fieldSelector: `involvedObject.name=${ref.name}` });
      return res.items.filter((e) => !e.involvedObject.kind || e.involvedObject.kind === ref.kind).map((e) => `${e.type ?? ''} ${e.reason ?? ''}: ${e.message ?? ''}`.trim());
    } catch (err) {
      if (err instanceof this.k8s.ApiException && err.code === 404) return [];
      throw this.translate(err, `events of ${describeRef(ref)}`);
    }
  }

  /** A pod's log (last lines), or '' when there is none yet. */
  async podLog(namespace: string, pod: string, container?: string, tailLines = 50): Promise<string> {
    try {
      return await this.core.readNamespacedPodLog({ name: pod, namespace, ...(container ? { container } : {}), tailLines });
    } catch (err) {
      if (err instanceof this.k8s.ApiException && (err.code === 404 || err.code === 400)) return '';
      throw this.translate(err, `log of pod ${namespace}/${pod}`);
    }
  }

  /** Events, and for a pod its log: what a failure report attaches. */
  async diagnose(ref: ObjectRef): Promise<string> {
    const parts: string[] = [];
    const ev = await this.events(ref);
    if (ev.length) parts.push(`events of ${describeRef(ref)}:\n    ${ev.slice(-8).join('\n    ')}`);
    if (ref.kind === 'Pod' && ref.namespace) {
      const log = (await this.podLog(ref.namespace, ref.name, undefined, 20)).trimEnd();
      if (log) parts.push(`log of ${describeRef(ref)}:\n    ${log.split('\n').join('\n    ')}`);
    }
    return parts.join('\n  ');
  }

  /** Diagnostics of every pod of the run (phase, events, log): for the test report on failure. */
  async failureReport(): Promise<string> {
    const pods = await this.list('v1', 'Pod', { labelSelector: runSelector(this.runId) }).catch(() => []);
    const out: string[] = [];
    for (const p of pods) {
      out.push(`Pod ${p.metadata.namespace}/${p.metadata.name}: phase ${String(field(p, 'status', 'phase') ?? '?')}`);
      out.push(`  ${(await this.diagnose(refOf(p)).catch((e: unknown) => String(e))) || '(no events, no log)'}`);
    }
    return out.join('\n') || `no pods with the run label ${runSelector(this.runId)}`;
  }

  /** Run a command in a container to completion. */
  async exec(namespace: string, pod: string, container: string, argv: readonly string[], opts: { stdin?: string | Uint8Array; timeoutMs?: number } = {}): Promise<PodExecResult> {
    let stdout = '';
    let stderr = '';
    const stdin = opts.stdin === undefined ? undefined : (() => {
      const s = new PassThrough();
      s.end(typeof opts.stdin === 'string' ? Buffer.from(opts.stdin) : Buffer.from(opts.stdin!));
      return s;
    })();
    const stream = await this.execStream(namespace, pod, container, argv, { onStdout: (d) => (stdout += d), onStderr: (d) => (stderr += d), ...(stdin ? { stdin } : {}) });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      if (opts.timeoutMs !== undefined) timer = setTimeout(() => resolve('timeout'), opts.timeoutMs);
    });
    const r = await Promise.race([stream.done, timeout]);
    if (timer) clearTimeout(timer);
    if (r === 'timeout') {
      stream.close();
      return { exitCode: null, stdout, stderr, statusMessage: undefined, timedOut: true };
    }
    return { exitCode: r.exitCode, stdout, stderr, statusMessage: r.statusMessage, timedOut: false };
  }

  /** Start a command in a container, streaming its output; the exit code comes from the status channel. */
  async execStream(namespace: string, pod: string, container: string, argv: readonly string[], io: { onStdout?: (s: string) => void; onStderr?: (s: string) => void; stdin?: Readable }): Promise<ExecStream> {
    const sink = (fn?: (s: string) => void) =>
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          fn?.(chunk.toString('utf8'));
          cb();
        },
      });
    let status: V1Status | undefined;
    let ws: { close(): void; on(ev: 'close', fn: () => void): void };
    try {
      ws = (await this.execApi.exec(namespace, pod, container, [...argv], sink(io.onStdout), sink(io.onStderr), io.stdin ?? null, false, (s) => {
        status = s;
      })) as unknown as typeof ws;
    } catch (err) {
      throw this.translate(err, `exec in pod ${namespace}/${pod} (${container}): ${argv.join(' ')}`);
    }
    const done = new Promise<{ exitCode: number | null; statusMessage: string | undefined }>((resolve) => {
      ws.on('close', () => resolve(exitOf(status)));
    });
    return { done, close: () => ws.close() };
  }

  /**
   * Delete every object the run created, newest first, each gone (finalizers done) before the next, by uid
   * only. Then wait until what the cluster made from them (DaemonSet pods, rendered NADs) carrying the run label
   * is gone too; nothing is deleted by label. A failure on one object does not stop the others; they are all
   * reported at the end.
   */
  async teardown(timeoutMs = 120_000): Promise<{ deleted: string[] }> {
    const deadline = Date.now() + timeoutMs;
    const left = () => Math.max(1000, deadline - Date.now());
    const deleted: string[] = [];
    const failed: string[] = [];
    for (const o of [...this.owned].reverse()) {
      try {
        if (await this.deleteUid(o)) deleted.push(describeRef(o.ref));
        await this.waitFor(o.ref, goneUid(o.uid), left());
        this.forget(o);
      } catch (err) {
        failed.push(`${describeRef(o.ref)}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      }
    }
    if (failed.length === 0) {
      await this.waitUntil(
        `objects carrying the run label ${runSelector(this.runId)} gone`,
        async () => {
          const rest = await this.leftovers();
          return rest.length === 0 ? { ok: undefined } : { observed: rest.join(', ') };
        },
        left(),
      ).catch((err: unknown) => failed.push(err instanceof Error ? err.message.split('\n')[0]! : String(err)));
    }
    if (failed.length) {
      throw new ProvisionError(`teardown of run ${this.runId} left work undone:\n  ${failed.join('\n  ')}`, { where: `cluster ${this.name}`, hint: `list what is left with kubectl get <kind> -A -l ${runSelector(this.runId)}; the run's objects and uids are in kubernetes-objects.jsonl of the run directory` });
    }
    return { deleted };
  }

  /** Objects still carrying the run label, as "Kind ns/name" (empty after a complete teardown). */
  async leftovers(): Promise<string[]> {
    const out: string[] = [];
    for (const k of SWEEP_KINDS) {
      const items = await this.list(k.apiVersion, k.kind, { labelSelector: runSelector(this.runId) }).catch((err: unknown) => {
        if (isUnknownKind(err)) return [];
        throw err;
      });
      out.push(...items.map((o) => describeRef(refOf(o))));
    }
    return out;
  }

  private translate(err: unknown, what: string): Error {
    const e = this.translateRaw(err, what);
    const clean = redactSecrets(e.message, this.secrets);
    if (clean === e.message) return e;
    // Rebuild with the clean text; the cause (which holds the raw answer) stays off the error.
    if (e instanceof TransportError) return new TransportError(redactSecrets(e.what, this.secrets), { where: `cluster ${this.name}`, ...(e.hint ? { hint: e.hint } : {}) });
    return new ProvisionError(redactSecrets(e instanceof ProvisionError ? e.what : e.message, this.secrets), { where: `cluster ${this.name}`, ...(e instanceof ProvisionError && e.hint ? { hint: e.hint } : {}) });
  }

  private translateRaw(err: unknown, what: string): Error {
    if (err instanceof this.k8s.ApiException && /Failed to fetch resource metadata/.test(err.message) && err.code === 404) {
      return new ProvisionError(`${what}: the API server does not serve this kind (${err.message.split(':')[0]})`, { where: `cluster ${this.name}`, hint: 'apply its CRD and wait until it is Established first', cause: err });
    }
    if (err instanceof this.k8s.ApiException) {
      const body = typeof err.body === 'string' ? safeJson(err.body) : err.body;
      const msg = String(field(body, 'message') ?? err.message);
      const reason = String(field(body, 'reason') ?? '');
      if (err.code === 401 || err.code === 403 && reason !== 'Forbidden') {
        return new TransportError(`${what}: ${err.code} ${msg}`, { where: `cluster ${this.name}`, hint: 'check the credentials of the kubeconfig user' });
      }
      const hint = err.code === 409 && reason === 'Conflict' ? 'another field manager owns these fields; resolve it or apply with force' : err.code === 404 ? 'is the CRD installed and Established, the namespace created?' : undefined;
      return new ProvisionError(`${what}: ${err.code} ${reason ? reason + ': ' : ''}${msg}`, { where: `cluster ${this.name}`, ...(hint ? { hint } : {}), cause: err });
    }
    const e = err as Error & { code?: string; cause?: { code?: string } };
    const code = e.code ?? e.cause?.code;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || /fetch failed|ECONNREFUSED|socket hang up/.test(e.message ?? '')) {
      return new TransportError(`${what}: cannot reach the API server (${code ?? e.message})`, { where: `cluster ${this.name}`, hint: 'is the cluster up and the kubeconfig server address right?', cause: err });
    }
    if (/Unrecognized API version and kind|Failed to fetch resource metadata/.test(e.message ?? '')) {
      return new ProvisionError(`${what}: the API server does not serve this kind (${e.message})`, { where: `cluster ${this.name}`, hint: 'apply its CRD and wait until it is Established first', cause: err });
    }
    return new ProvisionError(`${what}: ${e.message ?? String(err)}`, { where: `cluster ${this.name}`, cause: err });
  }
}

export type ProbeResult<T> = { ok: T } | { observed: string } | { fail: string };

/** An object exists and this run did not create it: never patched, never deleted. */
export class ForeignObjectError extends ProvisionError {
  constructor(
    readonly ref: ObjectRef,
    readonly owner: string,
    where: string,
  ) {
    super(`${describeRef(ref)} already exists and this run did not create it (${owner}); wirespeed does not patch or delete objects it does not own`, {
      where,
      hint: 'if it is a pre-installed component, the run uses it as it is; otherwise remove it, or give the run another namespace or name',
    });
  }
}

/** Who seems to own an object: its managed-by/run labels and the field managers that wrote it. */
export function ownerOf(o: KubeObject): string {
  const labels = o.metadata.labels ?? {};
  const managers = [...new Set(((o.metadata['managedFields'] as { manager?: string }[] | undefined) ?? []).map((m) => m.manager).filter((m): m is string => !!m))];
  const parts = [
    labels[MANAGED_BY_LABEL] ? `${MANAGED_BY_LABEL}=${labels[MANAGED_BY_LABEL]}` : undefined,
    labels[RUN_LABEL] ? `${RUN_LABEL}=${labels[RUN_LABEL]}` : undefined,
    managers.length ? `written by ${managers.join(', ')}` : undefined,
    o.metadata.uid ? `uid ${o.metadata.uid}` : undefined,
  ].filter((x): x is string => x !== undefined);
  return parts.join(', ') || 'owner unknown';
}

/** The object with this uid no longer exists (gone, or the name now belongs to another object). */
export function goneUid(uid: string): Condition {
  return {
    name: 'deleted (finalizers done)',
    check: (o) => (o === undefined || o.metadata.uid !== uid ? { ok: undefined } : { observed: `still there${o.metadata.deletionTimestamp ? `, terminating, finalizers [${(o.metadata.finalizers ?? []).join(', ')}]` : ''}` }),
  };
}

/** A lab's kubeconfig, loaded, with the inventory's context (else the file's current one) made current. */
export async function kubeconfigOf(cfg: Pick<ClusterConfig, 'kubeconfig' | 'context'>): Promise<KubeConfig> {
  const kc = await loadKubeconfig(cfg.kubeconfig);
  if (cfg.context !== undefined) {
    if (!kc.getContextObject(cfg.context)) {
      throw new ConfigError(`context "${cfg.context}" is not in ${cfg.kubeconfig}`, { where: 'cluster.context', hint: `contexts there: ${kc.getContexts().map((c) => c.name).join(', ') || '(none)'}` });
    }
    kc.setCurrentContext(cfg.context);
  }
  if (!kc.getCurrentCluster()) throw new ConfigError(`kubeconfig ${cfg.kubeconfig} has no current cluster`, { where: 'cluster.context', hint: 'set cluster.context in the inventory' });
  return kc;
}

/** Load a kubeconfig; a parse error names the position, never the content (the file holds credentials). */
export async function loadKubeconfig(path: string): Promise<KubeConfig> {
  const kc = new (await k8sModule()).KubeConfig();
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read kubeconfig ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { where: 'cluster.kubeconfig', hint: 'point cluster.kubeconfig at a readable kubeconfig file (relative to the inventory)' });
  }
  try {
    kc.loadFromString(text);
  } catch (err) {
    // js-yaml quotes the lines around a syntax error, which puts tokens and keys into the message.
    const e = err as Error & { reason?: string; mark?: { line?: number; column?: number } };
    const at = e.mark && typeof e.mark.line === 'number' ? ` at line ${e.mark.line + 1}, column ${(e.mark.column ?? 0) + 1}` : '';
    const why = e.reason ?? e.message.split('\n')[0] ?? 'unreadable';
    throw new ConfigError(`cannot load kubeconfig ${path}: ${redactSecrets(why, kubeconfigSecrets(text))}${at}`, { where: 'cluster.kubeconfig', hint: 'fix the YAML there (the file content is not shown: it holds credentials)' });
  }
  return kc;
}

type K8s = typeof import('@kubernetes/client-node');
let k8sLoaded: Promise<K8s> | undefined;
/** The client library, loaded when a cluster is first used: it takes seconds to load, and most runs use no cluster. */
function k8sModule(): Promise<K8s> {
  k8sLoaded ??= import('@kubernetes/client-node');
  return k8sLoaded;
}

/** Credentials of the kubeconfig's users, to keep out of messages. */
function userSecrets(kc: KubeConfig): string[] {
  return kc.getUsers().flatMap((u) => [u.token, u.password, u.keyData].filter((v): v is string => typeof v === 'string' && v.length > 0));
}

/** The object no longer exists (finalizers done). */
export const GONE: Condition = {
  name: 'deleted (finalizers done)',
  check: (o) => (o === undefined ? { ok: undefined } : { observed: `still there${o.metadata.deletionTimestamp ? `, terminating, finalizers [${(o.metadata.finalizers ?? []).join(', ')}]` : ''}` }),
};

function exitOf(status: V1Status | undefined): { exitCode: number | null; statusMessage: string | undefined } {
  if (!status) return { exitCode: null, statusMessage: 'the connection closed without a status (the container or the API server went away)' };
  if (status.status === 'Success') return { exitCode: 0, statusMessage: undefined };
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = cause?.message !== undefined ? Number(cause.message) : NaN;
  return { exitCode: Number.isInteger(code) ? code : null, statusMessage: status.message };
}

function isUnknownKind(err: unknown): boolean {
  return err instanceof ProvisionError && /does not serve this kind|404/.test(err.message);
}

function hintOf(hint: string | undefined, diag: string): string {
  return [hint, diag].filter((s) => s).join('\n  ');
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return { message: s };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
