import { expect, test } from '@playwright/test';
import { matrixEnv, matrixFromEnv, projectName } from '../../contract/matrix.ts';
import { matrixFor } from './matrix.ts';

const names = (m: { datapath: string; nic: string }[]) => m.map((c) => `${c.datapath}-${c.nic}`);

test('a Kubernetes lab runs the userspace datapaths once and vDPA only on NICs that have it', () => {
  const k8s = { kind: 'kubernetes' as const, nics: ['x710', 'cx6dx'] };
  expect(names(matrixFor(k8s, ['sriov', 'vdpa', 'vhost-user', 'memif']))).toEqual(['sriov-x710', 'sriov-cx6dx', 'vdpa-cx6dx', 'vhost-user-x710', 'memif-x710']);
});

test('on a Kubernetes lab listing both generators, each datapath gets the one that runs in a pod on it', () => {
  const k8s = { kind: 'kubernetes' as const, nics: ['x710'] };
  const cells = matrixFor(k8s, ['sriov', 'vhost-user', 'memif'], ['l3fwd'], ['wsp-gen', 'pktgen']);
  expect(cells.map((c) => `${c.datapath}-${c.generator}`)).toEqual(['sriov-pktgen', 'vhost-user-wsp-gen', 'memif-wsp-gen']);
  // Only one listed: it stays, and the stack says why it cannot run there.
  expect(matrixFor(k8s, ['vhost-user'], ['l3fwd'], ['pktgen']).map((c) => c.generator)).toEqual(['pktgen']);
});

test('other labs keep every datapath × NIC cell', () => {
  const bm = { kind: 'baremetal' as const, nics: ['x710', 'cx6dx'] };
  expect(names(matrixFor(bm, ['sriov', 'vhost-user']))).toEqual(['sriov-x710', 'sriov-cx6dx', 'vhost-user-x710', 'vhost-user-cx6dx']);
});

test('every DUT and generator asked for is a cell of its own; the generator defaults by lab kind', () => {
  const cells = matrixFor({ kind: 'local', nics: ['virtual'] }, ['memif'], ['l3fwd', 'testpmd-io'], ['wsp-gen', 'pktgen']);
  expect(cells.map((c) => `${c.datapath}-${c.dut}-${c.generator}-${c.nic}`)).toEqual([
    'memif-l3fwd-wsp-gen-virtual',
    'memif-l3fwd-pktgen-virtual',
    'memif-testpmd-io-wsp-gen-virtual',
    'memif-testpmd-io-pktgen-virtual',
  ]);
  expect(matrixFor({ kind: 'baremetal', nics: ['x710'] }, ['sriov']).map((c) => c.generator)).toEqual(['pktgen']);
});

test('each DUT core count is a cell of its own, after its one-core twin; project names carry the thread-core tag', () => {
  const cells = matrixFor({ kind: 'baremetal', nics: ['x710'] }, ['pf', 'sriov'], ['l3fwd'], ['pktgen'], [1, 2, 4]);
  expect(cells).toEqual([
    { datapath: 'pf', dut: 'l3fwd', generator: 'pktgen', nic: 'x710' },
    { datapath: 'pf', dut: 'l3fwd', generator: 'pktgen', nic: 'x710', dutCores: 2 },
    { datapath: 'pf', dut: 'l3fwd', generator: 'pktgen', nic: 'x710', dutCores: 4 },
    { datapath: 'sriov', dut: 'l3fwd', generator: 'pktgen', nic: 'x710' },
    { datapath: 'sriov', dut: 'l3fwd', generator: 'pktgen', nic: 'x710', dutCores: 2 },
    { datapath: 'sriov', dut: 'l3fwd', generator: 'pktgen', nic: 'x710', dutCores: 4 },
  ]);
  expect(cells.slice(0, 3).map(projectName)).toEqual(['pf-l3fwd-pktgen-x710', 'pf-l3fwd-pktgen-x710-2t2c', 'pf-l3fwd-pktgen-x710-4t4c']);
  // The matrix travels through the environment and back unchanged (a run of 1 core has no dutCores at all).
  expect(matrixFromEnv(matrixEnv(cells))).toEqual(cells);
  expect(() => matrixFromEnv({ WIRESPEED_MATRIX: JSON.stringify([{ ...cells[1], dutCores: 0 }]) })).toThrow(/: 0\.dutCores: /);
});
