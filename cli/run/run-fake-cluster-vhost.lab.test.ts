import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { runTagOf } from '../../drivers/dpdk/runtime.ts';
import { wirespeedRun } from '../../fixtures/wirespeed-cli.ts';
import { newRunId } from '../../reports/store/run-id.ts';

/** Processes whose command line (DPDK file prefixes) or an open file (the relays' socket directories) names `marker`. */
function processesMentioning(marker: string): number[] {
  const safe = <T>(fn: () => T, dflt: T): T => {
    try {
      return fn();
    } catch {
      return dflt;
    }
  };
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)
    .filter((pid) => safe(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker), false) || safe(() => readdirSync(`/proc/${pid}/fd`), []).some((fd) => safe(() => readlinkSync(`/proc/${pid}/fd/${fd}`).includes(marker), false)))
    .map(Number);
}

// The CLI's path to packets through pods: `wirespeed run` on the fake cluster, with the run id, namespace and
// names the CLI gives them (suites/fixtures/kube-session.ts -> pod backend -> l3fwd and wsp-gen in pods). The
// driver's own lab test used a short test-only run tag, and a real run's longer paths hid the pods' sockets
// from the fake vswitch: l3fwd waited for it forever and only the CLI failed.
test('`wirespeed run --lab fixtures/labs/fake-k8s.yaml --suite smoke --datapath vhost-user` carries packets through l3fwd in its pod and leaves nothing behind', async () => {
  test.setTimeout(240_000);
  // The run directory's name is the run id: one of the shape the CLI gives (its tag names the fake node's paths).
  const runId = newRunId();
  const { code, output } = await wirespeedRun('fixtures/labs/fake-k8s.yaml', ['--suite', 'smoke', '--datapath', 'vhost-user', '--quick'], { runId });
  expect(code, output).toBe(0);
  expect(output).toContain(`wirespeed run ${runId}:`);
  expect(output).toMatch(/ok +\[vhost-user-l3fwd-wsp-gen-x710\] kubernetes smoke/);
  // Packets went through l3fwd in its pod and came back.
  expect(output).toMatch(/1n-x710-2p-vhost-user-l3fwd-64b-smoke: MRR \d+(\.\d+)? [kM]pps/);
  expect(output).toMatch(/ok +1n-x710-2p-vhost-user-l3fwd-64b-smoke/);
  expect(output).not.toMatch(/^FAIL/m);

  // Nothing of the run is left on this machine: pod namespaces, the fake node's directory, hugepage files.
  const tag = runTagOf(runId);
  const left = [
    ...execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(tag)),
    ...readdirSync('/run').filter((d) => d.includes(tag)),
    ...readdirSync('/dev/hugepages').filter((f) => f.includes(tag)),
    ...processesMentioning(tag).map((pid) => `process ${pid}`),
  ];
  expect(left).toEqual([]);
});
