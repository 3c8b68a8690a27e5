/**
 * Kubernetes scenario fixtures on top of suites/test.ts: the lab's cluster (per worker), torn down by run
 * label when the worker ends, checked to leave no labelled object; and on failure the pods' phases, events
 * and logs attached to the report. A kubeconfig whose cluster carries the `wirespeed.io/fake-cluster`
 * extension starts the fake cluster of fixtures/kube/ for the worker (no real cluster runs on dev machines).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { ProvisionError } from '../../core/errors.ts';
import { Cluster } from '../../drivers/kubernetes/cluster.ts';
import { FAKE_CLUSTER_EXTENSION, startFakeCluster, type FakeCluster } from '../../fixtures/kube/fake-cluster.ts';
import { test as base } from '../test.ts';

export interface KubeLab {
  readonly cluster: Cluster;
  readonly versions: Readonly<Record<string, string>>;
  /** Set when the lab's kubeconfig asked for the fake cluster. */
  readonly fake: FakeCluster | undefined;
}

type KubeState = { readonly kube: KubeLab } | { readonly unavailable: string };

export const test = base.extend<{ kube: KubeLab; kubeFailureReport: void }, { kubeState: KubeState }>({
  kubeState: [
    async ({ lab, settings }, use) => {
      const cfg = lab.lab.cluster;
      if (lab.facts.kind !== 'kubernetes' || !cfg) {
        await use({ unavailable: `needs a Kubernetes lab: lab '${lab.facts.name}' is ${lab.facts.kind}` });
        return;
      }
      const fake = (await wantsFake(cfg.kubeconfig)) ? await startFakeCluster() : undefined;
      try {
        const cluster = Cluster.fromLab(fake ? { kubeconfig: fake.kubeconfigPath, context: fake.context, namespace: cfg.namespace } : cfg, settings.runId);
        try {
          await use({ kube: { cluster, versions: cfg.versions, fake } });
        } finally {
          await cluster.teardown();
          const left = await cluster.leftovers();
          if (left.length) throw new ProvisionError(`teardown left objects with the run label: ${left.join(', ')}`, { where: `cluster ${cluster.name}`, hint: `delete them with kubectl delete ... -l wirespeed.io/run=${settings.runId}` });
        }
      } finally {
        await fake?.stop();
      }
    },
    { scope: 'worker', timeout: 300_000 },
  ],
  kube: async ({ kubeState }, use, testInfo) => {
    if ('unavailable' in kubeState) testInfo.skip(true, kubeState.unavailable);
    else await use(kubeState.kube);
  },
  kubeFailureReport: [
    async ({ kubeState }, use, testInfo) => {
      await use();
      if (testInfo.status === testInfo.expectedStatus || !('kube' in kubeState)) return;
      const body = await kubeState.kube.cluster.failureReport().catch((e: unknown) => `could not collect: ${String(e)}`);
      await testInfo.attach('kubernetes.txt', { body, contentType: 'text/plain' });
    },
    { auto: true },
  ],
});

export { expect } from '../test.ts';

/** Does the kubeconfig's current cluster carry the fake-cluster extension? */
async function wantsFake(path: string): Promise<boolean> {
  const kc = parse(await readFile(path, 'utf8')) as { 'current-context'?: string; contexts?: { name: string; context?: { cluster?: string } }[]; clusters?: { name: string; cluster?: { extensions?: { name: string }[] } }[] };
  const ctx = kc.contexts?.find((c) => c.name === kc['current-context']);
  const cl = kc.clusters?.find((c) => c.name === ctx?.context?.cluster);
  return (cl?.cluster?.extensions ?? []).some((e) => e.name === FAKE_CLUSTER_EXTENSION);
}
