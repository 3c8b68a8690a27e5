/**
 * Kubernetes smoke: for the project's datapath and NIC, the stack (SR-IOV operator with a policy and a
 * SriovNetwork, or userspace CNI NADs) and the generator + DUT pods, with the devices and EAL arguments each
 * workload got from the cluster. Where the worker's datapath runs in pods (vhost-user) this is its deployment,
 * and the host-level suites move packets through it; elsewhere (SR-IOV, vDPA, memif on the fake cluster) the
 * scenario is deployed for its orchestration alone. Teardown deletes what the run created, by uid.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeDeployed, deployScenario, unsupported } from '../../drivers/kubernetes/scenario.ts';
import { need } from '../../drivers/datapath/stack/requirements.ts';
import { expect, test } from './cluster-fixture.ts';

test.use({ requires: [need.kubernetes] });

test('kubernetes smoke: stack, workloads, EAL arguments from network-status @smoke', async ({ kube, lab, datapath, nic, settings, stackState }, testInfo) => {
  const dutNic = lab.lab.nodesWithRole('dut').flatMap((n) => n.nics).find((n) => n.model === nic);
  const why = unsupported(datapath, dutNic);
  test.skip(why !== null, why ?? '');
  const isFirstNic = lab.facts.nics[0] === nic;
  test.skip((datapath === 'vhost-user' || datapath === 'memif') && !isFirstNic, `${datapath} does not use the NIC: it runs once, in the ${lab.facts.nics[0]} project`);

  // Where the worker's datapath runs in pods (vhost-user), it is that deployment; elsewhere the scenario is
  // deployed here for its orchestration alone.
  // (stackState is asked for so that the worker's stack is up first: its pods carry the names this would deploy.)
  const inPods = 'running' in stackState ? kube.deployments.get(datapath) : undefined;
  const deployed = inPods ?? (await deployScenario(kube.cluster, kube.sources, { datapath: datapath, ...(dutNic ? { nic: dutNic } : {}), runId: settings.runId, pageSize: kube.pageSize, sriovVia: kube.sriovVia }));
  const report = describeDeployed(deployed);
  await testInfo.attach('kubernetes-deployment.txt', { body: report, contentType: 'text/plain' });
  await writeFile(join(settings.outDir, `kubernetes-${datapath}-${nic}.txt`), report + '\n').catch(() => undefined);
  process.stdout.write(`\n[kubernetes ${datapath} ${nic}]\n${report}\n`);

  expect(deployed.workloads.map((w) => w.spec.role).sort()).toEqual(datapath === 'memif' ? ['generator', 'vpp'] : datapath === 'vhost-user' ? ['l3fwd', 'wsp-gen'] : ['generator', 'l3fwd']);
  for (const w of deployed.workloads) {
    expect(w.devices, `${w.spec.name} got one device per network`).toHaveLength(2);
    if (w.spec.role !== 'vpp') expect(w.command.join(' ')).toContain(`--file-prefix=wsp-`);
  }
});
