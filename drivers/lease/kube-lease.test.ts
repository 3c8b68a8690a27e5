import { test, expect } from '@playwright/test';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { startFakeCluster } from '../../fixtures/kube/fake-cluster.ts';
import { kubeLease, leaseName } from './kube-lease.ts';
import { thisHolder, type LeaseHolder } from './lease.ts';
import { LabBusyError, reserveLab } from './reserve.ts';

const holderOf = (run: string, over: Partial<LeaseHolder> = {}): LeaseHolder => ({ ...thisHolder(run, 'k8s', undefined), ...over });

test('on a Kubernetes lab each node is a coordination.k8s.io Lease: held, waited for, released, taken over when silent', async () => {
  await using fake = await startFakeCluster();
  const kc = new KubeConfig();
  kc.loadFromFile(fake.kubeconfigPath);
  const api = kc.makeApiClient(CoordinationV1Api);
  const slots = () => ['worker-0', 'worker-1'].map((node) => kubeLease({ kubeConfig: kc, node, staleAfterS: 30 }));

  const a = await reserveLab(slots(), { lab: 'k8s', holder: holderOf('run-a'), waitForLabMs: 0 });
  const lease = await api.readNamespacedLease({ name: leaseName('worker-0'), namespace: 'default' });
  expect(lease.spec?.holderIdentity).toBe('run-a');
  expect(lease.spec?.leaseDurationSeconds).toBe(30);
  expect(lease.spec?.leaseTransitions).toBe(0);
  // MicroTime on the wire: six fractional digits, as the API server requires.
  expect(String(lease.spec?.renewTime)).toMatch(/\.\d{6}Z$/);
  expect(JSON.parse(lease.metadata?.annotations?.['wirespeed.io/holder'] ?? '{}')).toMatchObject({ runId: 'run-a', pid: process.pid });

  const busy = await reserveLab(slots(), { lab: 'k8s', holder: holderOf('run-b'), waitForLabMs: 0 }).catch((e: unknown) => e);
  expect(busy).toBeInstanceOf(LabBusyError);
  expect((busy as LabBusyError).what).toMatch(/^lab k8s is held by run run-a /);
  expect((busy as LabBusyError).where).toBe('Lease default/wirespeed-node-worker-0');

  await a.release();
  const released = await api.readNamespacedLease({ name: leaseName('worker-0'), namespace: 'default' });
  expect(released.spec?.holderIdentity).toBeUndefined();

  // A holder on another host whose renewTime is old (it stopped renewing) is taken over; transitions are counted.
  const b = await reserveLab(slots(), { lab: 'k8s', holder: holderOf('run-b', { host: 'ci-7.example' }), waitForLabMs: 0 });
  const old = new Date(Date.now() - 120_000).toISOString().replace('Z', '000Z');
  for (const node of ['worker-0', 'worker-1']) {
    const current = await api.readNamespacedLease({ name: leaseName(node), namespace: 'default' });
    await api.replaceNamespacedLease({ name: leaseName(node), namespace: 'default', body: { ...current, spec: { ...current.spec, renewTime: old as never } } });
  }
  const lines: string[] = [];
  const c = await reserveLab(slots(), { lab: 'k8s', holder: holderOf('run-c'), waitForLabMs: 0, print: (l) => lines.push(l) });
  expect(c.tookOver.map((t) => [t.where, t.previous.runId])).toEqual([
    ['Lease default/wirespeed-node-worker-0', 'run-b'],
    ['Lease default/wirespeed-node-worker-1', 'run-b'],
  ]);
  expect(c.tookOver[0]!.reason).toMatch(/^no heartbeat for 1\d\d s \(stale after 30 s\)$/);
  expect(lines[0]).toMatch(/^warning: took over the lease of run run-b at Lease default\/wirespeed-node-worker-0: no heartbeat/);
  const taken = await api.readNamespacedLease({ name: leaseName('worker-0'), namespace: 'default' });
  expect(taken.spec?.holderIdentity).toBe('run-c');
  expect(taken.spec?.leaseTransitions).toBe(1);
  // The run that lost it lets go without touching the new holder's lease.
  await b.release();
  expect((await api.readNamespacedLease({ name: leaseName('worker-0'), namespace: 'default' })).spec?.holderIdentity).toBe('run-c');
  await c.release();
});

test('two runs racing for a free Lease: exactly one gets it (compare-and-swap on resourceVersion)', async () => {
  await using fake = await startFakeCluster();
  const kc = new KubeConfig();
  kc.loadFromFile(fake.kubeconfigPath);
  const slot = () => kubeLease({ kubeConfig: kc, node: 'worker-0', staleAfterS: 30 });
  const results = await Promise.allSettled(['r1', 'r2', 'r3'].map((r) => reserveLab([slot()], { lab: 'k8s', holder: holderOf(r), waitForLabMs: 0 })));
  const won = results.filter((r) => r.status === 'fulfilled');
  expect(won).toHaveLength(1);
  expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof LabBusyError)).toBe(true);
  await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof reserveLab>>>).value.release();
});

test('the fake API server validates Leases as the real one does', async () => {
  await using fake = await startFakeCluster();
  const kc = new KubeConfig();
  kc.loadFromFile(fake.kubeconfigPath);
  const api = kc.makeApiClient(CoordinationV1Api);
  const make = (spec: Record<string, unknown>) => api.createNamespacedLease({ namespace: 'default', body: { metadata: { name: 'x' }, spec } as never });
  await expect(make({ leaseDurationSeconds: 0 })).rejects.toMatchObject({ code: 422 });
  await expect(make({ leaseTransitions: -1 })).rejects.toMatchObject({ code: 422 });
  await expect(make({ preferredHolder: 'someone' })).rejects.toMatchObject({ code: 422 });
  await expect(make({ renewTime: '2026-11-29T20:00:00.123Z' })).rejects.toMatchObject({ code: 400 });
  const ok = await make({ holderIdentity: 'h', leaseDurationSeconds: 15, renewTime: '2026-11-29T20:00:00.123456Z' });
  expect(ok.spec?.holderIdentity).toBe('h');
});
