/**
 * pktgen-dpdk as a GeneratorSession: one pktgen process per session (EAL starts once), driven over its
 * Lua socket. Rates are percent of line rate computed from the NIC catalogue; counters come from
 * portStats in either shape (flat <= 25.08, nested 26.02) and are turned into a TrialResult.
 * Topology: port 0 sends towards DUT p0 and receives what comes back on port 1, and the reverse when
 * bidirectional.
 */
import { ConfigError, MeasurementError } from '../../../core/errors.ts';
import { packetsDue, trialFromDirections, type Measure, type TrialResult, type TrialSpec, type DirectionCounters } from '../../../method/trial.ts';
import { lineRatePps } from '../../../lab/line-rate.ts';
import type { GeneratorInfo, GeneratorSession } from '../traffic-generator.ts';
import { parseLuaTable } from './lua-table.ts';
import type { PktgenLuaClient } from './lua-client.ts';
import { normalizePortStats, type PortCounters, type PortStats } from './port-stats.ts';

export interface PktgenPortConfig {
  /** Link speed in Gb/s (from the catalogue model or the link). */
  readonly speedGbps: number;
  /** Destination MAC: the DUT port this generator port is cabled to. */
  readonly dstMac: string;
  /** Source and destination IPv4 (l3fwd routes 198.18.N.0/24 to port N). */
  readonly srcIp: string;
  readonly dstIp: string;
}

export interface PktgenSessionOptions {
  readonly client: PktgenLuaClient;
  /** Exactly two ports: 0 and 1. */
  readonly ports: readonly [PktgenPortConfig, PktgenPortConfig];
  /** Time after stop for in-flight packets to arrive before counters are read. */
  readonly drainMs?: number;
  /** Called on close (e.g. kill the pktgen process). */
  readonly onClose?: () => Promise<void>;
}

/** The Lua helper that prints a table as a Lua literal (pktgen's own prints() needs Pktgen.lua on package.path). */
export const DUMP_HELPER =
  'function wsp_dump(v) if type(v) == "table" then local s = "{" for k, x in pairs(v) do if type(k) == "number" then s = s .. "[" .. k .. "]=" else s = s .. "[\\"" .. tostring(k) .. "\\"]=" end s = s .. wsp_dump(x) .. "," end return s .. "}" elseif type(v) == "string" then return string.format("%q", v) else return tostring(v) end end';

const lua = (s: string) => JSON.stringify(s); // a JSON string literal is a valid Lua string literal for our ASCII values

/** Parse pktgen's version string ("24.10.3", "26.02.1") to [major, minor]. */
export function parsePktgenVersion(text: string): [number, number] {
  const m = /(\d+)\.(\d+)/.exec(text);
  if (!m) throw new MeasurementError(`cannot read pktgen's version from ${JSON.stringify(text.slice(0, 80))}`);
  return [Number(m[1]), Number(m[2])];
}

export class PktgenSession implements GeneratorSession {
  readonly info: GeneratorInfo;
  readonly #o: PktgenSessionOptions;
  readonly #nested: boolean;
  #closed = false;

  private constructor(o: PktgenSessionOptions, version: string) {
    this.#o = o;
    this.info = { name: 'pktgen-dpdk', version };
    const [maj, min] = parsePktgenVersion(version);
    this.#nested = maj > 26 || (maj === 26 && min >= 2);
  }

  /** Talk to a running pktgen: define the dump helper, read the version, set the fixed packet fields. */
  static async open(o: PktgenSessionOptions): Promise<PktgenSession> {
    await o.client.call(DUMP_HELPER);
    const version = (await o.client.call('print(pktgen.info.Pktgen_Version)')).trim();
    const s = new PktgenSession(o, version);
    for (const [i, p] of o.ports.entries()) {
      const pl = lua(String(i));
      await o.client.call(
        [
          `pktgen.set_type(${pl}, "ipv4")`,
          `pktgen.set_proto(${pl}, "udp")`,
          `pktgen.set_mac(${pl}, "dst", ${lua(p.dstMac)})`,
          `pktgen.set_ipaddr(${pl}, "src", ${lua(`${p.srcIp}/24`)})`,
          `pktgen.set_ipaddr(${pl}, "dst", ${lua(p.dstIp)})`,
        ].join('; '),
      );
    }
    return s;
  }

  /** Port counters (totals since the last clear). */
  async portStats(): Promise<PortStats> {
    const call = this.#nested ? 'pktgen.portStats("all")' : 'pktgen.portStats("all", "port")';
    const out = await this.#o.client.call(`print(wsp_dump(${call}))`);
    return normalizePortStats(parseLuaTable(out.trim(), `pktgen ${this.info.version} portStats`));
  }

  /** Latency probes (pktgen <= 25.08: pktStats(pl)[pid].latency): min/avg/max in µs. */
  async latencySummary(port: number): Promise<{ minUs: number; avgUs: number; maxUs: number; packets: number }> {
    if (this.#nested) throw new MeasurementError(`pktgen ${this.info.version} has no pktStats(); latency summary needs <= 25.08`);
    const out = await this.#o.client.call(`print(wsp_dump(pktgen.pktStats(${lua(String(port))})))`);
    const t = parseLuaTable(out.trim(), 'pktgen pktStats');
    const l = (t[String(port)] as Record<string, unknown> | undefined)?.['latency'] as Record<string, unknown> | undefined;
    const num = (k: string) => {
      const v = l?.[k];
      if (typeof v !== 'number') throw new MeasurementError(`pktgen pktStats: no latency.${k} for port ${port}`);
      return v;
    };
    return { minUs: num('min_us'), avgUs: num('avg_us'), maxUs: num('max_us'), packets: num('num_pkts') };
  }

  async measure(trial: TrialSpec, signal?: AbortSignal): Promise<TrialResult> {
    if (this.#closed) throw new MeasurementError('pktgen session is closed');
    if (trial.profile.kind !== 'fixed')
      throw new ConfigError(`pktgen driver sends one frame size per trial; profile ${trial.profile.name} needs a pcap stream (-s P:file)`, {
        hint: 'use a fixed frame size with pktgen, or the local generator for IMIX',
      });
    const frame = trial.profile.frameBytes;
    const txPorts = trial.direction === 'bidirectional' ? [0, 1] : [0];
    const perPortPps = trial.loadPps / txPorts.length;
    const c = this.#o.client;
    const setup: string[] = ['pktgen.stop("all")'];
    for (const p of txPorts) {
      const line = lineRatePps(this.#o.ports[p]!.speedGbps, frame);
      const ratePct = (perPortPps / line) * 100;
      if (ratePct > 100 + 1e-9)
        throw new ConfigError(`offered ${Math.round(perPortPps)} pps on port ${p} exceeds line rate ${Math.round(line)} pps at ${frame} B`, { hint: 'lower the load or the search upper bound' });
      const pl = lua(String(p));
      const sport = 1024;
      setup.push(
        `pktgen.set(${pl}, "size", ${frame})`,
        `pktgen.set(${pl}, "rate", ${lua(ratePct.toFixed(6))})`,
        `pktgen.set(${pl}, "count", 0)`,
        `pktgen.range.pkt_size(${pl}, "start", ${frame})`,
        `pktgen.range.pkt_size(${pl}, "min", ${frame})`,
        `pktgen.range.pkt_size(${pl}, "max", ${frame})`,
        `pktgen.range.pkt_size(${pl}, "inc", 0)`,
        `pktgen.range.src_port(${pl}, "start", ${sport})`,
        `pktgen.range.src_port(${pl}, "min", ${sport})`,
        `pktgen.range.src_port(${pl}, "max", ${sport + Math.max(1, trial.flows) - 1})`,
        `pktgen.range.src_port(${pl}, "inc", ${trial.flows > 1 ? 1 : 0})`,
        `pktgen.set_range(${pl}, "on")`,
      );
    }
    await c.call(setup.join('; '));
    const portList = lua(txPorts.join(','));
    if (trial.warmupS && trial.warmupS > 0) {
      await c.call(`pktgen.start(${portList})`);
      await sleep(trial.warmupS * 1000, signal);
      await c.call(`pktgen.stop(${portList})`);
      await sleep(this.#o.drainMs ?? 200, signal);
    }
    await c.call('pktgen.clr()');
    const before = await this.portStats();
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    await c.call(`pktgen.start(${portList})`);
    try {
      await sleep(trial.durationS * 1000, signal);
    } finally {
      await c.call(`pktgen.stop(${portList})`);
    }
    const actualDurationS = (performance.now() - t0) / 1000;
    await sleep(this.#o.drainMs ?? 200, signal);
    const after = await this.portStats();
    const delta = (p: number, k: keyof PortCounters): number => {
      const a = after.ports.get(p)?.[k];
      const b = before.ports.get(p)?.[k];
      if (a === undefined || b === undefined) throw new MeasurementError(`pktgen reported no counters for port ${p}`);
      if (a < b) throw new MeasurementError(`pktgen counter port ${p} ${k} went backwards (${b} -> ${a}): was the port reset or cleared by someone else?`);
      return a - b;
    };
    const directions: DirectionCounters[] = txPorts.map((p) => {
      const rx = 1 - p;
      const attempted = delta(p, 'opackets') + delta(p, 'oerrors');
      // pktgen reports no deficit: what was due at the requested load and not attempted is loss too.
      const requested = Math.max(attempted, packetsDue(trial.loadPps, trial.durationS, txPorts.length));
      return {
        name: `p${p}->p${rx}`,
        requested,
        attempted,
        sent: delta(p, 'opackets'),
        unsent: delta(p, 'oerrors'),
        received: delta(rx, 'ipackets'),
        reordered: 0,
        duplicated: 0,
      };
    });
    return trialFromDirections(trial, { startedAt, actualDurationS }, directions, `pktgen ${this.info.version}`);
  }

  measurer(base: Omit<TrialSpec, 'loadPps' | 'durationS'>): Measure {
    return (durationS, loadPps, signal) => this.measure({ ...base, durationS, loadPps }, signal);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#o.client.call('pktgen.stop("all")', 5000).catch(() => undefined);
      await this.#o.client.close();
    } finally {
      await this.#o.onClose?.();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
