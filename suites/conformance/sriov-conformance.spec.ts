/**
 * SR-IOV conformance of the lab's NIC on its DUT node (drivers/host/conformance): VF creation up to the NIC's
 * and the requested count, VF MAC / VLAN+QoS / trust / spoof checking / link state through the PF, a large MTU
 * on the PF and a VF, RDMA devices on ConnectX VFs, vDPA devices where the NIC has them. One result record per
 * check (`…-sriov-host-64b-conformance-<check>`), written as each check ends. The node is put back afterwards.
 * `wirespeed certify --profile sriov-conformance` sets the parameters from the profile. This file sits in
 * suites/conformance/ so that it runs before failover.spec.ts in a cell's project (Playwright visits the
 * entries of a folder by name): the checks recreate the VFs, and must be done before the failover events
 * (pf-link-down, vf-link-down) bring the sriov stack up on them.
 */
import { test, expect } from '../test.ts';
import { need } from '../../drivers/datapath/stack/requirements.ts';
import { nicModel } from '../../lab/nic-catalogue.ts';
import { runSriovChecks } from '../../drivers/host/conformance/sriov-checks.ts';
import { conformanceSettings, recordConformance } from '../fixtures/conformance.ts';

const settings = conformanceSettings();

test.use({ requires: [need.sriov] });

test('sriov-conformance host checks', { tag: ['@cert'] }, async ({ lab, store, datapath, nic, liveStack }) => {
  test.skip(datapath !== 'sriov', `SR-IOV conformance runs in the sriov cells (this is ${datapath})`);
  // The checks recreate the PFs' VFs: never under a datapath this worker has up on them.
  test.skip(liveStack.current !== undefined, 'the sriov datapath of this worker is up on the same VFs: run sriov-conformance on its own (--suite sriov-conformance)');
  const node = lab.lab.nodesWithRole('dut').find((n) => n.nics.some((x) => x.model.toLowerCase() === nic));
  const card = node?.nics.find((x) => x.model.toLowerCase() === nic);
  test.skip(!node || !card, `no NIC of model ${nic} on a DUT node`);
  const pfs = card!.ports.flatMap((p) => (p.pci === undefined ? [] : [p.pci]));
  test.skip(pfs.length === 0, `NIC ${card!.name} has no PCI addresses in the inventory`);
  const target = { store, nodes: lab.facts.nodeCount, nicTag: lab.facts.nicTag, nic };
  const outcomes = await runSriovChecks({ shell: await lab.shells.of(node!), pfs, model: nicModel(card!.model) }, settings, settings.tests, async (o) => {
    await recordConformance(target, o);
  });
  const failed = outcomes.filter((o) => o.status === 'failed');
  expect(failed.map((o) => `${o.test}: ${o.detail}`), 'conformance checks that failed').toEqual([]);
});
