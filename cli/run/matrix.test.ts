import { expect, test } from '@playwright/test';
import { matrixFor } from './matrix.ts';

const names = (m: { datapath: string; nic: string }[]) => m.map((c) => `${c.datapath}-${c.nic}`);

test('a Kubernetes lab runs the userspace datapaths once and vDPA only on NICs that have it', () => {
  const k8s = { facts: { name: 'k', kind: 'kubernetes' as const, datapaths: [], cpuCount: 8, links: 1 }, nics: ['x710', 'cx6dx'] };
  expect(names(matrixFor(k8s, ['sriov', 'vdpa', 'vhost-user', 'memif']))).toEqual(['sriov-x710', 'sriov-cx6dx', 'vdpa-cx6dx', 'vhost-user-x710', 'memif-x710']);
});

test('other labs keep every datapath × NIC cell', () => {
  const bm = { facts: { name: 'b', kind: 'baremetal' as const, datapaths: [], cpuCount: 8, links: 2 }, nics: ['x710', 'cx6dx'] };
  expect(names(matrixFor(bm, ['sriov', 'vhost-user']))).toEqual(['sriov-x710', 'sriov-cx6dx', 'vhost-user-x710', 'vhost-user-cx6dx']);
});
