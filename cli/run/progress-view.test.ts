import { test, expect } from '@playwright/test';
import { ProgressView } from './progress-view.ts';
import { decodeEvents, encodeEvent } from '../../contract/progress-events.ts';

function view(tty: boolean) {
  let out = '';
  let now = 0;
  const v = new ProgressView({ write: (t) => (out += t) }, tty, () => now);
  return { v, out: () => out, advance: (ms: number) => (now += ms) };
}

test('without a TTY: one line per trial with scenario, trial n, offered load, loss and time left', () => {
  const { v, out, advance } = view(false);
  v.begin(3);
  v.scenarioBegin('a');
  v.event({ type: 'scenario', scenario: '1n-local-2p-memif-l3fwd-64b-ndrpdr', suite: 'throughput', datapath: 'memif', frame: '64b' });
  v.event({ type: 'trial', scenario: '1n-local-2p-memif-l3fwd-64b-ndrpdr', n: 1, phase: 'search', loadPps: 2_500_000, durationS: 1, lossRatio: 0.0125, receivedPps: 2_468_750 });
  advance(10_000);
  v.scenarioEnd({ title: 'a', scenario: '1n-local-2p-memif-l3fwd-64b-ndrpdr', status: 'passed', durationMs: 10_000, detail: undefined });
  v.scenarioBegin('b');
  v.event({ type: 'trial', scenario: 'x', n: 2, phase: 'latency', loadPps: 10_000, durationS: 1, lossRatio: 0, receivedPps: 10_000 });
  const lines = out().trimEnd().split('\n');
  expect(lines[0]).toBe('wirespeed: 3 scenarios to run');
  expect(lines[1]).toBe('start 1n-local-2p-memif-l3fwd-64b-ndrpdr');
  expect(lines[2]).toBe('  1n-local-2p-memif-l3fwd-64b-ndrpdr trial 1 [search] offered 2.500 Mpps for 1s: loss 1.25 %, received 2.469 Mpps  (left ~?)');
  expect(lines[3]).toBe('ok   1n-local-2p-memif-l3fwd-64b-ndrpdr (10 s)');
  // Two scenarios left at 10 s each.
  expect(lines[4]).toBe('  x trial 2 [latency] offered 10.0 kpps for 1s: loss 0 %, received 10.0 kpps  (left ~20 s)');
  expect(out()).not.toContain('\r');
});

test('on a TTY: the status line is rewritten in place and finished scenarios stay as lines', () => {
  const { v, out } = view(true);
  v.begin(2);
  v.scenarioBegin('[memif] 64b ndrpdr');
  v.event({ type: 'trial', scenario: 's', n: 7, phase: 'search', loadPps: 1_000_000, durationS: 0.5, lossRatio: 0, receivedPps: 1_000_000 });
  expect(out()).toContain('\r\x1b[2K');
  expect(out()).toContain('trial 7 search: 1.000 Mpps loss 0 %');
  expect(out()).not.toContain('  s trial 7');
  v.scenarioEnd({ title: '[memif] 64b ndrpdr', scenario: undefined, status: 'skipped', durationMs: 0, detail: 'needs sriov' });
  v.end();
  expect(out()).toContain('skip [memif] 64b ndrpdr (0.0 s): needs sriov\n');
  expect(out().endsWith('\r\x1b[2K')).toBe(true);
});

test('events survive being mixed with ordinary output; malformed marker lines stay text', () => {
  const e = { type: 'result', scenario: 's', summary: 'NDR 1 Mpps' } as const;
  const chunk = `hello\n${encodeEvent(e)}@@wirespeed-event {"type":"trial"}\nbye\n`;
  const { events, text } = decodeEvents(chunk);
  expect(events).toEqual([e]);
  expect(text).toBe('hello\n@@wirespeed-event {"type":"trial"}\nbye\n');
});
