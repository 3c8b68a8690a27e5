import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors.ts';
import { builtinProfiles, loadProfile, parseProfileText, ProfileError } from './load.ts';
import { invalidYamlCases } from '../../fixtures/invalid-yaml-cases.ts';

const INVALID = 'fixtures/certify/profiles/invalid';

test('the built-in profiles load: nic-performance and sriov-conformance, with the plan the issue lists', async () => {
  expect(builtinProfiles()).toEqual(['nic-performance', 'sriov-conformance']);

  const perf = (await loadProfile('nic-performance')).profile;
  expect(perf.profile).toBe('nic-performance');
  const plan = perf.plan;
  if (plan.kind !== 'performance') throw new Error('nic-performance is a performance plan');
  expect(plan.frameSizes).toEqual([64, 128, 256, 512, 1024, 1280, 1518, 'imix']);
  expect(plan.datapaths).toEqual(['pf', 'sriov']);
  expect(plan.dutCores).toEqual([1, 2, 4]);
  expect(plan.flowsPerDirection).toBe(254);
  expect(plan.virtualNic?.datapaths).toEqual(['vhost-user']);
  expect(perf.criteria.map((c) => c.check)).toEqual(expect.arrayContaining(['search-converged', 'throughput', 'latency-measured', 'latency', 'speedup']));

  const sriov = (await loadProfile('sriov-conformance')).profile;
  if (sriov.plan.kind !== 'conformance') throw new Error('sriov-conformance is a conformance plan');
  expect(sriov.plan.maxMtu).toBe(9000);
  expect(sriov.plan.tests).toEqual(expect.arrayContaining(['vf-create', 'vf-mac', 'vf-vlan', 'vf-trust', 'vf-spoofchk', 'vf-link-state', 'vf-mtu', 'vf-rdma', 'vdpa-devices']));
  expect(sriov.plan.failover).toEqual(['pf-link-down', 'vf-link-down', 'device-plugin-restart']);
});

test('a profile loads by path too, and its exact text comes along for the certificate', async () => {
  const byPath = await loadProfile('certify/profiles/nic-performance.yaml');
  expect(byPath.text).toBe(readFileSync('certify/profiles/nic-performance.yaml', 'utf8'));
  expect(byPath.profile).toEqual((await loadProfile('nic-performance')).profile);
});

test('an unknown profile name is a ConfigError listing the built-in ones', async () => {
  const err = await loadProfile('nic-perf').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).message).toMatch(/^--profile: unknown certification profile "nic-perf"/);
  expect((err as ConfigError).hint).toContain('nic-performance, sriov-conformance');
  const missing = await loadProfile('fixtures/certify/profiles/nope.yaml').catch((e: unknown) => e);
  expect((missing as ConfigError).message).toMatch(/cannot read the certification profile: ENOENT/);
});

invalidYamlCases({ what: ['profile', 'profiles'], dir: INVALID, load: loadProfile, errorClass: ProfileError, atLeast: 12 });

test('every problem of a profile is reported at once, in file order', () => {
  const text = readFileSync('certify/profiles/nic-performance.yaml', 'utf8')
    .replace('version: 1', 'version: 0')
    .replace('flowsPerDirection: 254', 'flowsPerDirection: 0');
  const err = (() => {
    try {
      parseProfileText(text, 'p.yaml');
    } catch (e) {
      return e as ProfileError;
    }
    throw new Error('loaded');
  })();
  expect(err.issues.map((i) => i.path)).toEqual(['version', 'plan.flowsPerDirection']);
  expect(err.issues.map((i) => i.line)).toEqual([...err.issues.map((i) => i.line)].sort((a, b) => a - b));
});
