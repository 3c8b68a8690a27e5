import { expect, test } from '@playwright/test';
import type { LabFacts } from './lab-facts.ts';
import { missingCapability, need, scenarioRequirements, type Capability } from './requirements.ts';

const lab = (kind: LabFacts['kind'], datapaths: LabFacts['datapaths'], cpuCount = 16): LabFacts => ({
  name: 'x',
  kind,
  datapaths,
  cpuCount,
  links: 2,
  nodeCount: 2,
  nicTag: 'x710',
  nics: ['x710'],
});

test('a datapath brings its own needs: vhost-user-ovs on 2 cores says cores, not a missing capability', () => {
  expect(missingCapability(lab('local', ['vhost-user-ovs'], 2), scenarioRequirements('vhost-user-ovs'))).toBe("needs cores>=3: lab 'x' has 2 CPUs for polling processes");
  expect(missingCapability(lab('local', ['vhost-user-ovs'], 3), scenarioRequirements('vhost-user-ovs'))).toBeNull();
  expect(missingCapability(lab('local', ['memif']), scenarioRequirements('sriov'))).toMatch(/^needs sriov: lab 'x' is a local lab with no NIC/);
  expect(missingCapability(lab('baremetal', ['memif']), scenarioRequirements('memif'))).toBeNull();
  expect(missingCapability(lab('baremetal', ['memif']), scenarioRequirements('veth'))).toBe("needs the veth datapath: lab 'x' offers memif");
  expect(missingCapability(lab('baremetal', ['sriov']), scenarioRequirements('sriov'))).toBeNull();
});

test('pf needs a NIC DPDK can own: not on a local lab, not in a pod, and the lab must list it', () => {
  expect(missingCapability(lab('local', ['memif']), scenarioRequirements('pf'))).toBe("needs a physical NIC: lab 'x' is a local lab with no NIC (pf runs DPDK on the physical functions of a NIC)");
  expect(missingCapability(lab('kubernetes', ['sriov', 'pf']), scenarioRequirements('pf'))).toMatch(/^needs a physical NIC owned by DPDK: lab 'x' is a Kubernetes lab, whose pods get VFs/);
  expect(missingCapability(lab('baremetal', ['sriov']), scenarioRequirements('pf'))).toBe("needs the pf datapath: lab 'x' offers sriov");
  expect(missingCapability(lab('baremetal', ['sriov', 'pf']), scenarioRequirements('pf'))).toBeNull();
});

test('scenario requirements: Kubernetes suites need a Kubernetes lab, and one core is one CPU', () => {
  expect(missingCapability(lab('local', ['memif']), scenarioRequirements('memif', [need.kubernetes]))).toBe("needs a Kubernetes lab: lab 'x' is local");
  expect(missingCapability(lab('kubernetes', ['memif']), scenarioRequirements('memif', [need.kubernetes]))).toBeNull();
  expect(missingCapability(lab('local', ['memif'], 1), [need.cores(2)])).toBe("needs cores>=2: lab 'x' has 1 CPU for polling processes");
});

test('a capability the union does not know (an untyped spec) is refused, naming the known ones', () => {
  const bogus = { kind: 'teleport' } as unknown as Capability;
  expect(missingCapability(lab('local', []), [bogus])).toBe("unknown capability 'teleport' (known: sriov, physical-nic, vdpa, ovs, two-links, kubernetes, cores, datapath)");
});
