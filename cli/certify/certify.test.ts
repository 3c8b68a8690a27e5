import { test, expect } from '@playwright/test';
import { wirespeedCli } from '../../fixtures/wirespeed-cli.ts';

test('profiles that cannot run on the lab, bad keys and unknown NICs are refused before anything runs', async () => {
  const conformance = await wirespeedCli(['certify', '--lab', 'lab/local.yaml', '--profile', 'sriov-conformance']);
  expect(conformance.code).toBe(2);
  expect(conformance.output).toContain("wirespeed: ConfigError: --profile: nothing of profile sriov-conformance can run on lab local: the NIC of lab 'local' is virtual: the sriov datapath needs a physical NIC");
  const nic = await wirespeedCli(['certify', '--lab', 'lab/local.yaml', '--profile', 'nic-performance', '--nic', 'nic9']);
  expect(nic.code).toBe(2);
  expect(nic.output).toContain('--nic: lab local has no NIC named "nic9" on its DUT node');
  const key = await wirespeedCli(['certify', '--lab', 'lab/local.yaml', '--profile', 'nic-performance', '--sign-key', 'lab/local.yaml']);
  expect(key.code).toBe(2);
  expect(key.output).toMatch(/--sign-key: lab\/local\.yaml is not a private key in PEM/);
  const noDir = await wirespeedCli(['certify', 'verify', 'results/no-such-certificate']);
  expect(noDir.code).toBe(2);
  expect(noDir.output).toContain('results/no-such-certificate: no certificate manifest');
});
