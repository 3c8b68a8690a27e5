import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../run/playwright.ts';

/** Run the CLI; its exit code and everything it printed. */
async function wirespeed(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['cli/wirespeed.js', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { code, output };
}

test('profiles that cannot run on the lab, bad keys and unknown NICs are refused before anything runs', async () => {
  const conformance = await wirespeed(['certify', '--lab', 'lab/local.yaml', '--profile', 'sriov-conformance']);
  expect(conformance.code).toBe(2);
  expect(conformance.output).toContain("wirespeed: ConfigError: --profile: nothing of profile sriov-conformance can run on lab local: the NIC of lab 'local' is virtual: the sriov datapath needs a physical NIC");
  const nic = await wirespeed(['certify', '--lab', 'lab/local.yaml', '--profile', 'nic-performance', '--nic', 'nic9']);
  expect(nic.code).toBe(2);
  expect(nic.output).toContain('--nic: lab local has no NIC named "nic9" on its DUT node');
  const key = await wirespeed(['certify', '--lab', 'lab/local.yaml', '--profile', 'nic-performance', '--sign-key', 'lab/local.yaml']);
  expect(key.code).toBe(2);
  expect(key.output).toMatch(/--sign-key: lab\/local\.yaml is not a private key in PEM/);
  const noDir = await wirespeed(['certify', 'verify', 'results/no-such-certificate']);
  expect(noDir.code).toBe(2);
  expect(noDir.output).toContain('results/no-such-certificate: no certificate manifest');
});
