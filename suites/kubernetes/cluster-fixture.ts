/**
 * Kubernetes scenario fixtures on top of suites/test.ts: the worker's cluster session (suites/fixtures/
 * kube-session.ts, shared with the pod-backed datapath of the host-level suites), torn down when the worker
 * ends; and on failure the pods' phases, events and logs attached to the report.
 */
import { acquireKubeSession, type KubeSession } from '../fixtures/kube-session.ts';
import { reportingFailure, test as base } from '../test.ts';

export type KubeLab = KubeSession;

type KubeState = { readonly kube: KubeLab } | { readonly unavailable: string };

export const test = base.extend<{ kube: KubeLab; kubeFailureReport: void }, { kubeState: KubeState }>({
  kubeState: [
    async ({ lab, settings }, use) => {
      if (lab.facts.kind !== 'kubernetes' || !lab.lab.cluster) {
        await use({ unavailable: `needs a Kubernetes lab: lab '${lab.facts.name}' is ${lab.facts.kind}` });
        return;
      }
      const session = await acquireKubeSession(lab, settings);
      try {
        await use({ kube: session });
      } finally {
        // The last user's release tears the run's objects down and fails on leftovers or touched foreign objects.
        await reportingFailure(() => session.release());
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
