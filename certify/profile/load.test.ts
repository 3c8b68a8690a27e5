import { test, expect } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors.ts';
import { builtinProfiles, loadProfile, parseProfileText, ProfileError } from './load.ts';

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
  expect(sriov.plan.tests).toEqual(expect.arrayContaining(['vf-create', 'vf-mac', 'vf-vlan', 'vf-trust', 'vf-spoofchk', 'vf-link-state', 'vf-mtu', 'vf-rdma', 'vdpa-devices', 'device-plugin-restart']));
  expect(sriov.plan.failover).toEqual(['pf-link-down', 'vf-link-down']);
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

const invalid = readdirSync(INVALID).filter((f) => f.endsWith('.yaml'));

test('there are at least 12 invalid profiles, each with its expected message', () => {
  expect(invalid.length).toBeGreaterThanOrEqual(12);
});

for (const f of invalid) {
  test(`invalid profile ${f} gives its exact message`, async () => {
    const path = `${INVALID}/${f}`;
    const [first, second] = readFileSync(path, 'utf8').split('\n');
    const expected = /^# expected: (.*)$/.exec(first ?? '')?.[1];
    const hintLine = /^# hint: (.*?)(?: \(issues: (\d+)\))?$/.exec(second ?? '');
    expect(expected, 'line 1 is "# expected: <message>"').toBeTruthy();
    expect(hintLine, 'line 2 is "# hint: <hint>"').toBeTruthy();
    const err = await loadProfile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProfileError);
    const e = err as ProfileError;
    expect(e.exitCode).toBe(2);
    expect(e.issues).toHaveLength(Number(hintLine![2] ?? 1));
    const lines = e.message.split('\n');
    expect(lines[0]).toBe(expected);
    expect(lines[1]).toBe(`  hint: ${hintLine![1]}`);
  });
}

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
