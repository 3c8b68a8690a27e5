import { test, expect } from '@playwright/test';
import { nodeShells } from '../../shell/node-shells.ts';
import { loadLab } from '../../../lab/load.ts';
import { fail, pass, skip, type CheckSource } from './check.ts';
import { PREFLIGHT_CHECKS } from './checks.ts';
import { runPreflight, THROWN_HINT } from './run.ts';

test('lab check runs the explicit list: gates first, skips with reasons, a gate failure skips the rest, a throwing check fails', async () => {
  expect(PREFLIGHT_CHECKS.map((c) => c.name)).toEqual([
    'root', 'dpdk-runtime', 'libdpdk', 'hugepages', 'hugetlbfs', 'netns', 'cpus',
    'ssh-files', 'ssh-reachable', 'iommu', 'nic', 'cpu-isolation', 'cpu-governor', 'nic-numa', 'vfio-pci', 'nic-driver', 'sriov', 'vdpa',
  ]);
  const lab = await loadLab('fixtures/labs/valid/minimal.yaml');
  const pool = nodeShells(lab);
  const shells = (node: (typeof lab.nodes)[number]) => pool.of(node);
  let ran = 0;
  const checks: CheckSource[] = [
    ...PREFLIGHT_CHECKS,
    // Listed late but a gate, so it runs first; its failure skips everything after it on the node.
    { name: 'test-gate', gate: true, appliesTo: () => true, run: async () => (ran++, fail('gate closed', 'open it')) },
    { name: 'test-after', appliesTo: () => true, run: async () => (ran++, pass('unreachable')) },
    { name: 'test-not-here', appliesTo: () => 'needs a NIC', run: async () => skip('never') },
    { name: 'test-hidden', appliesTo: () => false, run: async () => pass('never') },
    { name: 'per-item', checksFor: (node) => ['a', 'b'].map((x) => ({ name: `per-item ${node.name}.${x}`, appliesTo: () => true, run: async () => pass('') })) },
  ];
  try {
    const results = await runPreflight(lab, shells, checks);
    expect(results[0]).toEqual({ node: 'box', name: 'test-gate', status: 'fail', detail: 'gate closed', hint: 'open it' });
    expect(ran).toBe(1);
    expect(results.find((r) => r.name === 'test-after')).toEqual({ node: 'box', name: 'test-after', status: 'skip', detail: 'not run: test-gate failed' });
    expect(results.find((r) => r.name === 'root')).toMatchObject({ status: 'skip', detail: 'not run: test-gate failed' });
    expect(results.find((r) => r.name === 'test-not-here')).toMatchObject({ status: 'skip', detail: 'needs a NIC' });
    expect(results.find((r) => r.name === 'test-hidden')).toBeUndefined();
    expect(results.filter((r) => r.name.startsWith('per-item ')).map((r) => [r.name, r.status])).toEqual([
      ['per-item box.a', 'skip'],
      ['per-item box.b', 'skip'],
    ]);
    // The minimal lab asks for no hugepages, so that check is left out rather than failed.
    expect(results.find((r) => r.name === 'hugepages')).toBeUndefined();

    // Without the gate every check runs; one that throws fails with its message, the others go on.
    const throwing: CheckSource[] = [
      { name: 'boom', appliesTo: () => true, run: async () => { throw new Error('no such file /proc/x'); } },
      { name: 'after-boom', appliesTo: () => true, run: async () => pass('ran') },
    ];
    expect(await runPreflight(lab, shells, throwing)).toEqual([
      { node: 'box', name: 'boom', status: 'fail', detail: 'no such file /proc/x', hint: THROWN_HINT },
      { node: 'box', name: 'after-boom', status: 'pass', detail: 'ran' },
    ]);
    await expect(runPreflight(lab, shells, [...throwing, throwing[0]!])).rejects.toThrow(/boom is listed twice/);
  } finally {
    await pool.close();
  }
});
