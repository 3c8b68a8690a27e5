/**
 * IMIX as pktgen-dpdk can send it: a pcap file per port, loaded at start (`-s <port>:<file>`) and sent
 * in order, over and over, in pcap mode (`pktgen.pcap(ports, "on")`). pktgen has no weighted frame
 * sizes of its own (range mode steps the size through min..max, one size per packet in turn), so the mix
 * is written out here: for each flow, sum(weights) frames with the sizes spread evenly through the
 * sequence. pktgen paces pcap mode by the mean captured length (app/pktgen-pcap.c: the sum of lengths
 * divided by the count, truncated; the FCS is not captured), which pcapMeanFrameBytes gives back.
 */
import { ConfigError } from '../../../core/errors.ts';
import type { TrafficProfile } from '../../../method/trial.ts';
import { DPORT, FIRST_SPORT, type PktgenPortConfig } from './trial-plan.ts';

type Imix = Extract<TrafficProfile, { kind: 'imix' }>;

/** What pktgen clamps a captured frame to (its MIN_PKT_SIZE and MAX_PKT_SIZE: 64 and 1518 B less the FCS). */
const MIN_CAPTURED = 60;
const MAX_CAPTURED = 1514;
const FCS = 4;

/** The frame sizes of one pass through the mix, the sizes spread evenly (smooth weighted round robin). */
export function imixSequence(profile: Imix): number[] {
  const entries = profile.mix.map((e) => ({ frameBytes: e.frameBytes, weight: e.weight, current: 0 }));
  const total = entries.reduce((s, e) => s + e.weight, 0);
  const out: number[] = [];
  for (let i = 0; i < total; i++) {
    for (const e of entries) e.current += e.weight;
    const pick = entries.reduce((a, b) => (b.current > a.current ? b : a));
    pick.current -= total;
    out.push(pick.frameBytes);
  }
  return out;
}

/** The frame size (FCS included) pktgen paces a pcap of this mix by: its truncated mean captured length + FCS. */
export function pcapMeanFrameBytes(profile: Imix): number {
  const lens = imixSequence(profile).map(capturedLength);
  return Math.floor(lens.reduce((s, l) => s + l, 0) / lens.length) + FCS;
}

function capturedLength(frameBytes: number): number {
  return Math.min(MAX_CAPTURED, Math.max(MIN_CAPTURED, frameBytes - FCS));
}

/**
 * A pcap (classic format, Ethernet) of `flows` passes through the mix, for one generator port: IPv4/UDP
 * to what l3fwd routes on (the port's destination MAC and IPs), UDP source ports FIRST_SPORT.. one per
 * flow, as range mode steps them.
 */
export function imixPcap(profile: Imix, port: PktgenPortConfig, srcMac: string, flows: number): Buffer {
  if (!Number.isInteger(flows) || flows < 1 || flows > 65535 - FIRST_SPORT) {
    throw new ConfigError(`${flows} flows do not fit one UDP source port each`, { where: `pcap for ${profile.name}`, hint: `1 to ${65535 - FIRST_SPORT} flows` });
  }
  for (const e of profile.mix) {
    if (e.frameBytes - FCS < MIN_CAPTURED || e.frameBytes - FCS > MAX_CAPTURED) {
      throw new ConfigError(`frame size ${e.frameBytes} B is outside what pktgen sends from a pcap (64 to 1518 B)`, { where: `profile ${profile.name}` });
    }
  }
  const seq = imixSequence(profile);
  const frames: Buffer[] = [];
  for (let f = 0; f < flows; f++) for (const size of seq) frames.push(udpFrame(capturedLength(size), port, srcMac, FIRST_SPORT + f));
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0); // microsecond timestamps, little-endian
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16); // snaplen
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const records = frames.map((frame, i) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(0, 0);
    rec.writeUInt32LE(i, 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    return Buffer.concat([rec, frame]);
  });
  return Buffer.concat([header, ...records]);
}

/** An Ethernet/IPv4/UDP frame of `length` bytes (no FCS), zero payload. */
function udpFrame(length: number, port: PktgenPortConfig, srcMac: string, sport: number): Buffer {
  const b = Buffer.alloc(length);
  mac(port.dstMac).copy(b, 0);
  mac(srcMac).copy(b, 6);
  b.writeUInt16BE(0x0800, 12);
  const ip = 14;
  b.writeUInt8(0x45, ip);
  b.writeUInt16BE(length - ip, ip + 2);
  b.writeUInt8(64, ip + 8); // TTL
  b.writeUInt8(17, ip + 9); // UDP
  ipv4(port.srcIp).copy(b, ip + 12);
  ipv4(port.dstIp).copy(b, ip + 16);
  b.writeUInt16BE(ipChecksum(b.subarray(ip, ip + 20)), ip + 10);
  const udp = ip + 20;
  b.writeUInt16BE(sport, udp);
  b.writeUInt16BE(DPORT, udp + 2);
  b.writeUInt16BE(length - udp, udp + 4);
  // UDP checksum 0: none (allowed over IPv4); l3fwd does not look at it.
  return b;
}

function mac(text: string): Buffer {
  const parts = text.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) throw new ConfigError(`${JSON.stringify(text)} is not a MAC address`, { where: 'IMIX pcap' });
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

function ipv4(text: string): Buffer {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new ConfigError(`${JSON.stringify(text)} is not an IPv4 address`, { where: 'IMIX pcap' });
  return Buffer.from(parts);
}

function ipChecksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
