import { test, expect } from '@playwright/test';
import { exitCodeFor, severityOf } from './exit-status.ts';

test('a missed goal is 1; a lab, transport, timeout or harness problem has its own code and wins', () => {
  expect(severityOf('failed', 'ScenarioFailedError: NDR: no load met the goal')).toBe('scenario');
  expect(severityOf('failed', 'Error: expect(received).toBeGreaterThan(expected)')).toBe('scenario');
  expect(severityOf('failed', 'ProvisionError: local: the vhost-user datapath needs 256 free 2 MB hugepages')).toBe('lab');
  expect(severityOf('failed', '\x1b[31mCommandFailedError: local: command failed\x1b[39m')).toBe('lab');
  expect(severityOf('failed', 'MeasurementError: datapath memif: the DUT died')).toBe('measurement');
  expect(severityOf('failed', 'TransportError: ssh')).toBe('transport');
  expect(severityOf('timedOut', undefined)).toBe('timeout');
  expect(severityOf('failed', 'TypeError: x is undefined')).toBe('internal');
  expect(exitCodeFor([])).toBe(0);
  expect(exitCodeFor(['scenario'])).toBe(1);
  expect(exitCodeFor(['scenario', 'lab'])).toBe(3);
  expect(exitCodeFor(['measurement', 'timeout'])).toBe(5);
  expect(exitCodeFor(['scenario', 'internal', 'lab'])).toBe(70);
});
