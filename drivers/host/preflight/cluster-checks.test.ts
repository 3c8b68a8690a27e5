import { test, expect } from '@playwright/test';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadLab } from '../../../lab/load.ts';
import { FakeApiServer } from '../../../fixtures/kube/fake-api-server.ts';
import { fakeKubeconfig } from '../../../fixtures/kube/fake-cluster.ts';
import type { CheckResult } from './check.ts';
import { runLabChecks } from './run.ts';

const MANIFESTS = resolve('fixtures/kube/manifests');

/** A one-node Kubernetes lab in `dir` whose cluster section is `cluster` (YAML lines, indented by two). */
function writeLab(dir: string, cluster: string[]): string {
  const file = join(dir, 'lab.yaml');
  writeFileSync(
    file,
    [
      'name: k8s-check',
      'kind: kubernetes',
      'nodes:',
      '  - name: w0',
      '    roles: [k8s-worker, tg, dut]',
      '    shell: { kind: local }',
      '    cpus: { tg: "0", dut: "1" }',
      'datapaths: [memif]',
      'cluster:',
      ...cluster,
    ].join('\n'),
  );
  return file;
}

const byName = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.name, r]));

test('a reachable cluster: the kubeconfig, the API server and each bundle pass, as checks of the lab (node null)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsp-k8s-check-'));
  const server = new FakeApiServer();
  try {
    const url = await server.start();
    writeFileSync(join(dir, 'kubeconfig'), fakeKubeconfig(url, server.token, 'perf-lab'));
    mkdirSync(join(dir, 'bundles'));
    copyFileSync(join(MANIFESTS, 'whereabouts-v0.8.0.yaml'), join(dir, 'bundles', 'whereabouts.yaml'));
    const lab = await loadLab(
      writeLab(dir, [
        '  kubeconfig: kubeconfig',
        '  context: perf-lab',
        '  versions: { whereabouts: v0.8.0, userspace-cni: v1.3 }',
        '  install: { whereabouts: bundles/whereabouts.yaml, userspace-cni: "https://example.invalid/userspace-cni-v1.3.yaml" }',
      ]),
      { checkFiles: false },
    );
    const results = await runLabChecks(lab);
    expect(results.map((r) => [r.node, r.name, r.status])).toEqual([
      [null, 'kubeconfig', 'pass'],
      [null, 'cluster-api', 'pass'],
      [null, 'manifests whereabouts', 'pass'],
      [null, 'manifests userspace-cni', 'skip'],
    ]);
    const r = byName(results);
    expect(r['kubeconfig']!.detail).toBe(`context perf-lab: cluster perf-lab at ${url}, user perf-lab-user`);
    expect(r['cluster-api']!.detail).toMatch(new RegExp(`^context perf-lab \\(${url.replace(/[.]/g, '\\.')}\\) answers: Kubernetes v1\\.31\\.0-wirespeed-fake \\(\\d+\\.\\d s\\)$`));
    expect(server.requests).toContain('GET /version');
    expect(r['manifests whereabouts']!.detail).toMatch(/^"bundles\/whereabouts\.yaml": \d+ objects \(CustomResourceDefinition, .*DaemonSet.*\), whereabouts v0\.8\.0$/);
    expect(r['manifests userspace-cni']!.detail).toBe('"https://example.invalid/userspace-cni-v1.3.yaml" is an https URL: it is downloaded when a run installs userspace-cni; lab check does not download it');

    // Credentials the API server refuses, then an API server that is gone: failures with what to do.
    writeFileSync(join(dir, 'kubeconfig'), fakeKubeconfig(url, 'not-the-token', 'perf-lab'));
    const refused = byName(await runLabChecks(lab))['cluster-api']!;
    expect(refused).toMatchObject({ status: 'fail', hint: 'check the credentials of the kubeconfig user' });
    expect(refused.detail).toMatch(/401/);
    expect(refused.detail).not.toContain('not-the-token');
    await server.stop();
    writeFileSync(join(dir, 'kubeconfig'), fakeKubeconfig(url, server.token, 'perf-lab'));
    const gone = byName(await runLabChecks(lab))['cluster-api']!;
    expect(gone).toMatchObject({ status: 'fail', hint: 'is the cluster up and the kubeconfig server address right?' });
    expect(gone.detail).toMatch(/cannot reach the API server/);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing kubeconfig, an unknown context, a missing bundle and one of another version each fail with a hint; the other checks still run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsp-k8s-check-'));
  try {
    copyFileSync(join(MANIFESTS, 'whereabouts-v0.8.0.yaml'), join(dir, 'whereabouts.yaml'));
    const file = writeLab(dir, [
      '  kubeconfig: keys/kubeconfig',
      '  context: perf-lab',
      '  versions: { whereabouts: v0.9.0, multus: v4.1.0 }',
      '  install: { whereabouts: whereabouts.yaml, multus: multus-v4.1.0.yaml }',
    ]);
    const lab = await loadLab(file, { checkFiles: false });
    const r = byName(await runLabChecks(lab));
    expect(r['kubeconfig']).toEqual({
      node: null,
      name: 'kubeconfig',
      status: 'fail',
      detail: `kubeconfig file "keys/kubeconfig" not found (looked at ${join(dir, 'keys', 'kubeconfig')})`,
      hint: 'copy the cluster admin kubeconfig there; paths are relative to the inventory file',
    });
    expect(r['cluster-api']).toMatchObject({ status: 'skip', detail: 'not run: kubeconfig failed' });
    expect(r['manifests multus']).toMatchObject({ status: 'fail', detail: `manifests "multus-v4.1.0.yaml" not found (looked at ${join(dir, 'multus-v4.1.0.yaml')})` });
    expect(r['manifests multus']!.hint).toMatch(/upstream release manifests/);
    expect(r['manifests whereabouts']).toMatchObject({ status: 'fail', hint: 'use the v0.9.0 release manifests, or pin cluster.versions.whereabouts to the version they carry' });
    expect(r['manifests whereabouts']!.detail).toMatch(/^cluster\.install\.whereabouts: .*whereabouts\.yaml is not whereabouts IPAM v0\.9\.0: it runs \S+whereabouts:v0\.8\.0/);

    // The kubeconfig is there but lacks the context the inventory names.
    mkdirSync(join(dir, 'keys'));
    writeFileSync(join(dir, 'keys', 'kubeconfig'), fakeKubeconfig('http://127.0.0.1:1', 'token', 'other'));
    const ctx = byName(await runLabChecks(lab))['kubeconfig']!;
    expect(ctx).toMatchObject({ status: 'fail', detail: `cluster.context: context "perf-lab" is not in ${join(dir, 'keys', 'kubeconfig')}`, hint: 'contexts there: other' });
    // A kubeconfig that is not YAML: where it breaks, never its content (it holds credentials).
    writeFileSync(join(dir, 'keys', 'kubeconfig'), 'users: [ { token: s3cr3t-value\n');
    const bad = byName(await runLabChecks(lab))['kubeconfig']!;
    expect(bad.status).toBe('fail');
    expect(bad.detail).toMatch(/^cluster\.kubeconfig: cannot load kubeconfig /);
    expect(bad.detail).not.toContain('s3cr3t-value');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the fake-cluster lab: its kubeconfig is a placeholder, so the API server is not asked; its bundles pass', async () => {
  const lab = await loadLab('fixtures/labs/fake-k8s.yaml', { checkFiles: false });
  const r = await runLabChecks(lab);
  expect(r.map((c) => [c.name, c.status])).toEqual([
    ['kubeconfig', 'pass'],
    ['cluster-api', 'skip'],
    ['manifests userspace-cni', 'pass'],
    ['manifests whereabouts', 'pass'],
  ]);
  expect(r[0]!.detail).toBe('context wirespeed-fake: a placeholder for the fake cluster of fixtures/kube, which each run starts for itself');
  expect(r[1]!.detail).toBe('the kubeconfig is a placeholder: no cluster runs until a run starts the fake one');
  // Labs without a cluster have no lab checks at all.
  expect(await runLabChecks(await loadLab('lab/local.yaml'))).toEqual([]);
});
