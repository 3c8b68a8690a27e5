/**
 * pktgen-dpdk as a GeneratorSession: one pktgen process per session (EAL starts once), driven over its
 * Lua socket (lua-client.ts), its port counters read live from DPDK telemetry (port-counters.ts).
 *
 * One trial, and why:
 *  1. the fields: rate as a percentage of the NEGOTIATED link speed pktgen reads (linkState, after
 *     waiting for link-up), computed the way pktgen paces (trial-plan.ts); one flow is single mode,
 *     several flows range mode with every field l3fwd routes on;
 *  2. `before`: counters while idle and drained;
 *  3. start at a low warm rate. pktgen rebuilds every packet of its pools on each start (it sets
 *     CLEAR_FAST_ALLOC_FLAG in pktgen_start_transmitting), seconds on this VM, and then sends what its
 *     schedule fell behind in one burst; at the warm rate both are harmless and outside the window;
 *  4. once every sending port's counter moves, switch to the trial rate (a rate change rebuilds
 *     nothing), wait one warm period for the new schedule, read `mid`: the window starts there;
 *  5. after the duration, stop; drain; `after`. Every packet from `before` to `after` counts: loss is
 *     requested - received (method/trial.ts), with requested = what was sent, or what the warm phase
 *     sent plus the trial rate times the measured window when pktgen fell behind (it reports no deficit).
 *  With TrialSpec.timelineS, the counters are also read every timelineS through the window: contiguous
 *  bins whose edges are the reads' measured times (DirectionTimeline.live). These are DPDK's live
 *  counters, not pktgen's once-a-second stats snapshot, so the bins can be as short as a read allows.
 *  Latency comes from pktgen's latency sampler (one sample per stamped packet, a file per receiving
 *  port): stamps go out once a second during the warm phase and at the asked rate in the window.
 * Topology: port 0 sends towards DUT p0 and receives on port 1 what the DUT routes back, and the reverse
 * when bidirectional.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, MeasurementError, ProvisionError } from '../../../core/errors.ts';
import type { LatencyHistogram } from '../../../method/histogram.ts';
import { trialFromDirections, type DirectionCounters, type DirectionTimeline, type Measure, type TrafficProfile, type TrialResult, type TrialSpec } from '../../../method/trial.ts';
import type { GeneratorInfo, GeneratorNeed, GeneratorSession } from '../traffic-generator.ts';
import { realClock, type PktgenClock } from './clock.ts';
import { latencyHistogram, MAX_LATENCY_SAMPLES } from './latency-samples.ts';
import { luaString, type PktgenLuaClient } from './lua-client.ts';
import type { PortCounterReader, PortCountersByPort } from './port-counters.ts';
import { checkSupported, parsePktgenVersion, pktgenFeatures, type PktgenFeatures } from './pktgen-version.ts';
import { portSetupLua, ratePercent, sendingPorts, trialRates, trialSetupLua, type PktgenPortConfig } from './trial-plan.ts';

export type { PktgenPortConfig } from './trial-plan.ts';

/** wirespeed's Lua helpers (wsp_json, wsp_out), defined once per session. */
export const HELPERS_LUA = readFileSync(new URL('./wsp-helpers.lua', import.meta.url), 'utf8');

/** Where the latency sampler's files go on the generator node, and how to read them back. */
export interface LatencyFiles {
  /** Path (on the generator node, as pktgen sees it) for the samples port `port` receives in trial `trial`. */
  path(port: number, trial: number): string;
  read(path: string): Promise<string>;
  remove(paths: readonly string[]): Promise<void>;
}

export interface PktgenSessionOptions {
  readonly client: PktgenLuaClient;
  /** Live port counters of this pktgen (its DPDK telemetry). */
  readonly counters: PortCounterReader;
  /** Exactly two ports: 0 and 1. */
  readonly ports: readonly [PktgenPortConfig, PktgenPortConfig];
  /** After stop, before counters are read: packets still in flight arrive (default 500 ms). */
  readonly drainMs?: number;
  /** How long the links may take to come up (default 15 s). */
  readonly linkWaitMs?: number;
  /** How long pktgen may take from start to its first packet (rebuilding its pools; default 60 s). */
  readonly startSendingMs?: number;
  readonly clock?: PktgenClock;
  /** Without it the session has no latency capability. */
  readonly latencyFiles?: LatencyFiles;
  /** The IMIX pcap pktgen loaded at start (start-pktgen.ts): the one mix, with its flows, it can send. Without it, no IMIX. */
  readonly imix?: LoadedImix;
  /** Called on close (stop the pktgen process, clean up). */
  readonly onClose?: () => Promise<void>;
}

/** An IMIX pcap loaded at start: the profile's name, its flows, and the frame size pktgen paces it by (imix-pcap.ts). */
export interface LoadedImix {
  readonly name: string;
  readonly flows: number;
  readonly frameBytes: number;
  /** Why the pcap was not written for the run's flow count (too many for pktgen's pcap pool), if so. */
  readonly otherFlows?: string;
}

/** An optional capability: null when present, else why not. */
export type Absent = { readonly reason: string } | null;

export interface PktgenCapabilities {
  /** A stamped latency stream with a full histogram. */
  readonly latency: Absent;
  /** An IMIX profile in one trial. */
  readonly imix: Absent;
}

/** What a trial read, for records and debugging. */
export interface PktgenTrialDetail {
  /** The window at the trial rate that sets what is due: from the `mid` read to the end of the duration. */
  readonly windowS: number;
  /**
   * The span every counted packet was sent in, and the trial's actualDurationS: from the rate change
   * (before it only the warm phase's few bursts) to the stop having taken effect. It also holds the
   * first bursts before `mid` and the grace after the window, so rates over it are never overstated;
   * over windowS alone they read 10-30 % high.
   */
  readonly sendingS: number;
  /** After the window, until pktgen had sent what was due in it (or the grace ran out) and was stopped. */
  readonly graceS: number;
  /** From start to the first packet of every sending port (pool rebuild). */
  readonly rebuildS: number;
  readonly before: PortCountersByPort;
  readonly mid: PortCountersByPort;
  readonly after: PortCountersByPort;
  /** With a timeline: the reads from `mid` to the window's end, ms on the session clock (the middle of each read). */
  readonly bins?: readonly { readonly atMs: number; readonly counters: PortCountersByPort }[];
  /** The session clock at `mid` and at `after` (ms), for the timeline's edges. */
  readonly midAtMs?: number;
  readonly sendingAtMs?: number;
  readonly afterAtMs?: number;
  readonly ratePercent: readonly number[];
}

const POLL_MS = 20;
/** The shortest timeline bin: a counter read takes a few ms here (telemetry through a helper), more over SSH. */
export const MIN_BIN_S = 0.02;
/** Warm-phase rate per port: low enough that the burst after the pool rebuild is harmless. */
const WARM_PPS = 2000;
/** pktgen sends bursts of this many packets (its default tx_burst; the session sets it). */
export const TX_BURST = 64;
/** How long after the window pktgen may take to send what was due in it (its catch-up after a stall). */
const FINISH_GRACE_MS = 100;
/** Stamps per second while warming: the fewest pktgen allows (latency rate 1,000,000 us). */
const WARM_LATENCY_US = 1_000_000;

export class PktgenSession implements GeneratorSession {
  readonly info: GeneratorInfo;
  readonly features: PktgenFeatures;
  readonly capabilities: PktgenCapabilities;
  /** Negotiated link speed per port, Mb/s. */
  readonly linkMbps: readonly number[];
  readonly #o: PktgenSessionOptions;
  readonly #clock: PktgenClock;
  readonly #where: string;
  #trials = 0;
  #last: PktgenTrialDetail | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed: Promise<void> | undefined;

  private constructor(o: PktgenSessionOptions, features: PktgenFeatures, linkMbps: number[]) {
    this.#o = o;
    this.#clock = o.clock ?? realClock;
    this.features = features;
    this.linkMbps = linkMbps;
    this.info = { name: 'pktgen-dpdk', version: features.version.text };
    this.#where = `pktgen ${features.version.text} (${o.client.where})`;
    this.capabilities = {
      latency: !features.latencyRate
        ? { reason: `pktgen ${features.version.text} cannot set its latency stamp rate from Lua (pktgen.latency takes two arguments before 23.06)` }
        : o.latencyFiles
          ? null
          : { reason: 'the pktgen session has no place to read latency sampler files from' },
      imix: o.imix ? null : { reason: 'pktgen sends one frame size per stream; an IMIX needs its pcap loaded at start (-s), and this pktgen was started without one' },
    };
  }

  /** Talk to a running pktgen: helpers, version, link-up with speeds, the fixed packet fields. */
  static async open(o: PktgenSessionOptions): Promise<PktgenSession> {
    const c = o.client;
    const clock = o.clock ?? realClock;
    await c.call(HELPERS_LUA);
    // The screen redraws itself many times a second through the pty: nobody watches it.
    await c.call('pktgen.screen("off")');
    const versionText = JSON.parse(await c.call('wsp_out(pktgen.info.Pktgen_Version)')) as unknown;
    if (typeof versionText !== 'string') throw new ProvisionError(`pktgen.info.Pktgen_Version is not a string: ${JSON.stringify(versionText)}`, { where: c.where });
    const features = pktgenFeatures(parsePktgenVersion(versionText));
    checkSupported(features, c.where);
    const linkMbps = await waitForLinks(c, clock, o.linkWaitMs ?? 15_000);
    for (const [i, p] of o.ports.entries()) await c.call(portSetupLua(i, p));
    return new PktgenSession(o, features, linkMbps);
  }

  /** Why pktgen cannot serve a scenario's profile or latency mode (the suites skip with it), or null. */
  whyNot(need: GeneratorNeed): string | null {
    if (need.profile.kind !== 'fixed') {
      const loaded = this.#o.imix;
      if (!loaded) return `${need.profile.name}: ${this.capabilities.imix?.reason ?? 'no IMIX pcap loaded'}`;
      if (loaded.name !== need.profile.name) return `${need.profile.name}: pktgen sends the IMIX whose pcap it loaded at start, ${loaded.name}`;
      if (need.flows !== undefined && need.flows !== loaded.flows) {
        return `${need.profile.name} with ${need.flows} flows: ${loaded.otherFlows ?? `pktgen's IMIX pcap was written at start with ${loaded.flows} flow${loaded.flows === 1 ? '' : 's'}`}`;
      }
    }
    if (need.latency === 'all') return 'pktgen stamps a separate low-rate stream, not every packet (latency: { streamPps })';
    if (need.latency && this.capabilities.latency) return this.capabilities.latency.reason;
    return null;
  }

  /** The frame size pktgen paces `profile` by: the fixed size, or the mean frame of its IMIX pcap. */
  pacedFrameBytes(profile: TrafficProfile): number {
    if (profile.kind === 'fixed') return profile.frameBytes;
    const why = this.whyNot({ profile });
    if (why !== null) throw new ConfigError(why, { where: this.#where, hint: 'the suites ask whyNot first and skip with its reason' });
    return this.#o.imix!.frameBytes;
  }

  /** Details of the last trial. */
  lastTrial(): PktgenTrialDetail | undefined {
    return this.#last;
  }

  measure(spec: TrialSpec, signal?: AbortSignal): Promise<TrialResult> {
    const run = this.#queue.then(() => this.#measure(spec, signal));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** A trial that calls `opened` when the counted window opens (after the pool rebuild and the rate change). */
  measureOpened(spec: TrialSpec, opened: () => void, signal?: AbortSignal): Promise<TrialResult> {
    const run = this.#queue.then(() => this.#measure(spec, signal, opened));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  measurer(base: Omit<TrialSpec, 'loadPps' | 'durationS'>): Measure {
    return (durationS, loadPps, signal) => this.measure({ ...base, durationS, loadPps }, signal);
  }

  async #measure(spec: TrialSpec, signal?: AbortSignal, opened?: () => void): Promise<TrialResult> {
    if (this.#closed) throw new MeasurementError('the pktgen session is closed', { where: this.#where });
    signal?.throwIfAborted();
    if (spec.profile.kind !== 'fixed') {
      const why = this.whyNot({ profile: spec.profile, flows: spec.flows });
      if (why !== null) throw new ConfigError(why, { where: this.#where, hint: 'ask whyNot before asking for it (the suites skip with its reason)' });
    }
    if (spec.latency === 'all') {
      throw new ConfigError('pktgen stamps a separate low-rate stream, not every packet', { where: this.#where, hint: 'ask for latency: { streamPps }' });
    }
    if (spec.latency && this.capabilities.latency) throw new ConfigError(`latency: ${this.capabilities.latency.reason}`, { where: this.#where });
    if (!(spec.durationS > 0)) throw new ConfigError(`trial duration ${spec.durationS} s is not positive`, { where: this.#where });
    if (spec.timelineS !== undefined && !(spec.timelineS >= MIN_BIN_S && spec.timelineS <= spec.durationS)) {
      throw new ConfigError(`timeline bins of ${spec.timelineS} s over ${spec.durationS} s`, {
        where: this.#where,
        hint: `pktgen's bins are reads of its live counters: at least ${MIN_BIN_S} s each, and no longer than the trial`,
      });
    }
    const c = this.#o.client;
    const clock = this.#clock;
    const trial = ++this.#trials;
    const frame = this.pacedFrameBytes(spec.profile);
    const ports = sendingPorts(spec);
    const receiving = ports.map((p) => 1 - p);
    const all = [0, 1];
    const rates = trialRates(spec, frame, this.linkMbps, this.#where);
    const perPortPps = spec.loadPps / ports.length;
    const warmPps = Math.min(WARM_PPS, perPortPps);
    const warmRates = ports.map((p) => ratePercent(warmPps, frame, this.linkMbps[p]!));
    const list = (ps: readonly number[]) => luaString(ps.join(','));
    await c.call(trialSetupLua({ ports, config: this.#o.ports, frameBytes: spec.profile.kind === 'fixed' ? frame : 'pcap', ratePercent: warmRates, flows: spec.flows, pcapLoaded: this.#o.imix !== undefined }));

    const drainMs = this.#o.drainMs ?? 500;
    if (spec.warmupS && spec.warmupS > 0) await this.#warmup(ports, rates, spec.warmupS, drainMs, signal);

    const latencyPaths = spec.latency ? await this.#latencyOn(ports, receiving, spec.durationS, spec.latency.streamPps, trial) : [];
    try {
      const before = await this.#o.counters.read(all);
      const startAsked = clock.now();
      await c.call(`pktgen.start(${list(ports)})`);
      let mid: PortCountersByPort;
      let midAt: number;
      let bins: { atMs: number; counters: PortCountersByPort }[] | undefined;
      let stopAsked: number;
      let windowEnd: number;
      let sendingAt = startAsked;
      try {
        await this.#firstPackets(ports, before, signal);
        sendingAt = clock.now();
        // The trial rate (and stamp rate) from here; pktgen keeps its burst schedule, so the first
        // burst at the new rate comes within one warm period.
        await c.call([...ports.map((p, i) => `pktgen.set(${luaString(String(p))}, "rate", ${luaString(rates[i]!.toPrecision(12))})`), ...(spec.latency ? [`pktgen.latency(${list(ports)}, "rate", ${latencyRateUs(spec.latency.streamPps)})`] : [])].join('\n'));
        await clock.sleep(Math.ceil(((TX_BURST / warmPps) * 1000) + POLL_MS), signal);
        if (spec.timelineS === undefined) {
          mid = await this.#o.counters.read(ports);
          midAt = clock.now();
          opened?.();
          await clock.sleep(spec.durationS * 1000, signal);
        } else {
          // Every port: a bin needs the receiving side too. The edge is the middle of the read.
          const asked = clock.now();
          mid = await this.#o.counters.read(all);
          midAt = clock.now();
          opened?.();
          bins = [{ atMs: (asked + midAt) / 2, counters: mid }, ...(await this.#readBins(all, (asked + midAt) / 2, spec.durationS, spec.timelineS, signal))];
        }
        windowEnd = clock.now();
        await this.#finishWindow(ports, dueAt(ports, before, mid, perPortPps, (windowEnd - midAt) / 1000), signal);
      } finally {
        stopAsked = clock.now();
        await c.call(`pktgen.stop(${list(ports)})`);
      }
      const stopped = clock.now();
      // The wall clock at the same moment: startedAt is the wall time of sendingAt (failover times its event against it).
      const stoppedWallMs = performance.timeOrigin + performance.now();
      await clock.sleep(drainMs, signal);
      const after = await this.#o.counters.read(all);
      const afterAt = bins ? clock.now() : undefined;
      const latency = latencyPaths.length > 0 ? await this.#latencyOff(ports, receiving, latencyPaths) : undefined;
      const detail: PktgenTrialDetail = {
        windowS: (windowEnd - midAt) / 1000,
        sendingS: (stopped - sendingAt) / 1000,
        graceS: (stopAsked - windowEnd) / 1000,
        rebuildS: (sendingAt - startAsked) / 1000,
        before,
        mid,
        after,
        ratePercent: rates,
        ...(bins ? { bins, midAtMs: bins[0]!.atMs, sendingAtMs: sendingAt, afterAtMs: afterAt! } : {}),
      };
      this.#last = detail;
      return this.#result(spec, detail, ports, latency, stoppedWallMs);
    } finally {
      if (latencyPaths.length > 0) await this.#o.latencyFiles?.remove(latencyPaths).catch(() => undefined);
    }
  }

  /**
   * Reads of every port's counters every binS from `fromMs` until durationS has passed: the first entry
   * is the `mid` read at fromMs. Each read is timed at its middle. A read that comes late (the event
   * loop was busy) makes its bin longer, never a gap: the bins stay contiguous.
   */
  async #readBins(ports: readonly number[], fromMs: number, durationS: number, binS: number, signal?: AbortSignal): Promise<{ atMs: number; counters: PortCountersByPort }[]> {
    const clock = this.#clock;
    const endMs = fromMs + durationS * 1000;
    const reads: { atMs: number; counters: PortCountersByPort }[] = [];
    for (let k = 1; ; k++) {
      const dueMs = Math.min(endMs, fromMs + k * binS * 1000);
      const now = clock.now();
      if (dueMs > now) await clock.sleep(dueMs - now, signal);
      const asked = clock.now();
      const counters = await this.#o.counters.read(ports);
      reads.push({ atMs: (asked + clock.now()) / 2, counters });
      if (dueMs >= endMs) return reads;
    }
  }

  /** Wait until every sending port's counter has moved past `before` (pktgen has rebuilt its pools). */
  async #firstPackets(ports: readonly number[], before: PortCountersByPort, signal?: AbortSignal): Promise<void> {
    const limitMs = this.#o.startSendingMs ?? 60_000;
    const t0 = this.#clock.now();
    for (;;) {
      const now = await this.#o.counters.read(ports);
      if (ports.every((p) => now.get(p)!.opackets > before.get(p)!.opackets)) return;
      if (this.#clock.now() - t0 >= limitMs) {
        throw new MeasurementError(`pktgen did not send within ${limitMs} ms of start`, {
          where: this.#where,
          hint: 'pktgen rebuilds its packet pools on every start; a worker lcore without CPU time, or a TX ring that never drains (DUT down) keeps it there',
        });
      }
      await this.#clock.sleep(POLL_MS, signal);
    }
  }

  /**
   * pktgen falls behind its schedule whenever its worker is off the CPU (on this VM, for milliseconds,
   * often) and catches up by sending the backlog at once; stopping it the moment the window ends would
   * drop the backlog of the last stall and count it as loss. So the window ends like the local
   * generator's (its finish_window): what was due in the window is sent before the stop, with a grace
   * of FINISH_GRACE_MS; what is still missing then is pktgen's deficit.
   */
  async #finishWindow(ports: readonly number[], due: ReadonlyMap<number, number>, signal?: AbortSignal): Promise<void> {
    const t0 = this.#clock.now();
    for (;;) {
      const now = await this.#o.counters.read(ports);
      if (ports.every((p) => now.get(p)!.opackets + now.get(p)!.oerrors >= due.get(p)!)) return;
      if (this.#clock.now() - t0 >= FINISH_GRACE_MS) return;
      await this.#clock.sleep(5, signal);
    }
  }

  /** A warm-up at the trial rate before the counted trial (its own start and stop). */
  async #warmup(ports: readonly number[], rates: readonly number[], warmupS: number, drainMs: number, signal?: AbortSignal): Promise<void> {
    const c = this.#o.client;
    const list = luaString(ports.join(','));
    const before = await this.#o.counters.read(ports);
    await c.call(`pktgen.start(${list})`);
    try {
      await this.#firstPackets(ports, before, signal);
      await c.call(ports.map((p, i) => `pktgen.set(${luaString(String(p))}, "rate", ${luaString(rates[i]!.toPrecision(12))})`).join('\n'));
      await this.#clock.sleep(warmupS * 1000, signal);
    } finally {
      await c.call(`pktgen.stop(${list})`);
    }
    await this.#clock.sleep(drainMs, signal);
  }

  #result(spec: TrialSpec, d: PktgenTrialDetail, ports: readonly number[], latency: LatencyHistogram | undefined, stoppedWallMs: number): TrialResult {
    const perPortPps = spec.loadPps / ports.length;
    const delta = (p: number, k: 'ipackets' | 'opackets' | 'oerrors', from: PortCountersByPort, to: PortCountersByPort): number => {
      const a = from.get(p);
      const b = to.get(p);
      if (!a || !b) throw new MeasurementError(`no counters for port ${p}`, { where: this.#where });
      if (b[k] < a[k]) throw new MeasurementError(`port ${p} ${k} went backwards (${a[k]} -> ${b[k]}): was the port reset?`, { where: this.#where });
      return b[k] - a[k];
    };
    const due = dueAt(ports, d.before, d.mid, perPortPps, d.windowS);
    const directions: DirectionCounters[] = ports.map((p) => {
      const sent = delta(p, 'opackets', d.before, d.after);
      const unsent = delta(p, 'oerrors', d.before, d.after);
      const attempted = sent + unsent;
      return {
        name: `p${p}->p${1 - p}`,
        requested: Math.max(attempted, due.get(p)!),
        attempted,
        sent,
        unsent,
        received: delta(1 - p, 'ipackets', d.before, d.after),
        reordered: 0,
        duplicated: 0,
        ...(spec.timelineS === undefined ? {} : { timeline: liveTimeline(p, spec.timelineS, perPortPps, d) }),
      };
    });
    const startedAt = new Date(stoppedWallMs - d.sendingS * 1000).toISOString();
    return trialFromDirections(spec, { startedAt, actualDurationS: d.sendingS }, directions, this.#where, latency);
  }

  /**
   * Latency on (before start: enabling it and the sampler rebuilds pktgen's pools): stamps on every
   * port (a receiver checks stamps only with latency on), once a second until the window starts, the
   * sampler on the receiving ports. Returns the sample files.
   */
  async #latencyOn(sending: readonly number[], receiving: readonly number[], durationS: number, streamPps: number, trial: number): Promise<string[]> {
    const files = this.#o.latencyFiles!;
    const rateUs = latencyRateUs(streamPps);
    const samples = Math.min(MAX_LATENCY_SAMPLES, Math.ceil((1e6 / rateUs) * (durationS + 2) * 1.2) + 100);
    // The sampler takes at most `rate` samples a second: ten times the stream keeps every stamped packet.
    const sampleHz = Math.ceil((1e6 / rateUs) * 10);
    const paths = receiving.map((p) => files.path(p, trial));
    const both = luaString([...new Set([...sending, ...receiving])].sort().join(','));
    const lines = [`pktgen.latency(${both}, "rate", ${WARM_LATENCY_US})`, `pktgen.latency(${both}, "enable")`];
    receiving.forEach((p, i) => {
      const pl = luaString(String(p));
      lines.push(`pktgen.latsampler_params(${pl}, "simple", ${samples}, ${sampleHz}, ${luaString(paths[i]!)})`, `pktgen.latsampler(${pl}, "on")`);
    });
    await this.#o.client.call(lines.join('\n'));
    return paths;
  }

  /** Sampler off (that writes its files), latency off; the histogram of every sample. */
  async #latencyOff(sending: readonly number[], receiving: readonly number[], paths: readonly string[]): Promise<LatencyHistogram> {
    const both = luaString([...new Set([...sending, ...receiving])].sort().join(','));
    await this.#o.client.call([...receiving.map((p) => `pktgen.latsampler(${luaString(String(p))}, "off")`), `pktgen.latency(${both}, "disable")`].join('\n'));
    const texts = await Promise.all(paths.map((p) => this.#o.latencyFiles!.read(p)));
    return latencyHistogram(texts);
  }

  async close(): Promise<void> {
    this.#closed ??= (async () => {
      try {
        await this.#queue;
        if (!this.#o.client.failure) await this.#o.client.call('pktgen.stop("all")', 5000).catch(() => undefined);
      } finally {
        await this.#o.onClose?.();
      }
    })();
    return this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Packets due per sending port: what it sent before the window (warm phase and the first bursts at the
 * trial rate) plus the whole bursts the trial rate fits in the window. pktgen reports no deficit, so
 * this is what counts as requested when it sent less (method/trial.ts: everything requested and not
 * received is loss). Whole bursts: pktgen sends TX_BURST packets at a time, so a window holds
 * floor(W x rate / burst) of them at least, whatever its phase.
 */
export function dueAt(ports: readonly number[], before: PortCountersByPort, mid: PortCountersByPort, perPortPps: number, windowS: number): Map<number, number> {
  const inWindow = Math.floor((perPortPps * windowS) / TX_BURST) * TX_BURST;
  return new Map(
    ports.map((p) => {
      const b = before.get(p)!;
      const m = mid.get(p)!;
      return [p, m.opackets - b.opackets + (m.oerrors - b.oerrors) + inWindow] as const;
    }),
  );
}

/**
 * Direction p -> 1-p in the bins the session read: sent by port p, received by port 1-p, edges from
 * sendingAt (the trial's startedAt). The last bin runs from the window's end to the `after` read: the
 * grace and the drain, where nothing is due and the packets in flight arrive.
 */
export function liveTimeline(p: number, binS: number, perPortPps: number, d: PktgenTrialDetail): DirectionTimeline {
  const reads = [...d.bins!, { atMs: d.afterAtMs!, counters: d.after }];
  const sent = (c: PortCountersByPort) => c.get(p)!.opackets + c.get(p)!.oerrors;
  const got = (c: PortCountersByPort) => c.get(1 - p)!.ipackets;
  const edgesS = reads.map((r) => (r.atMs - d.sendingAtMs!) / 1000);
  const bins = reads.slice(1).map((r, i) => ({ from: reads[i]!, to: r, last: i === reads.length - 2 }));
  return {
    binS,
    attempted: bins.map((b) => sent(b.to.counters) - sent(b.from.counters)),
    received: bins.map((b) => got(b.to.counters) - got(b.from.counters)),
    live: {
      edgesS,
      due: bins.map((b) => (b.last ? 0 : Math.round((perPortPps * (b.to.atMs - b.from.atMs)) / 1000))),
      // A burst may land either side of each edge: pktgen sends, and DPDK receives, TX_BURST at a time.
      slackPackets: 2 * TX_BURST,
    },
  };
}

/** pktgen's stamp interval for a stream rate: whole microseconds, at least 1, at most 1 s. */
export function latencyRateUs(streamPps: number): number {
  return Math.min(WARM_LATENCY_US, Math.max(1, Math.round(1e6 / streamPps)));
}

/** Wait until every port's link is up; returns the speeds (Mb/s) by port. */
async function waitForLinks(c: PktgenLuaClient, clock: PktgenClock, waitMs: number): Promise<number[]> {
  const t0 = clock.now();
  for (;;) {
    const states = parseJson(await c.call('wsp_out(pktgen.linkState("all"))'), 'linkState', c.where);
    const links = parseLinkStates(states, c.where);
    if (links.every((l) => l.up)) return links.map((l) => l.mbps);
    if (clock.now() - t0 >= waitMs) {
      throw new ProvisionError(`pktgen's links are not up after ${waitMs} ms: ${links.map((l, i) => `port ${i} ${l.text}`).join(', ')}`, {
        where: c.where,
        hint: 'is the DUT side up (vhost/memif server, cable, peer port)? pktgen paces by the negotiated speed, so it needs the link first',
      });
    }
    await clock.sleep(POLL_MS);
  }
}

/** `{"0": "<UP-10000-FD>", "1": "<--Down-->", "n": 2}` → per port. */
export function parseLinkStates(v: unknown, where: string): { up: boolean; mbps: number; text: string }[] {
  if (typeof v !== 'object' || v === null) throw new ProvisionError(`pktgen.linkState is not a table: ${JSON.stringify(v)}`, { where });
  const t = v as Record<string, unknown>;
  const n = t['n'];
  if (typeof n !== 'number' || n < 1) throw new ProvisionError(`pktgen.linkState has no port count: ${JSON.stringify(v)}`, { where });
  return Array.from({ length: n }, (_, i) => {
    const text = t[String(i)];
    if (typeof text !== 'string') throw new ProvisionError(`pktgen.linkState has no entry for port ${i}: ${JSON.stringify(v)}`, { where });
    const m = /^<UP-(\d+)-(FD|HD)>$/.exec(text);
    // Up at 0 Mb/s is a link whose speed is not known yet: pktgen cannot pace on it.
    if (m) return { up: Number(m[1]) > 0, mbps: Number(m[1]), text };
    if (text === '<--Down-->') return { up: false, mbps: 0, text };
    throw new ProvisionError(`pktgen.linkState port ${i} reads ${JSON.stringify(text)}, neither "<UP-<Mb/s>-FD>" nor "<--Down-->"`, { where });
  });
}

function parseJson(text: string, what: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MeasurementError(`pktgen's ${what} reply is not the JSON wsp_json writes: ${JSON.stringify(text.slice(0, 200))}`, {
      where,
      hint: 'something else wrote to the Lua socket, or the helpers were not loaded',
    });
  }
}
