import { expect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './playwright.ts';

// Issue 7's end to end: `wirespeed run` on an inventory that points at the fake cluster (fixtures/kube).
test('`wirespeed run --lab fixtures/labs/fake-k8s.yaml --suite smoke` deploys both stacks, reports EAL arguments, skips host-level scenarios, exits 0', async () => {
  test.setTimeout(300_000);
  const base = await mkdtemp(join(REPO_ROOT, 'test-results', 'k8s-run-'));
  try {
    const child = spawn(process.execPath, ['cli/wirespeed.js', 'run', '--lab', 'fixtures/labs/fake-k8s.yaml', '--suite', 'smoke', '--out', join(base, 'run')], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    await test.info().attach('wirespeed-run.txt', { body: output, contentType: 'text/plain' });
    expect(code, output).toBe(0);
    // SR-IOV on the X710 and vDPA on the ConnectX-6 Dx, the userspace-CNI paths once
    for (const p of ['sriov-l3fwd-pktgen-x710', 'sriov-l3fwd-pktgen-cx6dx', 'vdpa-l3fwd-pktgen-cx6dx', 'vhost-user-l3fwd-pktgen-x710', 'memif-l3fwd-pktgen-x710'])
      expect(output, p).toMatch(new RegExp(`ok +\\[${p}\\] kubernetes smoke`));
    // Multus and the operator were pre-installed (by "helm" on the fake): used as they are; userspace CNI installed.
    expect(output).toMatch(/Multus CNI v4\.1\.0-thick \(pre-installed: DaemonSet kube-system\/kube-multus-ds\)/);
    expect(output).toMatch(/SR-IOV network operator v1\.4\.0 \(pre-installed: Deployment sriov-network-operator\/sriov-network-operator\)/);
    expect(output).toMatch(/Userspace CNI v1\.3 \(installed: DaemonSet kube-system\/userspace-cni\)/);
    expect(output).toMatch(/EAL: --file-prefix=\S+ .*-a 0000:/); // a VF by PCI address (SR-IOV)
    expect(output).toMatch(/EAL: .*--vdev net_memif0,role=client/);
    // Host-level traffic scenarios: the stack factory's Kubernetes branch has no pod backend yet.
    expect(output).toContain('traffic on a Kubernetes lab needs the generator and the DUT running in pods');
    expect(output).not.toMatch(/^FAIL/m);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});
