import { test, expect } from '@playwright/test';
import { removeInline, runInlineSpec } from './inline-spec.ts';

test('a scenario on a datapath the lab lacks is skipped with the reason (sriov, vdpa on the local lab)', async () => {
  const run = await runInlineSpec(
    `import { test } from '@suites/test.ts';
test('needs the stack', async ({ stack }) => { void stack; throw new Error('must not run'); });`,
    [
      { datapath: 'sriov', dut: 'l3fwd', generator: 'wsp-gen', nic: 'virtual' },
      { datapath: 'vdpa', dut: 'l3fwd', generator: 'wsp-gen', nic: 'virtual' },
    ],
  );
  try {
    expect(run.summary, run.output).toBeDefined();
    const s = run.summary!;
    expect(s.exitCode).toBe(0);
    expect(s.scenarios.map((x) => x.status)).toEqual(['skipped', 'skipped']);
    const [sriov, vdpa] = s.scenarios;
    expect(sriov?.detail).toContain("needs sriov: lab 'local' is a local lab with no NIC");
    expect(sriov?.detail).toContain('virtual functions');
    expect(vdpa?.detail).toContain("needs vdpa: lab 'local' is a local lab with no NIC");
  } finally {
    await removeInline(run);
  }
});

test('a scenario that requires more cores than the lab has is skipped saying how many there are', async () => {
  const run = await runInlineSpec(
    `import { test } from '@suites/test.ts';
test.use({ requires: [{ kind: 'cores', atLeast: 64 }] });
test('needs 64 cores', async ({ stack }) => { void stack; throw new Error('must not run'); });
test.describe('unknown capability', () => {
  test.use({ requires: [{ kind: 'teleport' }] as never });
  test('needs teleport', async () => { throw new Error('must not run'); });
});`,
    [{ datapath: 'memif', dut: 'l3fwd', generator: 'wsp-gen', nic: 'virtual' }],
  );
  try {
    const s = run.summary!;
    expect(s, run.output).toBeDefined();
    const byTitle = Object.fromEntries(s.scenarios.map((x) => [x.title, x]));
    expect(byTitle['needs 64 cores']?.status).toBe('skipped');
    expect(byTitle['needs 64 cores']?.detail).toMatch(/^needs cores>=64: lab 'local' has \d+ CPUs? for polling processes$/);
    expect(byTitle['needs teleport']?.status).toBe('skipped');
    expect(byTitle['needs teleport']?.detail).toContain("unknown capability 'teleport'");
  } finally {
    await removeInline(run);
  }
});

test("exit codes follow the severity the failing error's class declares, carried from the worker, not its text", async () => {
  const run = await runInlineSpec(
    `import { test, expect } from '@suites/test.ts';
import { ProvisionError } from '@repo/core/errors.ts';
test('lab problem', async () => { throw new ProvisionError('the vhost-user datapath needs 256 free 2 MB hugepages', { where: 'local', hint: 'free some' }); });
test('missed goal', async () => { expect(1, 'NDR above the goal').toBe(2); });
test('bug', async () => { const o: { x?: { y: number } } = {}; return o.x!.y; });
test('only looks like ours', async () => { throw new Error('ProvisionError: a plain Error whose text names a class'); });`,
    [{ datapath: 'memif', dut: 'l3fwd', generator: 'wsp-gen', nic: 'virtual' }],
  );
  try {
    const s = run.summary!;
    expect(s, run.output).toBeDefined();
    const byTitle = Object.fromEntries(s.scenarios.map((x) => [x.title, x]));
    expect(byTitle['lab problem']).toMatchObject({ status: 'failed', severity: 'lab', errorClass: 'ProvisionError' });
    expect(byTitle['missed goal']).toMatchObject({ status: 'failed', severity: 'scenario' });
    expect(byTitle['bug']).toMatchObject({ status: 'failed', severity: 'internal' });
    expect(byTitle['only looks like ours']).toMatchObject({ status: 'failed', severity: 'internal' });
    expect(s.exitCode).toBe(70); // a harness bug wins over everything
  } finally {
    await removeInline(run);
  }
});

test("a worker fixture's failing teardown sets the exit code by its error's severity", async () => {
  const run = await runInlineSpec(
    `import { test as base, reportingFailure } from '@suites/test.ts';
import { ProvisionError } from '@repo/core/errors.ts';
const test = base.extend<{}, { leaky: void }>({
  leaky: [async ({}, use) => {
    await use();
    await reportingFailure(async () => { throw new ProvisionError('teardown left namespace wsp-x behind', { where: 'local' }); });
  }, { scope: 'worker' }],
});
test('passes', async ({ leaky }) => { void leaky; });`,
    [{ datapath: 'memif', dut: 'l3fwd', generator: 'wsp-gen', nic: 'virtual' }],
  );
  try {
    const s = run.summary!;
    expect(s, run.output).toBeDefined();
    expect(s.scenarios.map((x) => x.status)).toEqual(['passed']);
    expect(s.errors.join('\n')).toContain('teardown left namespace wsp-x behind');
    expect(s.exitCode).toBe(3);
  } finally {
    await removeInline(run);
  }
});
