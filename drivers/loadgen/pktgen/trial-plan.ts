/**
 * What a trial asks of pktgen, as Lua: the rate as pktgen computes it, and the packet fields in single
 * mode (one flow) or range mode (several flows). Pure: the session sends these bodies.
 *
 * Rate: pktgen takes a percentage of the NEGOTIATED link speed and paces
 * `pps = floor(link_bps / wire_bits) * rate / 100` with wire_bits = (frame + 20) * 8 (app/pktgen.c
 * pktgen_packet_rate; frame includes the FCS, pktgen's PKT_OVERHEAD_SIZE adds 24 to the frame without it).
 */
import { ConfigError } from '../../../core/errors.ts';
import type { TrialSpec } from '../../../method/trial.ts';
import { luaString } from './lua-client.ts';

/** Addressing of one generator port: what l3fwd routes on (198.18.N.0/24 leaves on DUT port N). */
export interface PktgenPortConfig {
  /** Destination MAC: the DUT port this generator port is cabled to. */
  readonly dstMac: string;
  /** Source IPv4 of the packets this port sends. */
  readonly srcIp: string;
  /** Destination IPv4: in the subnet of the DUT port towards the OTHER generator port. */
  readonly dstIp: string;
}

/** UDP ports of every flow: source ports FIRST_SPORT … FIRST_SPORT+flows-1, one destination port. */
export const FIRST_SPORT = 1024;
export const DPORT = 1024;

/** The rate string for `pktgen.set(pl, "rate", …)` that makes pktgen pace `pps` on a link of `linkMbps`. */
export function ratePercent(pps: number, frameBytes: number, linkMbps: number): number {
  const linePps = Math.floor((linkMbps * 1e6) / ((frameBytes + 20) * 8));
  // +0.5 pps: pktgen truncates the product, so ask for a hair more to get the pps we mean.
  return ((pps + 0.5) * 100) / linePps;
}

/** Packets per second pktgen paces for a rate percentage (the inverse of ratePercent, truncated like pktgen). */
export function pacedPps(percent: number, frameBytes: number, linkMbps: number): number {
  const linePps = Math.floor((linkMbps * 1e6) / ((frameBytes + 20) * 8));
  return Math.floor((linePps * percent) / 100);
}

const q = (s: string) => luaString(s);

/** Lua that sets the fixed fields of a port once per session: IPv4/UDP, MAC, IPs, ports (single mode). */
export function portSetupLua(port: number, c: PktgenPortConfig): string {
  const pl = q(String(port));
  return [
    `pktgen.set_type(${pl}, "ipv4")`,
    `pktgen.set_proto(${pl}, "udp")`,
    `pktgen.set_mac(${pl}, "dst", ${q(c.dstMac)})`,
    `pktgen.set_ipaddr(${pl}, "src", ${q(`${c.srcIp}/24`)})`, // pktgen wants the source with its mask
    `pktgen.set_ipaddr(${pl}, "dst", ${q(c.dstIp)})`,
    `pktgen.set(${pl}, "sport", ${FIRST_SPORT})`,
    `pktgen.set(${pl}, "dport", ${DPORT})`,
    `pktgen.set(${pl}, "txburst", 64)`, // the session counts whole bursts of this many (TX_BURST)
  ].join('\n');
}

/**
 * Lua that prepares the sending ports for a trial: frame size, rate, forever, and either single mode
 * (one flow) or range mode with every field l3fwd routes on set, the source port stepping over `flows`.
 */
export function trialSetupLua(o: {
  readonly ports: readonly number[];
  readonly config: readonly PktgenPortConfig[];
  /** A fixed frame size, or `pcap`: the IMIX pcap loaded at start (imix-pcap.ts), in pcap mode. */
  readonly frameBytes: number | 'pcap';
  readonly ratePercent: readonly number[];
  readonly flows: number;
  /** A pcap was loaded at start: pcap mode is on until turned off (pktgen-pcap.c sets it when it loads one). */
  readonly pcapLoaded?: boolean;
}): string {
  const lines: string[] = [];
  o.ports.forEach((port, i) => {
    const pl = q(String(port));
    const c = o.config[port]!;
    const pct = o.ratePercent[i]!;
    if (o.frameBytes === 'pcap') {
      // Pcap mode first: pktgen paces by the pcap's mean frame only while the mode is on when the rate is set.
      lines.push(`pktgen.pcap(${pl}, "on")`, `pktgen.set(${pl}, "rate", ${q(pct.toPrecision(12))})`, `pktgen.set(${pl}, "count", 0)`);
      return;
    }
    if (o.pcapLoaded) lines.push(`pktgen.pcap(${pl}, "off")`);
    lines.push(`pktgen.set(${pl}, "size", ${o.frameBytes})`, `pktgen.set(${pl}, "rate", ${q(pct.toPrecision(12))})`, `pktgen.set(${pl}, "count", 0)`);
    if (o.flows <= 1) {
      lines.push(`pktgen.set_range(${pl}, "off")`);
      return;
    }
    /** A range field's start, min, max and increment (pktgen's "SMMI"). */
    const smmi = (field: string, start: string | number, inc: string | number, max: string | number = start) => {
      const v = (x: string | number) => (typeof x === 'number' ? String(x) : q(x));
      lines.push(
        `pktgen.range.${field}(${pl}, "start", ${v(start)})`,
        `pktgen.range.${field}(${pl}, "min", ${v(start)})`,
        `pktgen.range.${field}(${pl}, "max", ${v(max)})`,
        `pktgen.range.${field}(${pl}, "inc", ${v(inc)})`,
      );
    };
    // Range mode ignores the single-packet fields: every field l3fwd looks at is set here again.
    lines.push(`pktgen.range.dst_mac(${pl}, "start", ${q(c.dstMac)})`);
    smmi('src_ip', c.srcIp, '0.0.0.0');
    smmi('dst_ip', c.dstIp, '0.0.0.0');
    smmi('src_port', FIRST_SPORT, 1, FIRST_SPORT + o.flows - 1);
    smmi('dst_port', DPORT, 0);
    smmi('pkt_size', o.frameBytes, 0);
    lines.push(`pktgen.range.ip_proto(${pl}, "udp")`, `pktgen.set_range(${pl}, "on")`);
  });
  return lines.join('\n');
}

/** The ports that send in a trial: p0 alone, or both. */
export function sendingPorts(spec: Pick<TrialSpec, 'direction'>): number[] {
  return spec.direction === 'bidirectional' ? [0, 1] : [0];
}

/** Checks a trial's load against the links; returns the per-port rate percentages. */
export function trialRates(spec: Pick<TrialSpec, 'loadPps' | 'direction'>, frameBytes: number, linkMbps: readonly number[], where: string): number[] {
  const ports = sendingPorts(spec);
  const perPortPps = spec.loadPps / ports.length;
  return ports.map((p) => {
    const mbps = linkMbps[p];
    if (mbps === undefined || mbps <= 0) throw new ConfigError(`port ${p} has no link speed`, { where, hint: 'wait for link-up before the first trial' });
    const pct = ratePercent(perPortPps, frameBytes, mbps);
    if (pct > 100) {
      const line = pacedPps(100, frameBytes, mbps);
      throw new ConfigError(`offered ${Math.round(perPortPps)} pps on port ${p} exceeds its link rate, ${line} pps at ${frameBytes} B on ${mbps} Mb/s`, {
        where,
        hint: 'lower the load or the search upper bound (the max offered load of the stack)',
      });
    }
    return pct;
  });
}
