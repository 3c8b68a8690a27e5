/**
 * Kubernetes smoke: for the project's datapath and NIC, deploy the stack (SR-IOV operator with a policy and
 * a SriovNetwork, or userspace CNI NADs) and the generator + DUT pods, and report the devices and EAL
 * arguments each workload gets from network-status. Teardown (the worker fixture) removes every object with
 * the run label and fails the run if any is left. On the fake cluster no packet moves: this checks the
 * orchestration only.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeDeployed, deployScenario, unsupported } from '../../drivers/kubernetes/scenario.ts';
import { need } from '../../drivers/datapath/stack/requirements.ts';
import { expect, test } from './cluster-fixture.ts';

test.use({ requires: [need.kubernetes] });

test('kubernetes smoke: stack, workloads, EAL arguments from network-status @smoke', async ({ kube, lab, datapath, nic, settings }, testInfo) => {
  const dutNic = lab.lab.nodesWithRole('dut').flatMap((n) => n.nics).find((n) => n.model === nic);
  const why = unsupported(datapath, dutNic);
  test.skip(why !== null, why ?? '');
  const isFirstNic = lab.facts.nics[0] === nic;
  test.skip((datapath === 'vhost-user' || datapath === 'memif') && !isFirstNic, `${datapath} does not use the NIC: it runs once, in the ${lab.facts.nics[0]} project`);

  const deployed = await deployScenario(kube.cluster, kube.sources, { datapath: datapath, ...(dutNic ? { nic: dutNic } : {}), runId: settings.runId, pageSize: kube.pageSize, sriovVia: kube.sriovVia });
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
