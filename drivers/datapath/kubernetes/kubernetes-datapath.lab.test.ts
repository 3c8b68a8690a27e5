/**
 * Real packets through pods on the fake cluster: l3fwd in the DUT pod and wsp-gen in the generator pod, each
 * in its own network namespace with its own hugepages and CPU, their vhost-user sockets from the userspace CNI
 * in the pods' shared-dir, joined by the fake node's vswitch stand-in. Then the DUT pod deleted under load:
 * traffic stops, the replacement comes up with its networks re-attached, traffic comes back. Afterwards
 * nothing of it is left on this machine.
 */
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { bundlePath, startFakeCluster, type FakeCluster } from '../../../fixtures/kube/fake-cluster.ts';
import { Cluster } from '../../kubernetes/cluster.ts';
import { kubernetesDatapath, type KubernetesRunningDatapath } from './kubernetes-datapath.ts';

const PREFIX = 'wsp-kdptest-k8s';
const profile = { kind: 'fixed', frameBytes: 64 } as const;

/** Processes whose command line mentions `marker` (the run's DPDK prefixes, the relays' socket paths). */
function processesMentioning(marker: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)
    .filter((e) => {
      try {
        return readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function leftovers(): string[] {
  const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith(PREFIX));
  const huge = readdirSync('/dev/hugepages').filter((f) => f.includes('kdptest'));
  const mounts = execFileSync('mount', { encoding: 'utf8' }).split('\n').filter((l) => l.includes(`/${PREFIX}`));
  const dirs = readdirSync('/run').filter((d) => d.startsWith(PREFIX));
  return [...netns.map((n) => `netns ${n}`), ...huge.map((f) => `hugepage file ${f}`), ...mounts.map((m) => `mount ${m}`), ...dirs.map((d) => `directory /run/${d}`)];
}

test('vhost-user through pods: packets cross l3fwd in its pod, a deleted DUT pod is replaced and traffic comes back, nothing is left', async ({}, testInfo) => {
  test.setTimeout(240_000);
  let fake: FakeCluster | undefined;
  const diagnostics = async () => {
    if (!fake) return;
    const v = fake.agent.vswitch;
    const lines = [`relays: ${JSON.stringify(v.running())}`, `vswitch errors: ${v.errors.join('; ')}`, `agent errors: ${fake.agent.errors.join('; ')}`];
    for (const [b, log] of v.logs) lines.push(`relay ${b}:\n${log}`);
    lines.push(execFileSync('sh', ['-c', `find ${fake.agent.runtime.hostRoot} -ls 2>&1 | tail -30`], { encoding: 'utf8' }));
    for (const [k, log] of fake.server.logs) lines.push(`pod ${k}:\n${log.slice(-2000)}`);
    await testInfo.attach('fake-cluster.txt', { body: lines.join('\n'), contentType: 'text/plain' });
    process.stdout.write(`${lines.join('\n')}\n`);
  };
  try {
    fake = await startFakeCluster({ preinstalled: ['multus'], agent: { sandbox: { namePrefix: PREFIX } } });
    const cluster = await Cluster.fromLab({ kubeconfig: fake.kubeconfigPath, context: fake.context, namespace: 'wsp-kdp' }, 'kdptest', { pollMs: 50 });
    let released = false;
    const dp = kubernetesDatapath('vhost-user', {
      runId: 'kdptest',
      session: async () => ({
        cluster,
        sources: { versions: { multus: 'v4.1.0', 'userspace-cni': 'v1.3' }, install: { 'userspace-cni': bundlePath('userspace-cni') } },
        pageSize: '2Mi',
        sriovVia: 'operator',
        deployments: new Map(),
        release: async () => {
          released = true;
          await cluster.teardown(60_000);
        },
      }),
      tuning: { drainMs: 1000, quietMs: 250 },
    });
    expect(await dp.availability()).toBeNull();
    const running = (await dp.up()) as KubernetesRunningDatapath;
    try {
      expect(running.deployment.stack.join('\n')).toMatch(/Userspace CNI v1\.3 \(installed/);
      const [dutPod, tgPod] = running.deployment.workloads;
      // The sockets come from the userspace CNI's configuration data, in the pods' shared-dir.
      expect(dutPod!.eal.vdevs[0]).toMatch(/^net_virtio_user0,path=\/var\/lib\/cni\/usrspcni\/[0-9a-f]{12}-net1,queues=1,queue_size=4096,server=1$/);
      expect(dutPod!.cpus).not.toEqual(tgPod!.cpus);
      const gen = await running.openGenerator();
      try {
        // The generator's ceiling, measured in its pod beside the open session (the max load of virtual ports).
        const ceiling = await running.generatorSelfTest(profile);
        expect(ceiling.ceilingPps).toBeGreaterThan(0);
        expect(ceiling.generator).toMatch(/^wsp-gen .* \(in pod wsp-tg-vhost-user\)$/);
        const r = await gen.measure({ profile, flows: 1, direction: 'bidirectional', loadPps: 50_000, durationS: 1 });
        expect(r.attempted).toBeGreaterThan(0);
        expect(r.received, 'packets crossed l3fwd in its pod and came back').toBeGreaterThan(0.9 * r.attempted);
        const stats = await running.dutTelemetry!.ethdevStats(0);
        expect(stats.ipackets, 'l3fwd in the pod counted them').toBeGreaterThan(0);

        // Pod delete under load: a trial during the delete loses packets, one after the replacement does not.
        const oldUid = dutPod!.pod.metadata.uid;
        const during = gen.measure({ profile, flows: 1, direction: 'bidirectional', loadPps: 50_000, durationS: 2 });
        const outcome = await running.deletePod();
        const hit = await during;
        expect(running.deployment.workloads[0]!.pod.metadata.uid).not.toBe(oldUid);
        expect(outcome.readyAfterS).toBeGreaterThan(outcome.goneAfterS);
        expect(hit.received).toBeLessThan(hit.attempted);
        let after = await gen.measure({ profile, flows: 1, direction: 'bidirectional', loadPps: 50_000, durationS: 1 });
        // The first trials after the replacement may still span the relay reconnecting: traffic is back once a
        // whole trial crosses it (within about 10 s).
        for (let i = 0; i < 10 && after.received <= 0.9 * after.attempted; i++) after = await gen.measure({ profile, flows: 1, direction: 'bidirectional', loadPps: 50_000, durationS: 1 });
        expect(after.received, 'traffic came back through the replacement pod').toBeGreaterThan(0.9 * after.attempted);
      } finally {
        await gen.close();
      }
    } finally {
      if (testInfo.errors.length || test.info().status !== 'passed') await diagnostics().catch(() => undefined);
      await running.down();
    }
    expect(released).toBe(true);
    expect(fake.agent.errors).toEqual([]);
  } catch (err) {
    await diagnostics().catch(() => undefined);
    throw err;
  } finally {
    await fake?.stop();
  }
  expect(leftovers()).toEqual([]);
  expect(processesMentioning('kdptest')).toEqual([]);
});
