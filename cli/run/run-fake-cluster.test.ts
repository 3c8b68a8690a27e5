import { expect, test } from '@playwright/test';
import { wirespeedRun } from '../../fixtures/wirespeed-cli.ts';

// Issue 7's end to end: `wirespeed run` on an inventory that points at the fake cluster (fixtures/kube).
// The datapaths whose pods carry no packet on the fake cluster (vhost-user does: a lab test, it starts DPDK).
test('`wirespeed run --lab fixtures/labs/fake-k8s.yaml --suite smoke --datapath sriov,vdpa,memif` deploys the stacks, reports EAL arguments, leaves the pre-installed components untouched, exits 0', async () => {
  test.setTimeout(300_000);
  const { code, output } = await wirespeedRun('fixtures/labs/fake-k8s.yaml', ['--suite', 'smoke', '--datapath', 'sriov,vdpa,memif']);
  expect(code, output).toBe(0);
  // SR-IOV on the X710 and ConnectX-6 Dx, vDPA on the ConnectX-6 Dx, memif once
  for (const p of ['sriov-l3fwd-pktgen-x710', 'sriov-l3fwd-pktgen-cx6dx', 'vdpa-l3fwd-pktgen-cx6dx', 'memif-l3fwd-wsp-gen-x710'])
    expect(output, p).toMatch(new RegExp(`ok +\\[${p}\\] kubernetes smoke`));
  // Multus and the operator were pre-installed (by "helm" on the fake): used as they are; userspace CNI installed.
  // (The run fails when anything of theirs changed: the fake compares them at the end of every worker.)
  expect(output).toMatch(/Multus CNI v4\.1\.0-thick \(pre-installed: DaemonSet kube-system\/kube-multus-ds\)/);
  expect(output).toMatch(/SR-IOV network operator v1\.4\.0 \(pre-installed: Deployment sriov-network-operator\/sriov-network-operator\)/);
  expect(output).toMatch(/Userspace CNI v1\.3 \(installed: DaemonSet kube-system\/userspace-cni\)/);
  expect(output).toMatch(/whereabouts IPAM v0\.8\.0 \(installed: DaemonSet kube-system\/whereabouts\)/);
  expect(output).toMatch(/EAL: --file-prefix=\S+ .*-a 0000:/); // a VF by PCI address (SR-IOV)
  expect(output).toMatch(/EAL: .*--vdev net_memif0,role=client/);
  // The host-level smoke needs packets: on these datapaths the pods carry none here, and it says why.
  expect(output).toMatch(/skip +\[sriov-l3fwd-pktgen-x710\] stack up, one short trial .*sriov through pods needs pktgen in a pod against real VFs/);
  expect(output).not.toMatch(/^FAIL/m);
});

// sriov-conformance's device-plugin restart on a cluster without the operator: the inventory lets the run
// restart the plugin (cluster.mayRestart.devicePlugin), the Kubernetes failover suite does it under the pods.
test('`wirespeed run --lab fixtures/labs/fake-k8s-device-plugin.yaml --suite failover --datapath sriov` restarts the device plugin it may restart; the pods keep their VFs and a new pod gets VFs', async () => {
  test.setTimeout(300_000);
  const { code, output } = await wirespeedRun('fixtures/labs/fake-k8s-device-plugin.yaml', ['--suite', 'failover', '--datapath', 'sriov']);
  expect(code, output).toBe(0);
  expect(output).toMatch(/ok +\[sriov-l3fwd-pktgen-x710\] kubernetes failover: device-plugin restart, the running pods keep their VFs/);
  expect(output).toMatch(/ok +\[sriov-l3fwd-pktgen-x710\] kubernetes failover: DUT pod delete/);
  // Traffic through the restart is the failover suite's event on a stack whose pods carry packets: not sriov here.
  expect(output).toMatch(/skip +\[sriov-l3fwd-pktgen-x710\] 64b failover device-plugin-restart .*sriov through pods needs pktgen in a pod against real VFs/);
  expect(output).not.toMatch(/^FAIL/m);
});
