/**
 * The local generator driver: starts wsp-gen (drivers/loadgen/local-gen) once per session through a
 * Shell, speaks its JSON-lines protocol, and turns trial replies into TrialResults. Trials run one at a
 * time; a process that dies mid-trial is a MeasurementError with its exit and last output.
 */
import { fileURLToPath } from 'node:url';
import { describeExit, MeasurementError, ProvisionError, trimOutput } from '../../core/errors.ts';
import { ealArgs } from '../dpdk/eal.ts';
import type { DpdkRuntime } from '../dpdk/runtime.ts';
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
  /** The raw reply of the last trial (deficit, stray, drain time, per-direction latency). */
  lastTrialReply(): TrialReply | undefined;
  /** Port counters as DPDK sees them. */
  stats(): Promise<StatsReply>;
  /** Last lines of its log (stderr). */
  log(): string;
  /** null while it runs. */
  exited(): ProcessExit | null;
}

interface Pending {
  resolve(line: AnyLine): void;
  reject(err: unknown): void;
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
  const ownedSockets = vdevs.flatMap((v) => ownedSocketOf(v) ?? []);
  const argv = [opts.binary ?? DEFAULT_GENERATOR_BINARY, ...eal, ...(opts.extraEal ?? []), '--', ...app];

  await runtime.prepare();
  await runtime.cleanupPrefix(prefix); // a crashed earlier session leaves hugepage files EAL would reuse

  let stderrTail = '';
  let stdoutBuf = '';
  let nextId = 1;
  const pending = new Map<number, Pending>();
  let helloResolve!: (l: AnyLine) => void;
  const helloP = new Promise<AnyLine>((r) => (helloResolve = r));
  const strayLines: string[] = [];

  const keepStray = (text: string): void => {
    strayLines.push(text.slice(0, 200)); // not ours to trust: kept for error messages only
    if (strayLines.length > 20) strayLines.shift();
  };
  const onLine = (text: string): void => {
    if (text.trim() === '') return;
    const line = parseLine(text);
    if (line === null) {
      keepStray(text);
      return;
    }
    if (line.event === 'hello' || line.event === 'fatal') {
      helloResolve(line);
      return;
    }
    if (typeof line.id === 'number' && pending.has(line.id)) {
      const p = pending.get(line.id)!;
      pending.delete(line.id);
      p.resolve(line);
    } else if (line.cmd !== 'abort') {
      keepStray(text); // abort requests are fire-and-forget: their acknowledgements are expected
    }
  };

  let proc: SpawnedProcess;
  try {
    proc = await shell.spawn(argv, {
      env: runtime.env(),
      onStdout: (chunk) => {
        stdoutBuf += chunk;
        let nl: number;
        while ((nl = stdoutBuf.indexOf('\n')) >= 0) {
          const text = stdoutBuf.slice(0, nl);
          stdoutBuf = stdoutBuf.slice(nl + 1);
          onLine(text);
        }
      },
      onStderr: (chunk) => {
        stderrTail = (stderrTail + chunk).slice(-STDERR_KEEP);
      },
    });
  } catch (err) {
    await runtime.cleanupPrefix(prefix).catch(() => undefined);
    throw new ProvisionError(`could not start ${argv[0]}`, { where, hint: 'run `npm run setup` to build the generator', cause: err });
  }

  let exit: ProcessExit | null = null;
  const describeDeath = (): string => {
    const e = proc.exited() ?? exit;
    const how = e ? describeExit(e.exitCode, e.signal) : 'still running';
    const tail = trimOutput(stderrTail + (strayLines.length ? '\n' + strayLines.slice(-4).join('\n') : ''), 12);
    return `wsp-gen (pid ${proc.pid}) ${e ? 'exited' : 'is'} (${how})${tail ? `\n  last output: ${tail}` : ''}`;
  };
  const exitedP = proc.wait().then((e) => {
    exit = e;
    const err = new MeasurementError(`the generator died: ${describeDeath()}`, {
      where,
      hint: 'read its last output; exit 139 with memif means a peer disconnected under traffic (DPDK 22.11 bug)',
    });
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    return e;
  });

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      try {
        if (!proc.exited()) {
          // quit: ports stopped and closed in order, EAL cleaned up; then TERM/KILL if it hangs.
          await proc.write('{"cmd":"quit"}\n').catch(() => undefined);
          proc.endInput();
          const quitInTime = await Promise.race([exitedP.then(() => true), sleep(5000).then(() => false)]);
          if (!quitInTime) await proc.kill(2000);
        }
        await exitedP;
      } finally {
        await runtime.cleanupPrefix(prefix);
        // A server socket outlives a crashed process, and the next bind fails with "Address already in use".
        if (ownedSockets.length > 0) await shell.exec(['rm', '-f', '--', ...ownedSockets]).catch(() => undefined);
      }
    })();
    return closed;
  };

  // Wait for hello (or fatal, or death, or timeout).
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  let hello: Hello;
  let timer: NodeJS.Timeout | undefined;
  try {
    const first = await Promise.race([
      helloP,
      exitedP.then((): never => {
        throw new ProvisionError(`the generator did not start: ${describeDeath()}`, {
          where,
          hint: 'read the EAL lines above: "Cannot get hugepage" means the hugepage pool is full, "connect error" that the DUT side is not up',
        });
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ProvisionError(`no hello from the generator after ${startTimeoutMs} ms: ${describeDeath()}`, { where })), startTimeoutMs);
      }),
    ]);
    const fatal = fatalSchema.safeParse(first);
    if (fatal.success) {
      throw new ProvisionError(`the generator could not start: ${fatal.data.error}`, { where, hint: trimOutput(stderrTail, 6) || 'see its log' });
    }
    const parsed = helloSchema.safeParse(first);
    if (!parsed.success) throw new ProvisionError(`the generator's hello is malformed: ${parsed.error.message}`, { where });
    hello = parsed.data;
    // DPDK numbers ports in probe order: make sure p0/p1 are the devices we meant.
    opts.ports.forEach((port, i) => {
      const want = port.kind === 'vdev' ? port.vdev.split(',')[0] : port.pci;
      const got = hello.ports[i]?.name;
      if (got === undefined || (want !== got && !got.endsWith(want ?? ''))) {
        throw new ProvisionError(`generator port ${i} is ${got ?? 'missing'}, expected ${want}`, { where, hint: 'give the ports in DPDK probe order' });
      }
    });
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }

  const request = (body: Record<string, unknown>, timeoutMs: number): Promise<AnyLine> => {
    if (proc.exited()) return Promise.reject(new MeasurementError(`the generator is not running: ${describeDeath()}`, { where }));
    const id = typeof body.id === 'number' ? body.id : nextId++;
    return new Promise<AnyLine>((resolve, reject) => {
      const t = setTimeout(() => {
        pending.delete(id);
        reject(new MeasurementError(`no reply to ${String(body.cmd)} within ${timeoutMs} ms: ${describeDeath()}`, { where, hint: 'the generator hangs; the session is closed' }));
        void close();
      }, timeoutMs);
      pending.set(id, {
        resolve: (l) => {
          clearTimeout(t);
          resolve(l);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      proc.write(JSON.stringify({ ...body, id }) + '\n').catch(() => undefined); // a dead pipe shows as exit
    });
  };

  let queue: Promise<unknown> = Promise.resolve();
  let lastReply: TrialReply | undefined;
  const tuning = opts.tuning ?? {};

  const runTrial = async (spec: TrialSpec, signal?: AbortSignal): Promise<TrialResult> => {
    validateTrial(spec, hello.ports.length, where);
    signal?.throwIfAborted();
    if (closed) throw new MeasurementError('the generator session is closed', { where });
    const id = nextId++;
    const budgetMs = ((spec.warmupS ?? 0) + spec.durationS) * 1000 + (tuning.drainMs ?? 100) + (tuning.linkWaitMs ?? 5000) + 30_000;
    const onAbort = (): void => {
      void proc.write(JSON.stringify({ id: nextId++, cmd: 'abort' }) + '\n').catch(() => undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let line: AnyLine;
    try {
      line = await request(trialRequest(id, spec, tuning), budgetMs);
    } finally {
      signal?.removeEventListener('abort', onAbort);
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
    pid: proc.pid,
    prefix,
    hello,
    measure(spec: TrialSpec, signal?: AbortSignal): Promise<TrialResult> {
      const next = queue.then(() => runTrial(spec, signal));
      queue = next.catch(() => undefined);
      return next;
    },
    measurer(base: Omit<TrialSpec, 'loadPps' | 'durationS'>): Measure {
      return (durationS, loadPps, signal) => session.measure({ ...base, durationS, loadPps }, signal);
    },
    async stats(): Promise<StatsReply> {
      const line = await request({ cmd: 'stats' }, 10_000);
      const parsed = statsReplySchema.safeParse(line);
      if (!parsed.success) throw new MeasurementError(`malformed stats reply: ${JSON.stringify(line).slice(0, 200)}`, { where });
      return parsed.data;
    },
    lastTrialReply: () => lastReply,
    log: () => stderrTail,
    exited: () => proc.exited() ?? exit,
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

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
