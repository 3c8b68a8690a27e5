/**
 * The driver against what the real pktgen said: every transcript recorded on the local lab
 * (record-transcripts.ts, fixtures/pktgen/pktgen-<version>-<datapath>.jsonl) is replayed through the
 * real Lua client, the real relay and the fake pktgen socket; the session must ask exactly what it
 * asked live and compute exactly the trial results it computed live.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { IMIX_7_4_1 } from '../../../method/trial.ts';
import { FakePktgen } from '../../../fixtures/pktgen/fake-pktgen.ts';
import { LOCAL_PKTGEN_PORTS } from '../../datapath/local/pktgen-for.ts';
import { localShell } from '../../shell/local.ts';
import { relayedClient } from './lua-relay.ts';
import { pcapMeanFrameBytes } from './imix-pcap.ts';
import { PktgenSession } from './pktgen-session.ts';
import { DEFAULT_PKTGEN_IMIX } from './start-pktgen.ts';
import { readTranscript, replayClock, replayCounters, replayLatencyFiles } from './transcript.ts';

const dir = fileURLToPath(new URL('../../../fixtures/pktgen/', import.meta.url));
const recorded = readdirSync(dir)
  .filter((f) => /^pktgen-\d+\.\d+\.\d+-.+\.jsonl$/.test(f))
  .map((f) => readTranscript(dir + f))
  .filter((t) => t.header.source === 'recorded');

test('there are recorded transcripts to replay', () => {
  expect(recorded.map((t) => t.header.pktgen)).toContain('23.06.1');
  expect(recorded.map((t) => t.header.pktgen)).toContain('23.03.0');
});

for (const t of recorded) {
  const name = t.file.slice(dir.length);
  test(`replay ${name}: the same requests, the same results`, async () => {
    const fake = await FakePktgen.start({ transcripts: [t], mode: 'sequence' });
    const relayed = await relayedClient(localShell(), { host: '127.0.0.1', port: fake.port, waitMs: 5000, where: `fake pktgen (${name})` });
    try {
      await relayed.client.connected();
      const clock = replayClock(t);
      const counters = replayCounters(t);
      // Recorded with the IMIX pcap every started pktgen loads (start-pktgen.ts).
      const imix = { name: DEFAULT_PKTGEN_IMIX.profile.name, flows: DEFAULT_PKTGEN_IMIX.flows, frameBytes: pcapMeanFrameBytes(DEFAULT_PKTGEN_IMIX.profile) };
      const session = await PktgenSession.open({ client: relayed.client, counters, clock, latencyFiles: replayLatencyFiles(t), ports: LOCAL_PKTGEN_PORTS, imix });
      expect(session.info.version).toBe(t.header.pktgen);
      // What it cannot do is a reason for the suites to skip, never a throw mid-scenario.
      expect(session.whyNot({ profile: IMIX_7_4_1 })).toBeNull();
      expect(session.whyNot({ profile: IMIX_7_4_1, flows: 16 })).toBe("imix-7-4-1 with 16 flows: pktgen's IMIX pcap was written at start with 1 flow");
      expect(session.whyNot({ profile: { kind: 'imix', name: 'imix-other', mix: [{ frameBytes: 64, weight: 1 }] } })).toMatch(/^imix-other: pktgen sends the IMIX whose pcap it loaded at start, imix-7-4-1/);
      expect(session.whyNot({ profile: { kind: 'fixed', frameBytes: 64 }, latency: 'all' })).toMatch(/not every packet/);
      expect(session.whyNot({ profile: { kind: 'fixed', frameBytes: 64 }, latency: { streamPps: 1000 } })).toBe(session.capabilities.latency?.reason ?? null);
      for (const { spec, result } of t.trials) {
        const r = await session.measure(spec);
        const { startedAt: _a, ...got } = r;
        const { startedAt: _b, ...want } = result;
        expect(got).toEqual(want);
        // Rates are counts over the span they were sent in, which holds the whole window: never over the window alone.
        expect(r.actualDurationS).toBeGreaterThanOrEqual(spec.durationS);
      }
      await session.close();
      expect(fake.unmatched).toEqual([]);
      expect(fake.replayed).toBe(t.exchanges.length);
      expect(clock.used()).toBe(t.clock.length);
      expect(counters.used()).toBe(t.counters.length);
    } finally {
      await relayed.close();
      await fake.stop();
    }
  });
}
