/**
 * A DPDK process in a pod that is not ready fails with what the cluster knows of the pod (its events) and, when
 * it serves vhost-user sockets, where to look: the node's vswitch that never connected (the #15 demo's l3fwd
 * waited in its port probe for it, and the run's summary said only "l3fwd (dut) is (still running)").
 */
import { expect, test } from '@playwright/test';
import { ProvisionError } from '../../../core/errors.ts';
import { bundlePath, startFakeCluster } from '../../../fixtures/kube/fake-cluster.ts';
import { Cluster } from '../../kubernetes/cluster.ts';
import { namespace } from '../../kubernetes/stack/component.ts';
import { multus } from '../../kubernetes/stack/multus.ts';
import { userspaceCni } from '../../kubernetes/stack/userspace-cni.ts';
import { deployWorkload } from '../../kubernetes/workloads/workload.ts';
import { withPodDiagnostics } from './pod-diagnostics.ts';

const NS = 'wsp-poddiag';
const SOURCES = { versions: { multus: 'v4.1.0', 'userspace-cni': 'v1.3' }, install: { 'userspace-cni': bundlePath('userspace-cni') } };

test('a DUT not ready in its pod: the error carries its own output, the pod events, and the vswitch hint for served vhost-user sockets', async () => {
  const fake = await startFakeCluster({ preinstalled: ['multus'], agent: { sandbox: { namePrefix: 'wsp-poddiag-k8s' } } });
  try {
    const cluster = await Cluster.fromLab({ kubeconfig: fake.kubeconfigPath, context: fake.context, namespace: NS }, 'r-poddiag', { pollMs: 20 });
    await cluster.ensure(namespace(NS));
    await multus(SOURCES).up(cluster);
    const u = userspaceCni(SOURCES);
    await u.up(cluster);
    await cluster.apply(u.ovsVhostUser(NS, 'vu', 'br-x'));
    const w = await deployWorkload(cluster, { name: 'dut', role: 'l3fwd', image: 'ghcr.io/wirespeed/dpdk:22.11', cpus: 1, memoryMi: 256, hugepages: { pageSize: '2Mi', amountMi: 64 }, networks: [{ nad: 'vu', interface: 'net1', expect: 'vhost-user' }] }, { runId: 'r-poddiag', timeoutMs: 30_000 });

    const notReady = new ProvisionError('l3fwd (dut) not ready after 30000 ms: l3fwd (dut) is still running; its last line: vhost_user_start_server(): (/var/lib/cni/usrspcni/0123456789ab-net1) waiting for client connection...', { where: `l3fwd (dut) on pod ${NS}/dut (container l3fwd)` });
    const err = await withPodDiagnostics(notReady, cluster, w);
    expect(err).toBeInstanceOf(ProvisionError);
    expect(err.message).toContain(`l3fwd (dut) on pod ${NS}/dut (container l3fwd): l3fwd (dut) not ready after 30000 ms: l3fwd (dut) is still running; its last line: vhost_user_start_server(): (/var/lib/cni/usrspcni/0123456789ab-net1) waiting for client connection...`);
    expect(err.message, 'the pod events').toMatch(/events of Pod .*dut:[\s\S]*Normal Scheduled:[\s\S]*Normal AddedInterface:/);
    expect(err.message, 'the hint names the socket the vswitch must connect to').toMatch(/hint: the process serves its vhost-user sockets \(\/var\/lib\/cni\/usrspcni\/[0-9a-f]{12}-net1\) and waits in its port probe until the node's vswitch connects/);

    // A process that exited is not waiting for the vswitch: its own hint stays.
    const died = new ProvisionError('l3fwd (dut) did not start: l3fwd (dut) exited (exit 1)', { where: 'l3fwd (dut)', hint: 'read the EAL lines' });
    expect((await withPodDiagnostics(died, cluster, w)).message).toMatch(/hint: read the EAL lines$/);
    await cluster.teardown(30_000);
    expect(fake.agent.errors).toEqual([]);
  } finally {
    await fake.stop();
  }
});
