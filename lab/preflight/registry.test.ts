import { test, expect } from '@playwright/test';
import { loadLab } from '../load.ts';
import { fail, pass, registerCheck, registeredChecks, runPreflight, skip } from './index.ts';

test('other areas extend preflight with registerCheck; gates, skips and throwing checks behave', async () => {
  // The built-in ones come first; other areas' checks (drivers/host) follow.
  expect(registeredChecks().slice(0, 10)).toEqual(['root', 'dpdk-runtime', 'libdpdk', 'hugepages', 'hugetlbfs', 'netns', 'cpus', 'ssh-reachable', 'iommu', 'nic']);
  const lab = await loadLab('fixtures/labs/valid/minimal.yaml');
  let ran = 0;
  // Registered late but a gate, so it runs first; its failure skips everything after it on the node.
  registerCheck({ name: 'test-gate', gate: true, appliesTo: (_n, l) => l.name === 'tiny', run: async () => (ran++, fail('gate closed')) });
  registerCheck({ name: 'test-after', appliesTo: (_n, l) => l.name === 'tiny', run: async () => (ran++, pass('unreachable')) });
  registerCheck({ name: 'test-not-here', appliesTo: (_n, l) => (l.name === 'tiny' ? 'needs a NIC' : false), run: async () => skip('never') });
  registerCheck({ name: 'test-hidden', appliesTo: () => false, run: async () => pass('never') });
  expect(() => registerCheck({ name: 'test-gate', appliesTo: () => true, run: async () => pass('') })).toThrow(/registered twice/);
  try {
    const results = await runPreflight(lab);
    expect(results[0]).toEqual({ node: 'box', name: 'test-gate', status: 'fail', detail: 'gate closed' });
    expect(ran).toBe(1);
    expect(results.find((r) => r.name === 'test-after')).toEqual({ node: 'box', name: 'test-after', status: 'skip', detail: 'not run: test-gate failed' });
    expect(results.find((r) => r.name === 'test-not-here')).toMatchObject({ status: 'skip', detail: 'needs a NIC' });
    expect(results.find((r) => r.name === 'test-hidden')).toBeUndefined();
    // The minimal lab asks for no hugepages, so that check is left out rather than failed.
    expect(results.find((r) => r.name === 'hugepages')).toBeUndefined();
  } finally {
    await lab.close();
  }
});
