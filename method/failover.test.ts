import { expect, test } from '@playwright/test';
import { ConfigError } from '../core/errors.ts';
import { analyzeFailover, directionOutages, liveOutages, samplesFromTimelines, type FailoverSample } from './failover.ts';
import type { DirectionTimeline } from './trial.ts';

const OFFERED = 1_000_000; // pps; 100 ms samples carry 100 000 packets

/** 100 ms samples from 0 to 3 s; `received` maps a sample start time to what arrived. */
function series(received: (tS: number) => number, attempted = OFFERED / 10): FailoverSample[] {
  return Array.from({ length: 30 }, (_, i) => {
    const tS = Math.round(i * 100) / 1000;
    return { tS, durationS: 0.1, attempted, received: received(tS) };
  });
}

test('outage of 300 ms then a half sample: blocked time, first packet, steady state', () => {
  const samples = series((t) => {
    if (t >= 1.0 && t < 1.3) return 0;
    if (t === 1.3) return 50_000;
    if (t === 1.4) return 99_990; // 0.01 % loss: steady by the default 0.1 % rule
    return 100_000;
  });
  const r = analyzeFailover({ samples, eventTS: 1.0, offeredPps: OFFERED });
  expect(r.lostPackets).toBe(300_000 + 50_000 + 10);
  expect(r.blockedTimeS).toBeCloseTo(0.35001, 9);
  expect(r.timeToFirstPacketS).toBeCloseTo(0.3, 9);
  expect(r.timeToSteadyStateS).toBeCloseTo(0.4, 9);
  expect(r.lostBeforeEventPackets).toBe(0);
  // A stricter steady-state rule waits for the clean sample.
  expect(analyzeFailover({ samples, eventTS: 1.0, offeredPps: OFFERED, steadyLossRatio: 0 }).timeToSteadyStateS).toBeCloseTo(0.5, 9);
});

test('event inside a sample: that sample counts, times are measured from the event', () => {
  const samples = series((t) => (t === 1.0 ? 20_000 : t === 1.1 ? 0 : 100_000));
  const r = analyzeFailover({ samples, eventTS: 1.05, offeredPps: OFFERED });
  expect(r.lostPackets).toBe(180_000);
  expect(r.blockedTimeS).toBeCloseTo(0.18, 9);
  expect(r.timeToFirstPacketS).toBeCloseTo(0.15, 9); // first traffic in the 1.2 s sample
  expect(r.timeToSteadyStateS).toBeCloseTo(0.15, 9);
});

test('hitless event: nothing lost, zero times', () => {
  const r = analyzeFailover({ samples: series(() => 100_000), eventTS: 1, offeredPps: OFFERED });
  expect(r).toEqual({ lostPackets: 0, blockedTimeS: 0, timeToFirstPacketS: 0, timeToSteadyStateS: 0, lostBeforeEventPackets: 0 });
});

test('never recovers: times are null, blocked time counts to the end', () => {
  const r = analyzeFailover({ samples: series((t) => (t >= 2 ? 0 : 100_000)), eventTS: 2, offeredPps: OFFERED });
  expect(r.timeToFirstPacketS).toBeNull();
  expect(r.timeToSteadyStateS).toBeNull();
  expect(r.blockedTimeS).toBeCloseTo(1.0, 9);
});

test('loss before the event is reported apart (load was not below NDR)', () => {
  const r = analyzeFailover({ samples: series((t) => (t === 0.2 ? 99_000 : 100_000)), eventTS: 1, offeredPps: OFFERED });
  expect(r.lostBeforeEventPackets).toBe(1000);
  expect(r.lostPackets).toBe(0);
});

test('bad input is a ConfigError', () => {
  expect(() => analyzeFailover({ samples: [], eventTS: 0, offeredPps: 1 })).toThrow(ConfigError);
  expect(() => analyzeFailover({ samples: series(() => 1), eventTS: 0, offeredPps: 0 })).toThrow(/offered rate 0 pps/);
  expect(() => analyzeFailover({ samples: [{ tS: 0, durationS: 0, attempted: 1, received: 1 }], eventTS: 0, offeredPps: 1 })).toThrow(/bad sample/);
});

test('outage per direction: blocked time from the stamps either side, loss-derived time beside it', () => {
  const gap = { packets: 50_000, beforeSeq: 99_999, afterSeq: 150_000, beforeTxS: 1.0, afterTxS: 1.5, beforeRxS: 1.00002, afterRxS: 1.51 };
  const [a, b] = directionOutages(
    [
      { name: 'p0->p1', gap, ratePps: 100_000 },
      { name: 'p1->p0', ratePps: 100_000 },
    ],
    10.9,
    10.0, // the window started at 10 s on the event's clock
  );
  expect(a).toEqual({ name: 'p0->p1', lostPackets: 50_000, blockedS: 0.5, lossDerivedS: 0.5, lastBeforeS: 11.0, firstAfterS: 11.5 });
  // A direction that lost nothing in order was never blocked.
  expect(b).toMatchObject({ name: 'p1->p0', lostPackets: 0, blockedS: 0 });
  // A gap that ended before the event is not the event's.
  expect(directionOutages([{ name: 'x', gap, ratePps: 1 }], 11.6, 10.0)[0]).toMatchObject({ blockedS: 0, lostPackets: 0 });
  expect(() => directionOutages([{ name: 'x', gap, ratePps: 0 }], 0, 0)).toThrow(/rate 0 pps/);
});

test('timelines become contiguous samples: no dead time, loss of both directions summed', () => {
  const t = (received: number[]) => ({ binS: 0.1, attempted: received.map(() => 10_000), received });
  const samples = samplesFromTimelines([t([10_000, 0, 5_000, 10_000]), t([10_000, 2_000, 10_000, 10_000])], 5);
  samples.forEach((s, i) => expect(s.tS).toBeCloseTo(5 + i * 0.1, 9));
  expect(samples.every((s, i) => i === 0 || Math.abs(s.tS - (samples[i - 1]!.tS + samples[i - 1]!.durationS)) < 1e-9)).toBe(true);
  expect(samples.map((s) => s.attempted - s.received)).toEqual([0, 18_000, 5_000, 0]);
  const r = analyzeFailover({ samples, eventTS: 5.1, offeredPps: 200_000 });
  expect(r.lostPackets).toBe(23_000);
  expect(r.timeToFirstPacketS).toBe(0); // one direction kept some traffic: never a full stop
  // A window closed 0.02 s into its last bin: that bin is 0.02 s long, so its rate is not read 60 % low.
  const closedEarly = samplesFromTimelines([t([10_000, 10_000, 10_000, 2_000])], 0, 0.32);
  expect(closedEarly.map((s) => +s.durationS.toFixed(9))).toEqual([0.1, 0.1, 0.1, 0.02]);
  expect(closedEarly.map((s) => Math.round(s.received / s.durationS))).toEqual([100_000, 100_000, 100_000, 100_000]);
  expect(samplesFromTimelines([t([1, 1, 1])], 0, 0.3).map((s) => s.durationS)).toEqual([0.1, 0.1, 0.1]);
  expect(() => samplesFromTimelines([], 0)).toThrow(/no timeline/);
  expect(() => samplesFromTimelines([t([1]), { ...t([1]), binS: 0.2 }], 0)).toThrow(/differ/);
});

/**
 * Live counter bins as pktgen gives them in a DUT restart (the shape recorded in
 * fixtures/pktgen/pktgen-23.06.1-vhost-user-failover.jsonl): 50 kpps a direction in reads about 50 ms
 * apart; in the outage pktgen blocks on its full TX ring, so nothing is sent nor received; afterwards it
 * sends the backlog at once and the receiver gets it in the next bins.
 */
function liveTimeline(): DirectionTimeline {
  const edgesS = [0, 0.05, 0.1, 0.16, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55];
  //               0     1     2     3     4    5    6    7     8      9     10
  const attempted = [2500, 2500, 1000, 0, 0, 0, 0, 15000, 2500, 2500, 40];
  const received = [2500, 2436, 1064, 0, 0, 0, 0, 9000, 8436, 2500, 104];
  const due = edgesS.slice(1).map((e, i) => (i === 10 ? 0 : Math.round(50_000 * (e - edgesS[i]!))));
  return { binS: 0.05, attempted, received, live: { edgesS, due, slackPackets: 128 } };
}

test('live counter bins: the bins that received nothing bound the outage; held-back packets are not lost', () => {
  const t = liveTimeline();
  const [d] = liveOutages([{ name: 'p0->p1', timeline: t, ratePps: 50_000 }], 0.12, 0);
  // Silent from the edge of bin 3 to that of bin 7: at least 0.19 s; the last packet before came in bin 2, the first after in bin 7.
  expect(d!.lastBeforeS).toBeCloseTo(0.16, 9);
  expect(d!.firstAfterS).toBeCloseTo(0.35, 9);
  expect(d!.blockedS).toBeCloseTo(0.19, 9);
  expect(d!.blockedMaxS).toBeCloseTo(0.3, 9);
  // Everything sent from the event's bin on came back but 0: the backlog was sent after, not lost.
  expect(d!.lostPackets).toBe(0);
  expect(d!.lossDerivedS).toBe(0);

  const samples = samplesFromTimelines([t], 0);
  expect(samples.map((s) => s.durationS.toFixed(2))).toEqual(['0.05', '0.05', '0.06', '0.04', '0.05', '0.05', '0.05', '0.05', '0.05', '0.05', '0.05']);
  const a = analyzeFailover({ samples, eventTS: 0.12, offeredPps: 50_000 });
  // The outage is seen although the generator attempted nothing in it: traffic was due.
  expect(a.timeToFirstPacketS).toBeCloseTo(0.35 - 0.12, 9);
  // Steady from the bin after the catch-up: a bin within a burst either side of what was due is steady.
  expect(a.timeToSteadyStateS).toBeCloseTo(0.35 - 0.12, 9);
  // Arrivals counted in the next bin are not losses: only the sum counts.
  expect(a.lostPackets).toBe(0);
  expect(a.lostBeforeEventPackets).toBe(0);
});

test('live counter bins: a direction that never comes back has no upper bound; one that never stopped was not blocked', () => {
  const t = liveTimeline();
  const dead: DirectionTimeline = { ...t, received: t.received.map((r, i) => (i >= 3 ? 0 : r)) };
  const [d] = liveOutages([{ name: 'p1->p0', timeline: dead, ratePps: 50_000 }], 0.12, 0);
  // Silent to the window's end (the last bin is the drain after it, where nothing was due).
  expect(d!.blockedS).toBeCloseTo(0.5 - 0.16, 9);
  expect(d!.blockedMaxS).toBeUndefined();
  expect(analyzeFailover({ samples: samplesFromTimelines([dead], 0), eventTS: 0.12, offeredPps: 50_000 }).timeToFirstPacketS).toBeNull();
  const fine: DirectionTimeline = { ...t, attempted: t.live!.due.map((x, i) => (i === 10 ? 0 : x)), received: t.live!.due.map((x, i) => (i === 10 ? 0 : x)) };
  const [f] = liveOutages([{ name: 'p0->p1', timeline: fine, ratePps: 50_000 }], 0.12, 0);
  expect(f).toMatchObject({ blockedS: 0, lostPackets: 0 });
  expect(f!.blockedMaxS).toBeUndefined();
  expect(() => liveOutages([{ name: 'x', timeline: { binS: 0.05, attempted: [1], received: [1] }, ratePps: 1 }], 0, 0)).toThrow(ConfigError);
});

test('live counter bins: steady state is judged by the deficit carried bin to bin, so read jitter is no loss and a real loss is', () => {
  // 2500 packets due per 50 ms bin. Before the event (bins 0-3) the reads jitter by 200 packets as the
  // DUT's bursts fall either side of a read (the real pktgen 23.06.1 through l3fwd jittered by a third);
  // the outage in bins 4-6, the backlog in bin 7; then the same jitter.
  const due = Array.from({ length: 18 }, () => 2500);
  const edgesS = Array.from({ length: 19 }, (_, i) => i * 0.05);
  const jitter = [2300, 2700, 2400, 2600, 0, 0, 0, 9000, 2300, 2700, 2350, 2650, 2500, 2400, 2600, 2300, 2700, 2500];
  const t = (received: number[]): DirectionTimeline => ({ binS: 0.05, attempted: received.map((r, i) => (i >= 4 && i <= 6 ? 0 : Math.max(r, 2500))), received, live: { edgesS, due, slackPackets: 128 } });
  const samples = samplesFromTimelines([t(jitter)], 0);
  // Bin by bin, 2300 of 2500 is 8 % short: steady state would wait until after the last short bin (bin 15).
  expect(analyzeFailover({ samples, eventTS: 0.2, offeredPps: 50_000 }).timeToSteadyStateS).toBeCloseTo(0.35 - 0.2, 9);
  // A real loss later (bin 13 gets half, and nothing pays it back) moves steady state past it.
  const lossy = [...jitter];
  lossy[13] = 1250;
  const r = analyzeFailover({ samples: samplesFromTimelines([t(lossy)], 0), eventTS: 0.2, offeredPps: 50_000 });
  expect(r.timeToSteadyStateS).toBeCloseTo(0.7 - 0.2, 9);
  // The backlog's surplus (6500 packets in bin 7) gives at most the pre-event jitter of credit: it cannot hide that loss.
  expect(r.timeToSteadyStateS).not.toBeCloseTo(0.35 - 0.2, 9);
});
