/**
 * IMIX with several flows on the real pktgen-dpdk: pktgen loads its IMIX pcap only at start, so the stack
 * writes it for the run's flow count (pktgenImixFor). Started with 16 flows, pktgen serves an IMIX
 * scenario of 16 flows (and not 1), sends the mix, and l3fwd routes every flow back. Which source ports
 * went out is not observable here (neither l3fwd nor pktgen counts flows): the pcap holds one per flow
 * (imix-pcap.test.ts). Skipped, with the reason, where pktgen is absent.
 */
import { expect, test } from '@playwright/test';
import { localDatapath } from '../../datapath/local/local-datapath.ts';
import { IMIX_7_4_1 } from '../../../method/trial.ts';
import { withRealPktgen } from '../../../fixtures/pktgen/real-pktgen.ts';
import { pktgenImixFor } from './start-pktgen.ts';

test('started for 16 flows, pktgen sends IMIX 7:4:1 over 16 flows and every packet comes back', async () => {
  test.setTimeout(180_000);
  await withRealPktgen({ tag: 'pgi', datapath: (o) => localDatapath('vhost-user', o), imix: pktgenImixFor(16) }, async (_dp, pg) => {
    const s = pg.session;
    expect(s.whyNot({ profile: IMIX_7_4_1, flows: 16 })).toBeNull();
    expect(s.whyNot({ profile: IMIX_7_4_1, flows: 1 })).toBe("imix-7-4-1 with 1 flows: pktgen's IMIX pcap was written at start with 16 flows");
    const r = await s.measure({ profile: IMIX_7_4_1, flows: 16, direction: 'bidirectional', loadPps: 20_000, durationS: 2 });
    expect(r.attempted).toBeGreaterThan(0);
    expect(r.received).toBe(r.attempted);
    const d = s.lastTrial()!;
    const sum = (f: (c: NonNullable<ReturnType<typeof d.after.get>>) => number) => [0, 1].reduce((acc, p) => acc + f(d.after.get(p)!) - f(d.before.get(p)!), 0);
    // 7 x 60 + 4 x 566 + 1 x 1514 bytes in 12 frames: 349.8 on average (whole passes, give or take a burst).
    const mean = sum((c) => c.obytes!) / sum((c) => c.opackets);
    test.info().annotations.push({ type: 'imix', description: `mean ${mean.toFixed(1)} B/packet, ${r.attempted} packets` });
    expect(mean).toBeGreaterThan(330);
    expect(mean).toBeLessThan(370);
  });
});
