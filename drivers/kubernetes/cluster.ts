/**
 * A Kubernetes cluster of a lab, on @kubernetes/client-node: server-side apply with field manager `wirespeed`
 * and the run labels on every object, typed waits whose timeouts name the object and the condition, pod logs
 * and events for failure reports, exec in pods, and teardown of everything the run labelled.
 */
import { PassThrough, Writable, type Readable } from 'node:stream';
import { ApiException, CoreV1Api, Exec, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject, type V1Status } from '@kubernetes/client-node';
import { ConfigError, ProvisionError, TimeoutError, TransportError } from '../../core/errors.ts';
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
}

export interface ApplyOptions {
  /** Take fields other managers own (SSA force); off by default so a conflict is reported, not overwritten. */
  force?: boolean;
}

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

/** Kinds the label sweep of teardown visits, in deletion order (after the per-object reverse pass). */
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
  /** Everything applied, in order (teardown walks it backwards). */
  private readonly applied: ObjectRef[] = [];

  constructor(
    readonly kubeConfig: KubeConfig,
    opts: ClusterOptions,
  ) {
    this.runId = opts.runId;
    this.namespace = opts.namespace;
    this.pollMs = opts.pollMs ?? 250;
    const server = kubeConfig.getCurrentCluster()?.server ?? '(no server)';
    this.name = `context ${kubeConfig.getCurrentContext()} (${server})`;
    this.objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.execApi = new Exec(kubeConfig);
  }

  /** The cluster of a lab inventory: its kubeconfig (already resolved to an absolute path) and context. */
  static fromLab(cfg: Pick<ClusterConfig, 'kubeconfig' | 'context' | 'namespace'>, runId: string, opts: { pollMs?: number } = {}): Cluster {
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(cfg.kubeconfig);
    } catch (err) {
      throw new ConfigError(`cannot load kubeconfig ${cfg.kubeconfig}: ${(err as Error).message}`, { where: 'cluster.kubeconfig', hint: 'point cluster.kubeconfig at a readable kubeconfig file (relative to the inventory)' });
    }
    if (cfg.context !== undefined) {
      if (!kc.getContextObject(cfg.context)) {
        throw new ConfigError(`context "${cfg.context}" is not in ${cfg.kubeconfig}`, { where: 'cluster.context', hint: `contexts there: ${kc.getContexts().map((c) => c.name).join(', ') || '(none)'}` });
      }
      kc.setCurrentContext(cfg.context);
    }
    if (!kc.getCurrentCluster()) throw new ConfigError(`kubeconfig ${cfg.kubeconfig} has no current cluster`, { where: 'cluster.context', hint: 'set cluster.context in the inventory' });
    return new Cluster(kc, { runId, namespace: cfg.namespace, ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }) });
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

  /** Server-side apply (field manager `wirespeed`, force off unless asked); returns the object as stored. */
  async apply(obj: KubeObject, opts: ApplyOptions = {}): Promise<KubeObject> {
    const body = this.labelled(obj);
    const ref = refOf(body);
    try {
      const out = await this.objects.patch(body as KubernetesObject, undefined, undefined, FIELD_MANAGER, opts.force ?? false, PatchStrategy.ServerSideApply);
      if (!this.applied.some((r) => refKey(r) === refKey(ref))) this.applied.push(ref);
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
   * Apply a cluster-wide shared object (a CRD) unless it already exists without this run's label: an existing
   * operator installation is used as it is, and teardown will not delete what the run did not create.
   */
  async applyShared(obj: KubeObject): Promise<'applied' | 'existing'> {
    const cur = await this.get(refOf(obj));
    if (cur && cur.metadata.labels?.[RUN_LABEL] !== runLabelValue(this.runId)) return 'existing';
    await this.apply(obj);
    return 'applied';
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      const spec = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
      return (await this.objects.read(spec)) as unknown as KubeObject;
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
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

  /** Delete; absent objects are fine. Returns true when a delete was sent. */
  async delete(ref: ObjectRef): Promise<boolean> {
    try {
      await this.objects.delete({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } });
      return true;
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return false;
      throw this.translate(err, `delete ${describeRef(ref)}`);
    }
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
      if (err instanceof ApiException && err.code === 404) return [];
      throw this.translate(err, `events of ${describeRef(ref)}`);
    }
  }

  /** A pod's log (last lines), or '' when there is none yet. */
  async podLog(namespace: string, pod: string, container?: string, tailLines = 50): Promise<string> {
    try {
      return await this.core.readNamespacedPodLog({ name: pod, namespace, ...(container ? { container } : {}), tailLines });
    } catch (err) {
      if (err instanceof ApiException && (err.code === 404 || err.code === 400)) return '';
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
   * Delete everything the run applied, newest first, each gone (finalizers done) before the next, then every
   * object still carrying the run label. A failure on one object does not stop the others; they are all
   * reported at the end.
   */
  async teardown(timeoutMs = 120_000): Promise<{ deleted: string[] }> {
    const deadline = Date.now() + timeoutMs;
    const left = () => Math.max(1000, deadline - Date.now());
    const deleted: string[] = [];
    const failed: string[] = [];
    const mine = runSelector(this.runId);
    const attempt = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        failed.push(`${what}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      }
    };
    for (const ref of [...this.applied].reverse()) {
      await attempt(describeRef(ref), async () => {
        const cur = await this.get(ref);
        if (!cur || cur.metadata.labels?.[RUN_LABEL] !== runLabelValue(this.runId)) return;
        if (await this.delete(ref)) deleted.push(describeRef(ref));
        await this.waitFor(ref, GONE, left());
      });
    }
    this.applied.length = 0;
    for (const k of SWEEP_KINDS) {
      await attempt(`${k.kind} with label ${mine}`, async () => {
        const items = await this.list(k.apiVersion, k.kind, { labelSelector: mine }).catch((err: unknown) => {
          if (isUnknownKind(err)) return [];
          throw err;
        });
        for (const o of items) if (await this.delete(refOf(o))) deleted.push(describeRef(refOf(o)));
        for (const o of items) await this.waitFor(refOf(o), GONE, left());
      });
    }
    if (failed.length) {
      throw new ProvisionError(`teardown of run ${this.runId} left work undone:\n  ${failed.join('\n  ')}`, { where: `cluster ${this.name}`, hint: `finish by hand: kubectl delete <kind> -A -l ${mine}` });
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
    if (err instanceof ApiException && /Failed to fetch resource metadata/.test(err.message) && err.code === 404) {
      return new ProvisionError(`${what}: the API server does not serve this kind (${err.message.split(':')[0]})`, { where: `cluster ${this.name}`, hint: 'apply its CRD and wait until it is Established first', cause: err });
    }
    if (err instanceof ApiException) {
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
