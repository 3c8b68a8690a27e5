import { expect, test } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { loadLab } from '../../../lab/load.ts';
import { localShell } from '../../shell/local.ts';
import { PREFLIGHT_CHECKS } from './checks.ts';
import { sshFilesCheck } from './host-checks.ts';
import { runPreflight } from './run.ts';

// Each node is this machine, reached through a local shell: the example's key files are not needed.
const withoutKeyFiles = PREFLIGHT_CHECKS.filter((c) => c !== sshFilesCheck);

test('lab check on the example vDPA inventory, run against this machine: hardware checks skip with the reason', async () => {
  const lab = await loadLab(fileURLToPath(new URL('../../../lab/examples/cx6dx-vdpa.yaml', import.meta.url)), { checkFiles: false });
  const shell = localShell();
  const shells = async () => shell; // pretend each node is this machine: reachable, no NIC
  const results = await runPreflight(lab, shells, withoutKeyFiles);
  const mine = results.filter((r) => /^(vfio-pci|nic-driver|sriov|vdpa)/.test(r.name));
  expect(mine.length).toBeGreaterThan(0);
  const byName = (prefix: string) => mine.filter((r) => r.name.startsWith(prefix));
  expect(byName('nic-driver').every((r) => r.status === 'skip' && /needs the lab's NIC/.test(r.detail))).toBe(true);
  expect(byName('sriov').every((r) => r.status === 'skip' && /needs a NIC with SR-IOV at 0000:/.test(r.detail))).toBe(true);
  expect(byName('vdpa').length).toBeGreaterThan(0);
  // the ConnectX-6 Dx DUT needs the hardware; the X710 generator cannot do vDPA at all (catalogue)
  expect(mine.filter((r) => r.node === 'sut' && r.name.startsWith('vdpa')).every((r) => r.status === 'skip' && /needs a vDPA-capable NIC/.test(r.detail))).toBe(true);
  expect(mine.filter((r) => r.node === 'gen' && r.name.startsWith('vdpa')).every((r) => r.status === 'skip' && /has no vDPA \(needs ConnectX-6/.test(r.detail))).toBe(true);
  // mlx5 is bifurcated (stays on mlx5_core): vfio-pci is only checked on the X710 node
  expect(byName('vfio-pci').map((r) => r.node)).toEqual(['gen']);
  await shell.close();
});

test('an X710 lab needs vfio-pci; vDPA on it is skipped with the catalogue reason', async () => {
  const lab = await loadLab(fileURLToPath(new URL('../../../lab/examples/2n-x710.yaml', import.meta.url)), { checkFiles: false });
  const shell = localShell();
  const shells = async () => shell;
  const results = await runPreflight(lab, shells, withoutKeyFiles);
  const vfio = results.filter((r) => r.name === 'vfio-pci');
  expect(vfio).toHaveLength(2);
  expect(vfio.every((r) => r.status === 'pass' || /modprobe vfio-pci/.test(r.hint ?? ''))).toBe(true);
  expect(results.filter((r) => r.name.startsWith('vdpa'))).toEqual([]); // the lab offers no vdpa
  await shell.close();
});
