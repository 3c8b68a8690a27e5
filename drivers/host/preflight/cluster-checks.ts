/**
 * Checks of a Kubernetes lab as a whole rather than of one node: the kubeconfig loads and has the context
 * the inventory names, the API server answers with its credentials, and each release bundle the
 * lab would install (`cluster.install`) is there, parses, and runs the pinned version. They used to be load
 * errors of the inventory, so the first missing kubeconfig ended `lab check` before any node was looked at;
 * now they are reported beside the nodes' checks, with `node: null` in the JSON.
 */
import { dirname } from 'node:path';
import { clusterSourceIssues, FileChecks } from '../../../lab/validate.ts';
import type { Lab } from '../../../lab/model.ts';
import { shownValue } from '../../../core/terminal-text.ts';
import { Cluster, kubeconfigOf } from '../../kubernetes/cluster.ts';
import { wantsFakeCluster } from '../../kubernetes/placeholder-kubeconfig.ts';
import { checkBundle, COMPONENT_IDS, type VersionKey } from '../../kubernetes/stack/component.ts';
import { fail, pass, skip, type LabCheck, type LabCheckSource } from './check.ts';

/** The kubeconfig file exists, loads, and holds the inventory's context (or a current one). */
export const kubeconfigCheck: LabCheck = {
  name: 'kubeconfig',
  appliesTo: (lab) => lab.cluster !== undefined,
  async inspect(lab) {
    const cluster = lab.cluster!;
    const missing = clusterSourceIssues(lab.config.cluster!, dirname(lab.file), new FileChecks()).find((i) => i.path[1] === 'kubeconfig');
    if (missing) return fail(missing.message, missing.hint);
    // Throws ConfigError (where + hint) for an unreadable file, bad YAML or an unknown context: a failed check.
    const kc = await kubeconfigOf(cluster);
    const current = kc.getCurrentCluster()!;
    const placeholder = await wantsFakeCluster(cluster.kubeconfig);
    return pass(
      placeholder
        ? `context ${kc.getCurrentContext()}: a placeholder for the fake cluster of fixtures/kube, which each run starts for itself`
        : `context ${kc.getCurrentContext()}: cluster ${current.name} at ${current.server}, user ${kc.getCurrentUser()?.name ?? '(none)'}`,
    );
  },
};

/** The API server answers `GET /version` with the kubeconfig's credentials. */
export const clusterApiCheck: LabCheck = {
  name: 'cluster-api',
  appliesTo: (lab) => lab.cluster !== undefined,
  timeoutMs: 30_000,
  async inspect(lab) {
    const cfg = lab.cluster!;
    // Not a gate: the bundles are checked whatever the kubeconfig says; only this check needs it.
    if (!(await kubeconfigOf(cfg).then(() => true, () => false))) return skip('not run: kubeconfig failed');
    if (await wantsFakeCluster(cfg.kubeconfig)) return skip('the kubeconfig is a placeholder: no cluster runs until a run starts the fake one');
    const cluster = await Cluster.fromLab(cfg, 'lab-check');
    const started = performance.now();
    const version = await cluster.serverVersion();
    return pass(`${cluster.name} answers: Kubernetes ${version} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  },
};

/**
 * One check per bundle the lab would install: a file that parses into Kubernetes objects, runs the
 * component's image at the pinned version and places its namespaced objects, as installing checks before it
 * touches the cluster. An https bundle is read when a run installs it: lab check does not download.
 */
export const manifestChecks: LabCheckSource = {
  name: 'manifests',
  checksFor: (lab: Lab) =>
    Object.entries(lab.cluster?.install ?? {}).map(
      ([key, source]): LabCheck => ({
        name: `manifests ${key}`,
        appliesTo: () => (/^https:\/\//.test(source) ? `${shownValue(source)} is an https URL: it is downloaded when a run installs ${key}; lab check does not download it` : true),
        async inspect(l) {
          const problem = clusterSourceIssues(l.config.cluster!, dirname(l.file), new FileChecks()).find((i) => i.path[1] === 'install' && i.path[2] === key);
          if (problem) return fail(problem.message, problem.hint);
          // The loader refuses an installed component without a pinned version.
          const pinned = l.cluster!.versions[key as VersionKey]!;
          // Throws ConfigError (where + hint): not YAML, not Kubernetes objects, another version, unplaced objects.
          const objects = await checkBundle(COMPONENT_IDS[key as VersionKey], source, pinned);
          const kinds = [...new Set(objects.map((o) => o.kind))];
          return pass(`${shownValue(l.config.cluster!.install[key as VersionKey]!)}: ${objects.length} objects (${kinds.join(', ')}), ${key} ${pinned}`);
        },
      }),
    ),
};
