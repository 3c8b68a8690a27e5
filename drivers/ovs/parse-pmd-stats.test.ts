import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { parsePmdStats, totalPacketsReceived } from './parse-pmd-stats.ts';

const fx = (name: string) => readFileSync(new URL(`../../fixtures/ovs/${name}`, import.meta.url), 'utf8');

test('OVS <= 2.9: tab-indented key:value, miss/lost mapped, packets derived', () => {
  const s = parsePmdStats(fx('pmd-stats-show-2.9.txt'));
  expect(s.format).toBe('ovs-2.9');
  expect(s.threads[0]).toMatchObject({ thread: 'pmd 0/4', numaId: 0, coreId: 4, emcHits: 1200345, megaflowHits: 2000, missSuccess: 12, missFailed: 0, idleCycles: 4000000000 });
  expect(s.threads[0]!.packetsReceived).toBe(1202357);
  expect(s.threads[1]).toMatchObject({ thread: 'main', packetsReceived: 3 });
});

test('OVS 2.10-2.15: packets received, smc, upcalls, two PMDs', () => {
  const s = parsePmdStats(fx('pmd-stats-show-2.1x.txt'));
  expect(s.format).toBe('ovs-2.10-3.x');
  expect(s.threads.map((t) => t.thread)).toEqual(['pmd 1/22', 'pmd 1/23']);
  expect(s.threads[0]).toMatchObject({ packetsReceived: 5000000, emcHits: 4900000, missSuccess: 10, processingCycles: 8100000000, avgCyclesPerPacket: 1800 });
  expect(s.threads[0]!.simpleMatchHits).toBeUndefined();
  expect(s.threads[1]!.idleCycles).toBeUndefined(); // not printed when no cycles
});

test('OVS 3.x: simple match, phwol, main thread', () => {
  const s = parsePmdStats(fx('pmd-stats-show-3.x.txt'));
  expect(s.format).toBe('ovs-2.10-3.x');
  expect(s.threads[0]).toMatchObject({ simpleMatchHits: 8769990, phwolHits: 0, avgProcessingCyclesPerPacket: 300 });
  expect(s.threads[1]).toMatchObject({ thread: 'main', simpleMatchHits: 4 });
  expect(totalPacketsReceived(s)).toBe(8770006);
});

test('OVS 4.0: pmd-stats-show prints the pmd-perf-show layout', () => {
  const s = parsePmdStats(fx('pmd-stats-show-4.0-perf.txt'));
  expect(s.format).toBe('ovs-4.0-perf');
  expect(s.threads).toHaveLength(1);
  expect(s.threads[0]).toMatchObject({ thread: 'pmd 0/1', packetsReceived: 9000000, simpleMatchHits: 8999000, megaflowHits: 998, missSuccess: 2, txPackets: 8999100, avgCyclesPerPacket: 533 });
});

test('malformed output is an error naming the command', () => {
  expect(() => parsePmdStats('  packets received: 5\n')).toThrow(/pmd-stats-show.*pmd thread numa_id/);
  expect(() => parsePmdStats('pmd thread numa_id 0 core_id 1:\n  packets received: lots\n')).toThrow(/a number for 'packets received'/);
  expect(() => parsePmdStats('')).toThrow(/at least one thread/);
});
