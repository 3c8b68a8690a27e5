import { test, expect } from '@playwright/test';
import { CommandFailedError, MeasurementError, ProvisionError, ScenarioFailedError, TransportError } from '../../core/errors.ts';
import { declaredFailure, failureOf } from '../../contract/failure.ts';
import { exitCodeFor, severityOfTest } from './exit-status.ts';

test('a missed goal is 1; a lab, transport, timeout or harness problem has its own code and wins', () => {
  expect(exitCodeFor([])).toBe(0);
  expect(exitCodeFor(['scenario'])).toBe(1);
  expect(exitCodeFor(['scenario', 'lab'])).toBe(3);
  expect(exitCodeFor(['measurement', 'timeout'])).toBe(5);
  expect(exitCodeFor(['scenario', 'internal', 'lab'])).toBe(70);
});

test("a failed test's severity is what its error declared, else timeout, a failed expect(), or a harness bug", () => {
  expect(severityOfTest({ status: 'failed', declared: 'measurement', expectFailed: false })).toBe('measurement');
  expect(severityOfTest({ status: 'failed', declared: undefined, expectFailed: true })).toBe('scenario');
  expect(severityOfTest({ status: 'timedOut', declared: undefined, expectFailed: false })).toBe('timeout');
  expect(severityOfTest({ status: 'failed', declared: undefined, expectFailed: false })).toBe('internal');
});

test('the worker finds the thrown error behind its serialized form and reports the severity its class declares', () => {
  const lab = new ProvisionError('the vhost-user datapath needs 256 free 2 MB hugepages', { where: 'local', hint: 'free some' });
  const cmd = new CommandFailedError({ host: 'local', command: 'ip netns add x', exitCode: 1, signal: null, stdout: '', stderr: 'exists' });
  // Playwright hands fixtures "<name>: <message>", nothing else.
  expect(declaredFailure(`ProvisionError: ${lab.message}`)).toEqual({ type: 'failure', severity: 'lab', errorClass: 'ProvisionError' });
  expect(declaredFailure(`CommandFailedError: ${cmd.message}`)).toEqual({ type: 'failure', severity: 'lab', errorClass: 'CommandFailedError' });
  // The class name in the text decides nothing: a text that names a class but is no error of ours is not one.
  expect(declaredFailure('MeasurementError: datapath memif: the DUT died')).toBeUndefined();
  expect(declaredFailure('Error: expect(received).toBeGreaterThan(expected)')).toBeUndefined();
  expect(declaredFailure(undefined)).toBeUndefined();
  // With the object in hand (a worker fixture's teardown), the severity is read from it directly.
  expect(failureOf(new TransportError('ssh', { attempts: ['refused'] }))).toEqual({ type: 'failure', severity: 'transport', errorClass: 'TransportError' });
  expect(failureOf(new ScenarioFailedError('NDR: no load met the goal'))).toMatchObject({ severity: 'scenario' });
  expect(failureOf(new MeasurementError('x'))).toMatchObject({ severity: 'measurement' });
  expect(failureOf(new TypeError('x is undefined'))).toEqual({ type: 'failure', severity: 'internal', errorClass: 'TypeError' });
});
