import { expect, test } from '@playwright/test';
import { IMIX_7_4_1 } from '../../../method/trial.ts';
import { imixPcap, imixSequence, pcapMeanFrameBytes } from './imix-pcap.ts';
import { DPORT, FIRST_SPORT } from './trial-plan.ts';
import { DEFAULT_PKTGEN_IMIX, pktgenImixFor } from './start-pktgen.ts';

const imix = IMIX_7_4_1 as Extract<typeof IMIX_7_4_1, { kind: 'imix' }>;
const port = { dstMac: '02:00:00:00:00:01', srcIp: '198.18.0.1', dstIp: '198.18.1.1' };

test('one pass through 7:4:1 has the weights, the sizes spread through it', () => {
  const seq = imixSequence(imix);
  expect(seq).toHaveLength(12);
  expect(seq.filter((s) => s === 64)).toHaveLength(7);
  expect(seq.filter((s) => s === 570)).toHaveLength(4);
  expect(seq.filter((s) => s === 1518)).toHaveLength(1);
  // Spread: never more than two 64 B frames in a row.
  expect(seq.join(',')).not.toContain('64,64,64');
  // pktgen paces a pcap by its mean captured length, truncated, plus the FCS: floor(4198 / 12) + 4.
  expect(pcapMeanFrameBytes(imix)).toBe(353);
});

test('the pcap: classic header, one record per frame, Ethernet/IPv4/UDP to what l3fwd routes on, valid IP checksums', () => {
  const flows = 3;
  const b = imixPcap(imix, port, '02:00:00:00:70:00', flows);
  expect(b.readUInt32LE(0)).toBe(0xa1b2c3d4);
  expect(b.readUInt32LE(20)).toBe(1);
  const frames: Buffer[] = [];
  for (let at = 24; at < b.length; ) {
    const len = b.readUInt32LE(at + 8);
    expect(b.readUInt32LE(at + 12)).toBe(len);
    frames.push(b.subarray(at + 16, at + 16 + len));
    at += 16 + len;
  }
  expect(frames).toHaveLength(12 * flows);
  expect(frames.map((f) => f.length).slice(0, 12)).toEqual(imixSequence(imix).map((s) => s - 4));
  for (const [i, f] of frames.entries()) {
    expect(f.subarray(0, 6).toString('hex')).toBe('020000000001');
    expect(f.readUInt16BE(12)).toBe(0x0800);
    const ip = f.subarray(14, 34);
    expect(ip.readUInt16BE(2)).toBe(f.length - 14);
    expect([...ip.subarray(12, 16)].join('.')).toBe('198.18.0.1');
    expect([...ip.subarray(16, 20)].join('.')).toBe('198.18.1.1');
    let sum = 0;
    for (let o = 0; o < 20; o += 2) sum += ip.readUInt16BE(o);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).toBe(0xffff);
    expect(f.readUInt16BE(34)).toBe(FIRST_SPORT + Math.floor(i / 12));
    expect(f.readUInt16BE(36)).toBe(DPORT);
    expect(f.readUInt16BE(38)).toBe(f.length - 34);
  }
});

test('sizes pktgen would clamp and flow counts without a source port each are errors, not a different mix', () => {
  expect(() => imixPcap({ ...imix, mix: [{ frameBytes: 9000, weight: 1 }] }, port, '02:00:00:00:70:00', 1)).toThrow(/9000 B is outside what pktgen sends from a pcap/);
  expect(() => imixPcap(imix, port, '02:00:00:00:70:00', 0)).toThrow(/0 flows/);
});

test("the run's flow count goes into pktgen's IMIX pcap, up to what its pcap pool holds without growing", () => {
  expect(pktgenImixFor()).toEqual(DEFAULT_PKTGEN_IMIX);
  expect(pktgenImixFor(254)).toMatchObject({ flows: 254 });
  // 2048 flows x 12 frames = 24576: the buffers pktgen gives a pcap per port anyway.
  expect(pktgenImixFor(2048)).toMatchObject({ flows: 2048 });
  const capped = pktgenImixFor(2049);
  expect(capped.flows).toBe(1);
  expect(capped.otherFlows).toBe('2049 flows of 12 frames would not fit the 24576 buffers pktgen gives a pcap per port (at most 2048 flows); the pcap holds 1 flow');
});
