/**
 * A kubeconfig whose current cluster carries the extension `wirespeed.io/fake-cluster` is a placeholder:
 * no cluster is behind it, and the Kubernetes suite fixture starts the fake of fixtures/kube/ on this
 * machine for the run. The CLI asks too: such a lab's lease is this machine's lease file.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

export const FAKE_CLUSTER_EXTENSION = 'wirespeed.io/fake-cluster';

/** Does the kubeconfig's current cluster carry the fake-cluster extension? */
export async function wantsFakeCluster(path: string): Promise<boolean> {
  const kc = parse(await readFile(path, 'utf8')) as {
    'current-context'?: string;
    contexts?: { name: string; context?: { cluster?: string } }[];
    clusters?: { name: string; cluster?: { extensions?: { name: string }[] } }[];
  };
  const ctx = kc.contexts?.find((c) => c.name === kc['current-context']);
  const cl = kc.clusters?.find((c) => c.name === ctx?.context?.cluster);
  return (cl?.cluster?.extensions ?? []).some((e) => e.name === FAKE_CLUSTER_EXTENSION);
}
