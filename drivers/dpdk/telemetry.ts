/**
 * Client for the telemetry socket of any DPDK process (`dpdk_telemetry.v2`, AF_UNIX SOCK_SEQPACKET).
 * Node's `net` cannot open SEQPACKET, so a small persistent python3 helper (python3 is a dependency of
 * the dpdk package) bridges it to JSON lines; it runs through a Shell, so it works locally, in a
 * network namespace or over SSH alike. One helper per DPDK process, kept for the whole session.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TransportError } from '../../core/errors.ts';
import { RequestPeer } from '../shell/request-peer.ts';
import type { Shell, SpawnedProcess } from '../shell/shell.ts';

const HELPER_SOURCE = readFileSync(new URL('./telemetry-helper.py', import.meta.url), 'utf8');

/** Path of a DPDK process's telemetry socket, from its runtime base directory and file prefix. */
export function telemetrySocketPath(runtimeBaseDir: string, filePrefix: string): string {
  return `${runtimeBaseDir.replace(/\/+$/, '')}/dpdk/${filePrefix}/dpdk_telemetry.v2`;
}

const count = z.number().int().nonnegative();

/** What the server sends on connect. */
export const telemetryBanner = z.object({
  version: z.string(),
  pid: z.number().int(),
  max_output_len: z.number().int().positive(),
});
export type TelemetryBanner = z.infer<typeof telemetryBanner>;

export const ethdevList = z.array(z.number().int().nonnegative());

/**
 * `/ethdev/stats,N`. Up to DPDK 25.07 it also carries q_* arrays (16 entries); 25.11 removed them,
 * so they are optional.
 */
export const ethdevStats = z.object({
  ipackets: count,
  opackets: count,
  ibytes: count,
  obytes: count,
  imissed: count,
  ierrors: count,
  oerrors: count,
  rx_nombuf: count,
  q_ipackets: z.array(count).optional(),
  q_opackets: z.array(count).optional(),
  q_ibytes: z.array(count).optional(),
  q_obytes: z.array(count).optional(),
  q_errors: z.array(count).optional(),
});
export type EthdevStats = z.infer<typeof ethdevStats>;

/** `/ethdev/xstats,N`: driver-specific counter names to values. */
export const ethdevXstats = z.record(z.string(), count);
export type EthdevXstats = z.infer<typeof ethdevXstats>;

/** `/ethdev/info,N`: the fields we use are typed; the rest passes through. */
export const ethdevInfo = z.looseObject({
  name: z.string(),
  port_id: z.number().int().nonnegative(),
  state: z.number().int().optional(),
  nb_rx_queues: z.number().int().nonnegative(),
  nb_tx_queues: z.number().int().nonnegative(),
  mtu: z.number().int().optional(),
  mac_addr: z.string().optional(),
  promiscuous: z.number().int().optional(),
  dev_started: z.number().int().optional(),
  rx_offloads: z.number().int().optional(),
  tx_offloads: z.number().int().optional(),
});
export type EthdevInfo = z.infer<typeof ethdevInfo>;

const helperLine = z.union([
  z.object({ banner: z.unknown() }),
  z.object({ id: z.number().int(), reply: z.unknown() }),
  z.object({ id: z.number().int().optional(), error: z.object({ code: z.string(), message: z.string() }) }),
]);

/**
 * The data of a telemetry reply `{"<cmd>": <data>}` for a request `<cmd>[,<params>]`, checked with `schema`.
 * The server answers `null` for an unknown command and for a handler error (such as a port id that does not exist).
 */
export function parseReply<T>(request: string, reply: unknown, schema: z.ZodType<T>, where: string): T {
  const cmd = request.split(',', 1)[0] ?? request;
  if (typeof reply !== 'object' || reply === null || !(cmd in reply)) {
    throw new TransportError(`telemetry reply to ${request} has no "${cmd}" key: ${JSON.stringify(reply).slice(0, 200)}`, {
      where,
      hint: 'the process may not be a DPDK telemetry v2 server',
    });
  }
  const data = (reply as Record<string, unknown>)[cmd];
  if (data === null) {
    throw new TransportError(`telemetry command ${request} returned null: unknown command or invalid parameter`, {
      where,
      hint: 'check the port id against /ethdev/list, and the command against "/" (DPDK version differences)',
    });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new TransportError(`telemetry reply to ${request} has an unexpected shape: ${z.prettifyError(parsed.error)}`, {
      where,
      hint: 'the DPDK version may format this command differently; report it with the reply',
    });
  }
  return parsed.data;
}

/** Packet and byte rates of one port between two stats snapshots. */
export interface EthdevRates {
  readonly rxPps: number;
  readonly txPps: number;
  readonly rxBps: number;
  readonly txBps: number;
  /** imissed + ierrors + rx_nombuf + oerrors that happened in the window. */
  readonly dropped: number;
}

/** Rates between two `/ethdev/stats` snapshots taken `intervalS` apart. */
export function ethdevRates(before: EthdevStats, after: EthdevStats, intervalS: number): EthdevRates {
  if (!(intervalS > 0)) throw new RangeError(`intervalS must be > 0, got ${intervalS}`);
  const d = (k: 'ipackets' | 'opackets' | 'ibytes' | 'obytes' | 'imissed' | 'ierrors' | 'oerrors' | 'rx_nombuf') =>
    Math.max(0, after[k] - before[k]);
  return {
    rxPps: d('ipackets') / intervalS,
    txPps: d('opackets') / intervalS,
    rxBps: (d('ibytes') * 8) / intervalS,
    txBps: (d('obytes') * 8) / intervalS,
    dropped: d('imissed') + d('ierrors') + d('rx_nombuf') + d('oerrors'),
  };
}

export interface TelemetryClient extends AsyncDisposable {
  readonly socketPath: string;
  readonly banner: TelemetryBanner;
  /** Any command; returns the reply's data (may be null for unknown commands). */
  raw(request: string): Promise<unknown>;
  ethdevList(): Promise<number[]>;
  ethdevStats(port: number): Promise<EthdevStats>;
  ethdevXstats(port: number): Promise<EthdevXstats>;
  ethdevInfo(port: number): Promise<EthdevInfo>;
  close(): Promise<void>;
}

export interface OpenTelemetryOptions {
  /** Keep retrying while the socket does not exist yet (the process is starting). Default 0. */
  waitMs?: number;
  /** Per-command reply timeout. Default 5000. */
  timeoutMs?: number;
  /** Extra words for error messages, e.g. "l3fwd (dut)". */
  label?: string;
}

/** Connect to the telemetry socket at `socketPath` on `shell`'s node. */
export async function openTelemetry(shell: Shell, socketPath: string, opts: OpenTelemetryOptions = {}): Promise<TelemetryClient> {
  const where = `${opts.label ? `${opts.label} ` : ''}telemetry ${socketPath} on ${shell.name}`;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const waitMs = opts.waitMs ?? 0;
  const hint = 'the DPDK process has probably exited; look at its log';
  // The helper's last error line: it decides which typed error every request gets once the helper is gone.
  let lastError: { code: string; message: string } | undefined;
  let proc: SpawnedProcess | undefined;
  let bannerWaiter: { resolve: (b: unknown) => void; reject: (e: Error) => void } | undefined;

  const peer = new RequestPeer<unknown>({
    where,
    timeoutMs,
    send: (text) => (proc ? proc.write(text) : Promise.reject(new Error('the helper has not started'))),
    classify: (text) => {
      const line = text.trim();
      if (!line) return { kind: 'other' };
      let msg: z.infer<typeof helperLine>;
      try {
        msg = helperLine.parse(JSON.parse(line));
      } catch {
        return { kind: 'other' }; // not ours (e.g. a shell banner); the helper only prints JSON lines
      }
      if ('banner' in msg) {
        bannerWaiter?.resolve(msg.banner);
        bannerWaiter = undefined;
        return { kind: 'other' };
      }
      if ('reply' in msg) return { kind: 'reply', id: msg.id, reply: msg.reply };
      // EPROTO (a reply that is not JSON) spoils one request; every other error line means the helper
      // has lost the socket and exits right after it.
      if (msg.id !== undefined && msg.error.code === 'EPROTO') {
        return { kind: 'reply', id: msg.id, reply: new TransportError(`telemetry: ${msg.error.message}`, { where }) };
      }
      lastError = msg.error;
      return { kind: 'fatal', reason: `${msg.error.code}: ${msg.error.message}` };
    },
    gone: (reason) =>
      lastError ? socketError(lastError.code, lastError.message, where, socketPath) : new TransportError(`telemetry connection is gone: ${reason}`, { where, hint }),
    timedOut: (request, ms) => new TransportError(`no telemetry reply to ${request} within ${ms} ms`, { where }),
  });

  const bannerP = new Promise<unknown>((resolve, reject) => {
    bannerWaiter = { resolve, reject };
  });
  proc = await shell.spawn(['python3', '-u', '-c', HELPER_SOURCE, socketPath, String(waitMs)], {
    onStdout: (chunk) => {
      peer.feed(chunk);
      if (peer.failure) bannerWaiter?.reject(peer.failure);
    },
  });
  const helper = proc;
  void helper.wait().then((exit) => {
    peer.end(`telemetry helper exited (${exit.signal ?? `exit ${exit.exitCode}`})`);
    bannerWaiter?.reject(peer.failure!);
  });

  let banner: TelemetryBanner;
  try {
    const raw = await withTimeout(bannerP, waitMs + timeoutMs, () => new TransportError(`no telemetry banner from ${socketPath}`, { where }));
    const parsed = telemetryBanner.safeParse(raw);
    if (!parsed.success) throw new TransportError(`unexpected telemetry banner: ${JSON.stringify(raw)}`, { where });
    banner = parsed.data;
  } catch (err) {
    await helper.kill(500).catch(() => undefined);
    throw err;
  }

  let closed = false;
  const raw = async (request: string): Promise<unknown> => {
    if (closed) throw new TransportError(`telemetry client is closed (request ${request})`, { where });
    const id = peer.nextId();
    const reply = await peer.request(id, JSON.stringify({ id, cmd: request }) + '\n', request);
    if (reply instanceof TransportError) throw reply;
    return reply;
  };
  const typed = async <T>(request: string, schema: z.ZodType<T>): Promise<T> => parseReply(request, await raw(request), schema, where);

  const close = async () => {
    if (closed) return;
    closed = true;
    helper.endInput();
    const exited = await Promise.race([helper.wait(), delay(1000).then(() => null)]);
    if (!exited) await helper.kill(500);
  };

  return {
    socketPath,
    banner,
    raw: async (request) => {
      const reply = await raw(request);
      const cmd = request.split(',', 1)[0] ?? request;
      return typeof reply === 'object' && reply !== null ? (reply as Record<string, unknown>)[cmd] ?? null : reply;
    },
    ethdevList: () => typed('/ethdev/list', ethdevList),
    ethdevStats: (port) => typed(`/ethdev/stats,${port}`, ethdevStats),
    ethdevXstats: (port) => typed(`/ethdev/xstats,${port}`, ethdevXstats),
    ethdevInfo: (port) => typed(`/ethdev/info,${port}`, ethdevInfo),
    close,
    [Symbol.asyncDispose]: close,
  };
}

function socketError(code: string, message: string, where: string, socketPath: string): TransportError {
  if (code === 'ENOENT') {
    return new TransportError(`telemetry socket ${socketPath} does not exist`, {
      where,
      hint: 'is the DPDK process running with this --file-prefix and RUNTIME_DIRECTORY, and without --no-telemetry?',
    });
  }
  if (code === 'ECONNREFUSED') {
    return new TransportError(`telemetry socket ${socketPath} refused the connection (stale socket file)`, {
      where,
      hint: 'the DPDK process that owned it has exited; remove its runtime directory',
    });
  }
  return new TransportError(`telemetry: ${message}`, { where, hint: 'the DPDK process has probably exited; look at its log' });
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
