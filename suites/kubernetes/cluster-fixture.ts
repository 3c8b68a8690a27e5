/**
 * Kubernetes scenario fixtures on top of suites/test.ts: the lab's cluster (per worker), torn down by run
 * label when the worker ends, checked to leave no labelled object; and on failure the pods' phases, events
 * and logs attached to the report. A kubeconfig whose cluster carries the `wirespeed.io/fake-cluster`
 * extension starts the fake cluster of fixtures/kube/ for the worker (no real cluster runs on dev machines).
 */
import { appendFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError, ProvisionError } from '../../core/errors.ts';
import type { SriovVia } from '../../lab/schema.ts';
import { Cluster, type OwnedObject } from '../../drivers/kubernetes/cluster.ts';
import type { ComponentSources } from '../../drivers/kubernetes/stack/component.ts';
import { FAKE_CLUSTER_EXTENSION, MANIFEST_BUNDLES, startFakeCluster, type BundleName, type FakeCluster, type FakeClusterOptions } from '../../fixtures/kube/fake-cluster.ts';
import { reportingFailure, test as base } from '../test.ts';

export interface KubeLab {
  readonly cluster: Cluster;
  /** Pinned versions and the manifests to install what the cluster lacks. */
  readonly sources: ComponentSources;
  /** Hugepage size of the DUT node (what the workload pods request). */
  readonly pageSize: '2Mi' | '1Gi';
  /** Who gives pods their VFs: the SR-IOV operator, or the device plugin alone (cluster.sriov.via). */
  readonly sriovVia: SriovVia;
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
      const fakeOpts = await fakeClusterOptions(cfg.kubeconfig);
      const fake = fakeOpts ? await startFakeCluster(fakeOpts) : undefined;
      try {
        // Every object the run creates is recorded with its uid as soon as it exists, so that what a crashed
        // run left can be found and removed by uid (and nothing else).
        const owned = join(settings.outDir, OWNED_OBJECTS_FILE);
        await mkdir(settings.outDir, { recursive: true });
        const onOwned = (o: OwnedObject) => appendFileSync(owned, `${JSON.stringify({ cluster: cfg.kubeconfig, ...o })}\n`);
        const cluster = await Cluster.fromLab(fake ? { kubeconfig: fake.kubeconfigPath, context: fake.context, namespace: cfg.namespace } : cfg, settings.runId, { onOwned });
        try {
          const sizeKb = lab.lab.nodesWithRole('dut')[0]?.hugepages?.sizeKb ?? 1048576;
          await use({ kube: { cluster, sources: { versions: cfg.versions, install: cfg.install }, pageSize: sizeKb === 2048 ? '2Mi' : '1Gi', sriovVia: cfg.sriov.via, fake } });
        } finally {
          await reportingFailure(async () => {
            await cluster.teardown();
            const left = await cluster.leftovers();
            if (left.length) throw new ProvisionError(`teardown left objects with the run label: ${left.join(', ')}`, { where: `cluster ${cluster.name}`, hint: `the run's objects and uids are in ${owned}` });
          });
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

/** The run's objects and their uids, one JSON line each, in the run directory. */
export const OWNED_OBJECTS_FILE = 'kubernetes-objects.jsonl';

/**
 * When the kubeconfig's current cluster carries the fake-cluster extension: the fake's options (the components
 * it has pre-installed, `extension: { preinstalled: [multus, ...] }`); undefined for a real cluster.
 */
async function fakeClusterOptions(path: string): Promise<FakeClusterOptions | undefined> {
  let kc: { 'current-context'?: string; contexts?: { name: string; context?: { cluster?: string } }[]; clusters?: { name: string; cluster?: { extensions?: { name: string; extension?: { preinstalled?: string[] } }[] } }[] };
  try {
    kc = parse(await readFile(path, 'utf8')) as typeof kc;
  } catch {
    return undefined; // not ours to judge: the driver loads it and reports what is wrong (without its secrets)
  }
  const ctx = kc?.contexts?.find((c) => c.name === kc['current-context']);
  const cl = kc?.clusters?.find((c) => c.name === ctx?.context?.cluster);
  const ext = (cl?.cluster?.extensions ?? []).find((e) => e.name === FAKE_CLUSTER_EXTENSION);
  if (!ext) return undefined;
  const known = Object.keys(MANIFEST_BUNDLES);
  const pre = ext.extension?.preinstalled ?? [];
  const bad = pre.find((p) => !known.includes(p));
  if (bad) throw new ConfigError(`fake cluster: unknown pre-installed component ${bad}`, { where: path, hint: `known: ${known.join(', ')}` });
  return { preinstalled: pre as BundleName[] };
}
