/**
 * The local generator driver: starts wsp-gen (drivers/loadgen/local-gen) once per session through a
 * Shell, speaks its JSON-lines protocol, and turns trial replies into TrialResults. Trials run one at a
 * time; a process that dies mid-trial is a MeasurementError with its exit and last output.
 * The process is the one managed DPDK process (dpdk-process.ts: prefix cleanup, quit then TERM/KILL,
 * its listening sockets removed) and the protocol the one request/reply peer (shell/request-peer.ts).
 */
import { fileURLToPath } from 'node:url';
import { describeExit, MeasurementError, ProvisionError, trimOutput } from '../../core/errors.ts';
import { startManagedDpdkProcess, type ManagedDpdkProcess } from '../dpdk/dpdk-process.ts';
import { ealArgs } from '../dpdk/eal.ts';
import type { DpdkRuntime } from '../dpdk/runtime.ts';
import { RequestPeer } from '../shell/request-peer.ts';
import type { ProcessExit, Shell, SpawnedProcess } from '../shell/shell.ts';
import type { Measure, TrialResult, TrialSpec } from '../../method/trial.ts';
import type { GeneratorInfo, GeneratorPort, GeneratorSession } from './traffic-generator.ts';
import {
  errorReplySchema,
  fatalSchema,
  helloSchema,
  parseLine,
  statsReplySchema,
  toTrialResult,
  trialReplySchema,
  trialRequest,
  validateTrial,
  type AnyLine,
  type Hello,
  type StatsReply,
  type TrialReply,
  type TrialTuning,
} from './local-generator-protocol.ts';

/** Where setup (cli/setup.d/10-local-gen.sh) builds the binary. */
export const DEFAULT_GENERATOR_BINARY = fileURLToPath(new URL('./local-gen/build/wsp-gen', import.meta.url));

export interface LocalGeneratorOptions {
  /** Where it runs: the local shell, or a netns shell for veth. */
  readonly shell: Shell;
  /** Path to wsp-gen; default the one setup builds in the repo. */
  readonly binary?: string;
  /** One or two ports, in topology order (p0, p1). */
  readonly ports: readonly GeneratorPort[];
  /** CPUs for the one polling lcore (the first is used). */
  readonly cpus: readonly number[];
  /** The run's DPDK runtime: gives the file prefix, RUNTIME_DIRECTORY and cleanup. */
  readonly runtime: DpdkRuntime;
  /** Role for the file prefix (default "gen"): two generators of one run need two roles. */
  readonly role?: string;
  /** Hugepage memory, MB (default 256). */
  readonly memoryMb?: number;
  /** Needed by virtio_user and memif zero-copy; default: on when a vdev needs it. */
  readonly singleFileSegments?: boolean;
  /** Packet buffers in the generator's pool (default 16383, the binary's): raise it for deep rings. */
  readonly mbufs?: number;
  /** Descriptors per RX and TX queue (default 1024, at most 16384). */
  readonly ringSize?: number;
  /** Destination MAC per port (default 02:00:00:00:00:0N, l3fwd's next hop for port N). */
  readonly dstMacs?: readonly (string | undefined)[];
  /** Extra EAL arguments, appended last. */
  readonly extraEal?: readonly string[];
  /** Pacing and drain tuning sent with every trial. */
  readonly tuning?: TrialTuning;
  /** The tester's ceiling from a self-test, reported in `info`. */
  readonly ceilingPps?: number;
  /** EAL start plus port setup; default 30 s. */
  readonly startTimeoutMs?: number;
}

export interface LocalGeneratorSession extends GeneratorSession {
  readonly pid: number;
  readonly prefix: string;
  readonly hello: Hello;
  /** wsp-gen can always end a window early (its `end` request). */
  measureUntil(trial: TrialSpec, end: AbortSignal, signal?: AbortSignal): Promise<TrialResult>;
  /** The raw reply of the last trial (deficit, stray, drain time, per-direction latency). */
  lastTrialReply(): TrialReply | undefined;
  /** Port counters as DPDK sees them. */
  stats(): Promise<StatsReply>;
  /** Last lines of its log (stderr). */
  log(): string;
  /** null while it runs. */
  exited(): ProcessExit | null;
}

const STDERR_KEEP = 16 * 1024;

/** Start wsp-gen on the given ports; resolves after its hello. On failure nothing of it is left. */
export async function openLocalGenerator(opts: LocalGeneratorOptions): Promise<LocalGeneratorSession> {
  const { shell, runtime } = opts;
  const prefix = runtime.prefix(opts.role ?? 'gen');
  const where = `local generator ${prefix} on ${shell.name}`;
  const cpu = opts.cpus[0];
  const vdevs = opts.ports.flatMap((p) => (p.kind === 'vdev' ? [p.vdev] : []));
  const pcis = opts.ports.flatMap((p) => (p.kind === 'pci' ? [p.pci] : []));
  const needsShared = vdevs.some((v) => v.startsWith('net_virtio_user') || /zero-copy=yes/.test(v));
  const eal = ealArgs({
    filePrefix: prefix,
    lcores: cpu === undefined ? [] : [cpu],
    memoryMb: opts.memoryMb ?? 256,
    noPci: pcis.length === 0,
    vdevs,
    allowPci: pcis,
    singleFileSegments: opts.singleFileSegments ?? needsShared,
  });
  if (opts.ports.length < 1 || opts.ports.length > 2) {
    throw new ProvisionError(`the local generator drives 1 or 2 ports, got ${opts.ports.length}`, { where, hint: 'give the ports of one link pair' });
  }
  const app: string[] = [
    ...(opts.mbufs === undefined ? [] : [`--mbufs=${opts.mbufs}`]),
    ...(opts.ringSize === undefined ? [] : [`--ring-size=${opts.ringSize}`]),
  ];
  opts.dstMacs?.forEach((mac, i) => {
    if (mac !== undefined) app.push(`--dst-mac=${i},${mac}`);
  });
  const argv = [opts.binary ?? DEFAULT_GENERATOR_BINARY, ...eal, ...(opts.extraEal ?? []), '--', ...app];

  let stderrTail = '';
  const strayLines: string[] = [];
  const keepStray = (text: string): void => {
    if (text.trim() === '') return;
    strayLines.push(text.slice(0, 200)); // not ours to trust: kept for error messages only
    if (strayLines.length > 20) strayLines.shift();
  };
  let proc: ManagedDpdkProcess | undefined;
  let spawned: SpawnedProcess | undefined;
  const lastOutput = (): string => stderrTail + (strayLines.length ? `\n${strayLines.slice(-4).join('\n')}` : '');
  const describeDeath = (): string => proc?.describeDeath() ?? `wsp-gen is not running\n  last output: ${trimOutput(lastOutput(), 12)}`;

  // The first line is its hello (or a fatal line saying why it cannot start); then one reply per request.
  let first: { resolve: (l: AnyLine) => void } | undefined;
  const firstLine = new Promise<AnyLine>((resolve) => (first = { resolve }));
  const peer = new RequestPeer<AnyLine>({
    where,
    timeoutMs: 10_000,
    send: (text) => (spawned ? spawned.write(text) : Promise.reject(new Error('wsp-gen has not started'))),
    classify: (text) => {
      const line = parseLine(text);
      if (line === null) return { kind: 'other' };
      if (line.event === 'hello' || line.event === 'fatal') {
        first?.resolve(line);
        first = undefined;
        return line.event === 'fatal' ? { kind: 'fatal', reason: `it could not start: ${String((line as { error?: unknown }).error)}` } : { kind: 'other' };
      }
      // Abort and end requests are fire-and-forget: their acknowledgements come back as replies nobody waits for.
      if (typeof line.id === 'number' && line.cmd !== 'abort' && line.cmd !== 'end') return { kind: 'reply', id: line.id, reply: line };
      return { kind: 'other' };
    },
    onOther: (text) => {
      const line = parseLine(text);
      if (line === null || (line.cmd !== 'abort' && line.cmd !== 'end' && line.event !== 'hello')) keepStray(text);
    },
    gone: (reason) =>
      new MeasurementError(`the generator died: ${proc?.exited() ? describeDeath() : reason}`, {
        where,
        hint: 'read its last output; exit 139 with memif means a peer disconnected under traffic (DPDK 22.11 bug)',
      }),
    timedOut: (request, ms) => new MeasurementError(`no reply to ${request} within ${ms} ms: ${describeDeath()}`, { where, hint: 'the generator hangs; the session is closed' }),
  });

  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  let hello!: Hello;
  proc = await startManagedDpdkProcess({
    shell,
    runtime,
    prefix,
    label: 'wsp-gen',
    argv,
    startTimeoutMs,
    onStdout: (chunk) => peer.feed(chunk),
    onStderr: (chunk) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_KEEP);
    },
    onExit: (e) => peer.end(`exited (${describeExit(e.exitCode, e.signal)})`),
    lastOutput,
    startHint: 'read the EAL lines above: "Cannot get hugepage" means the hugepage pool is full, "connect error" that the DUT side is not up; `npm run setup` builds the generator',
    // quit: ports stopped and closed in order, EAL cleaned up; TERM/KILL only if it hangs.
    quit: async (p) => {
      await p.write('{"cmd":"quit"}\n').catch(() => undefined);
      p.endInput();
    },
    ownedFiles: vdevs.flatMap((v) => ownedSocketOf(v) ?? []),
    ready: async (p) => {
      spawned = p;
      const line = await firstLine;
      const fatal = fatalSchema.safeParse(line);
      if (fatal.success) {
        throw new ProvisionError(`the generator could not start: ${fatal.data.error}`, { where, hint: trimOutput(stderrTail, 6) || 'see its log' });
      }
      const parsed = helloSchema.safeParse(line);
      if (!parsed.success) throw new ProvisionError(`the generator's hello is malformed: ${parsed.error.message}`, { where });
      // DPDK numbers ports in probe order: make sure p0/p1 are the devices we meant.
      opts.ports.forEach((port, i) => {
        const want = port.kind === 'vdev' ? port.vdev.split(',')[0] : port.pci;
        const got = parsed.data.ports[i]?.name;
        if (got === undefined || (want !== got && !got.endsWith(want ?? ''))) {
          throw new ProvisionError(`generator port ${i} is ${got ?? 'missing'}, expected ${want}`, { where, hint: 'give the ports in DPDK probe order' });
        }
      });
      hello = parsed.data;
    },
  });
  const running = proc;

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= running.stop(5000).then(() => undefined);
    return closed;
  };

  /** One request and its reply; a request that gets none in time closes the session (the generator hangs). */
  const request = async (id: number, body: Record<string, unknown>, timeoutMs: number): Promise<AnyLine> => {
    try {
      return await peer.request(id, JSON.stringify({ ...body, id }) + '\n', String(body.cmd), timeoutMs);
    } catch (err) {
      if (!peer.failure) void close();
      throw err;
    }
  };

  let queue: Promise<unknown> = Promise.resolve();
  let lastReply: TrialReply | undefined;
  const tuning = opts.tuning ?? {};

  const runTrial = async (spec: TrialSpec, signal?: AbortSignal, end?: AbortSignal): Promise<TrialResult> => {
    validateTrial(spec, hello.ports.length, where);
    signal?.throwIfAborted();
    if (closed) throw new MeasurementError('the generator session is closed', { where });
    const id = peer.nextId();
    const budgetMs = ((spec.warmupS ?? 0) + spec.durationS) * 1000 + (tuning.drainMs ?? 100) + (tuning.linkWaitMs ?? 5000) + 30_000;
    const onAbort = (): void => peer.notify(JSON.stringify({ id: peer.nextId(), cmd: 'abort' }) + '\n');
    // Ending early closes the counted window; the trial still drains and replies with what it counted.
    const onEnd = (): void => peer.notify(JSON.stringify({ id: peer.nextId(), cmd: 'end' }) + '\n');
    signal?.addEventListener('abort', onAbort, { once: true });
    end?.addEventListener('abort', onEnd, { once: true });
    let line: AnyLine;
    try {
      const replied = request(id, trialRequest(id, spec, tuning), budgetMs);
      // Sent after the trial request, so wsp-gen reads it during the trial even when `end` fired already.
      if (end?.aborted) onEnd();
      line = await replied;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      end?.removeEventListener('abort', onEnd);
    }
    if (!line.ok) {
      const e = errorReplySchema.safeParse(line);
      throw new MeasurementError(`the generator refused the trial: ${e.success ? e.data.error : JSON.stringify(line)}`, {
        where,
        hint: 'a link that stays down means the DUT side is not up or not connected',
      });
    }
    const parsed = trialReplySchema.safeParse(line);
    if (!parsed.success) throw new MeasurementError(`malformed trial reply: ${parsed.error.message}`, { where });
    lastReply = parsed.data;
    if (parsed.data.aborted) {
      if (signal?.aborted) throw signal.reason;
      throw new MeasurementError(`the trial was aborted by the generator: ${describeDeath()}`, { where });
    }
    return toTrialResult(spec, parsed.data, where);
  };

  const info: GeneratorInfo = {
    name: 'wsp-gen',
    version: `${hello.version} (${hello.dpdk})`,
    ...(opts.ceilingPps === undefined ? {} : { ceilingPps: opts.ceilingPps }),
  };

  const session: LocalGeneratorSession = {
    info,
    pid: running.pid,
    prefix,
    hello,
    measure(spec: TrialSpec, signal?: AbortSignal): Promise<TrialResult> {
      const next = queue.then(() => runTrial(spec, signal));
      queue = next.catch(() => undefined);
      return next;
    },
    measureUntil(spec: TrialSpec, end: AbortSignal, signal?: AbortSignal): Promise<TrialResult> {
      const next = queue.then(() => runTrial(spec, signal, end));
      queue = next.catch(() => undefined);
      return next;
    },
    measurer(base: Omit<TrialSpec, 'loadPps' | 'durationS'>): Measure {
      return (durationS, loadPps, signal) => session.measure({ ...base, durationS, loadPps }, signal);
    },
    async stats(): Promise<StatsReply> {
      const line = await request(peer.nextId(), { cmd: 'stats' }, 10_000);
      const parsed = statsReplySchema.safeParse(line);
      if (!parsed.success) throw new MeasurementError(`malformed stats reply: ${JSON.stringify(line).slice(0, 200)}`, { where });
      return parsed.data;
    },
    lastTrialReply: () => lastReply,
    log: () => stderrTail,
    exited: () => running.exited(),
    close,
    [Symbol.asyncDispose]: close,
  };
  return session;
}

/** The socket file a vdev creates as the listening side (memif server, vhost server, virtio_user server=1). */
export function ownedSocketOf(vdev: string): string | undefined {
  const [driver = '', ...kvs] = vdev.split(',');
  const args = new Map(
    kvs.map((kv) => {
      const eq = kv.indexOf('=');
      return eq < 0 ? ([kv, ''] as const) : ([kv.slice(0, eq), kv.slice(eq + 1)] as const);
    }),
  );
  if (driver.startsWith('net_memif')) {
    // memif's default socket is abstract (no file); role defaults to client.
    return args.get('role') === 'server' && args.get('socket-abstract') === 'no' ? args.get('socket') : undefined;
  }
  if (driver.startsWith('net_vhost')) return args.get('client') === '1' ? undefined : args.get('iface');
  if (driver.startsWith('net_virtio_user')) return args.get('server') === '1' ? args.get('path') : undefined;
  return undefined;
}
