/**
 * Transcripts of pktgen sessions: what the driver sent over the Lua socket, what pktgen answered, the
 * session clock's readings and the trial results the driver computed, as JSON lines. Record mode
 * (a TranscriptRecorder hooked into the client and the clock) captures them from the real program;
 * the fake pktgen (fixtures/pktgen/fake-pktgen.ts) replays them, so the driver's tests run against
 * what pktgen really said. The file name carries the version: `pktgen-<version>-<what>.jsonl`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../../../core/errors.ts';
import type { TrialResult, TrialSpec } from '../../../method/trial.ts';
import type { PktgenClock } from './clock.ts';
import type { LuaExchange } from './lua-client.ts';
import type { PortCounterReader, PortCountersByPort } from './port-counters.ts';
import type { LatencyFiles } from './pktgen-session.ts';

export const TRANSCRIPT_FORMAT = 'wirespeed-pktgen-transcript/1';

const header = z.object({
  kind: z.literal('header'),
  format: z.literal(TRANSCRIPT_FORMAT),
  /** pktgen's version, "23.06.1". */
  pktgen: z.string(),
  /**
   * recorded: captured from the real program on this machine; upstream-source: written from
   * upstream's source at the tag (for versions that do not build here), naming what it rests on.
   */
  source: z.enum(['recorded', 'upstream-source']),
  /** How it was made: the command, the datapath, the DUT; or the upstream files read. */
  made: z.string(),
  recordedAt: z.string().optional(),
  dpdk: z.string().optional(),
});

const exchange = z.object({
  kind: z.literal('exchange'),
  id: z.number().int(),
  body: z.string(),
  ok: z.boolean(),
  output: z.string(),
  error: z.string().optional(),
  sentMs: z.number(),
  repliedMs: z.number(),
});

const clock = z.object({ kind: z.literal('clock'), ms: z.number() });
const count = z.number().int().nonnegative();
const portCounters = z.object({ ipackets: count, opackets: count, oerrors: count, rxDropped: count, obytes: count.optional() });
/** One read of pktgen's port counters (DPDK telemetry), port id → counters. */
const counters = z.object({ kind: z.literal('counters'), ports: z.record(z.string(), portCounters) });
/** A latency sampler file pktgen wrote for a port in a trial: where, and what it held. */
const fileEntry = z.object({ kind: z.literal('file'), port: z.number().int(), trial: z.number().int(), path: z.string(), content: z.string() });
/** A failover event injected during the trial (record-transcripts.ts --failover): what, and when on the wall clock (ms, as result.startedAt). */
const injectedEvent = z.object({ what: z.string(), startMs: z.number(), endMs: z.number() });
const trial = z.object({ kind: z.literal('trial'), spec: z.unknown(), result: z.unknown(), event: injectedEvent.optional() });
const entry = z.discriminatedUnion('kind', [header, exchange, clock, counters, fileEntry, trial]);

export type TranscriptHeader = z.infer<typeof header>;
export type TranscriptExchange = z.infer<typeof exchange>;
export type TranscriptEntry = z.infer<typeof entry>;

export interface Transcript {
  readonly file: string;
  readonly header: TranscriptHeader;
  readonly exchanges: readonly TranscriptExchange[];
  readonly clock: readonly number[];
  readonly counters: readonly PortCountersByPort[];
  readonly files: readonly z.infer<typeof fileEntry>[];
  readonly trials: readonly { readonly spec: TrialSpec; readonly result: TrialResult; readonly event?: z.infer<typeof injectedEvent> }[];
}

/** Read and check a transcript; ConfigError with file:line on a bad line. */
export function readTranscript(file: string): Transcript {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim().length > 0);
  const entries = lines.map((l, i) => {
    let v: unknown;
    try {
      v = JSON.parse(l);
    } catch (e) {
      throw new ConfigError(`not JSON: ${(e as Error).message}`, { where: `${file}:${i + 1}` });
    }
    const r = entry.safeParse(v);
    if (!r.success) throw new ConfigError(`not a transcript entry: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`, { where: `${file}:${i + 1}` });
    return r.data;
  });
  const first = entries[0];
  if (!first || first.kind !== 'header') throw new ConfigError('the first line must be the header', { where: `${file}:1`, hint: `{"kind":"header","format":"${TRANSCRIPT_FORMAT}",…}` });
  return {
    file,
    header: first,
    exchanges: entries.filter((e): e is TranscriptExchange => e.kind === 'exchange'),
    clock: entries.flatMap((e) => (e.kind === 'clock' ? [e.ms] : [])),
    counters: entries.flatMap((e) => (e.kind === 'counters' ? [new Map(Object.entries(e.ports).map(([k, v]) => [Number(k), v] as const))] : [])),
    files: entries.filter((e): e is z.infer<typeof fileEntry> => e.kind === 'file'),
    trials: entries.flatMap((e) => (e.kind === 'trial' ? [{ spec: e.spec as TrialSpec, result: e.result as TrialResult, ...(e.event === undefined ? {} : { event: e.event }) }] : [])),
  };
}

/** Collects a live session: hook `exchange` into the Lua client and use `clock` as the session's clock. */
export class TranscriptRecorder {
  readonly #entries: TranscriptEntry[] = [];
  readonly clock: PktgenClock;

  constructor(h: Omit<TranscriptHeader, 'kind' | 'format'>, inner: PktgenClock) {
    this.#entries.push({ kind: 'header', format: TRANSCRIPT_FORMAT, ...h });
    this.clock = {
      now: () => {
        const ms = inner.now();
        this.#entries.push({ kind: 'clock', ms });
        return ms;
      },
      sleep: (ms, signal) => inner.sleep(ms, signal),
    };
  }

  readonly exchange = (e: LuaExchange): void => {
    this.#entries.push({ kind: 'exchange', id: e.id, body: e.body, ok: e.ok, output: e.output, ...(e.error === undefined ? {} : { error: e.error }), sentMs: e.sentMs, repliedMs: e.repliedMs });
  };

  /** The counter reader the session uses, recording every read. */
  counters(inner: PortCounterReader): PortCounterReader {
    return {
      read: async (ports) => {
        const r = await inner.read(ports);
        this.#entries.push({ kind: 'counters', ports: Object.fromEntries([...r].map(([p, c]) => [String(p), { ...c }])) });
        return r;
      },
    };
  }

  /** The latency files the session uses, recording every file read with its port and trial. */
  latencyFiles(inner: LatencyFiles): LatencyFiles {
    const of = new Map<string, { port: number; trial: number }>();
    return {
      path: (port, trial) => {
        const p = inner.path(port, trial);
        of.set(p, { port, trial });
        return p;
      },
      read: async (path) => {
        const content = await inner.read(path);
        const at = of.get(path) ?? { port: -1, trial: -1 };
        this.#entries.push({ kind: 'file', ...at, path, content });
        return content;
      },
      remove: (paths) => inner.remove(paths),
    };
  }

  trial(spec: TrialSpec, result: TrialResult, event?: z.infer<typeof injectedEvent>): void {
    this.#entries.push({ kind: 'trial', spec, result, ...(event === undefined ? {} : { event }) });
  }

  /** The header's pktgen version, once known (it is read from pktgen at open). */
  setVersion(pktgen: string, dpdk?: string): void {
    const h = this.#entries[0] as TranscriptHeader;
    this.#entries[0] = { ...h, pktgen, ...(dpdk === undefined ? {} : { dpdk }) };
  }

  save(file: string): void {
    writeFileSync(file, this.#entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
  }
}

/** A counter reader that returns a transcript's reads in order. */
export function replayCounters(t: Transcript): PortCounterReader & { readonly used: () => number } {
  let i = 0;
  return {
    read: async (ports) => {
      const r = t.counters[i];
      if (r === undefined) throw new ConfigError(`the session read counters more often (${i + 1}) than it did when recorded (${t.counters.length})`, { where: t.file, hint: 'the driver changed since the recording: record the transcript again' });
      i++;
      for (const p of ports) if (!r.has(p)) throw new ConfigError(`counter read ${i} of the recording has no port ${p}`, { where: t.file, hint: 'the driver changed since the recording: record the transcript again' });
      return r;
    },
    used: () => i,
  };
}

/** Latency files as recorded: the same paths (they are in the Lua requests) and contents. */
export function replayLatencyFiles(t: Transcript): LatencyFiles {
  return {
    path: (port, trial) => {
      const f = t.files.find((x) => x.port === port && x.trial === trial);
      if (!f) throw new ConfigError(`the recording has no latency file of port ${port} in trial ${trial}`, { where: t.file, hint: 'the driver changed since the recording: record the transcript again' });
      return f.path;
    },
    read: async (path) => {
      const f = t.files.find((x) => x.path === path);
      if (!f) throw new ConfigError(`the recording has no latency file ${path}`, { where: t.file });
      return f.content;
    },
    remove: async () => undefined,
  };
}

/** A clock that returns a transcript's readings in order and does not wait: a replayed session computes what the live one did. */
export function replayClock(t: Transcript): PktgenClock & { readonly used: () => number } {
  let i = 0;
  return {
    now: () => {
      const ms = t.clock[i];
      if (ms === undefined) throw new ConfigError(`the session read the clock more often (${i + 1}) than it did when recorded (${t.clock.length})`, { where: t.file, hint: 'the driver changed since the recording: record the transcript again' });
      i++;
      return ms;
    },
    sleep: (_ms, signal) => (signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve()),
    used: () => i,
  };
}
