import { test, expect } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { InventoryError } from './inventory-error.ts';
import { loadLab, LOCAL_LAB_PATH } from './load.ts';

const INVALID = 'fixtures/labs/invalid';
const VALID = 'fixtures/labs/valid';

test('the local lab loads into the model the others build on', async () => {
  const lab = await loadLab(LOCAL_LAB_PATH);
  try {
    expect(lab.name).toBe('local');
    expect(lab.kind).toBe('local');
    expect(lab.file).toBe(LOCAL_LAB_PATH);
    expect(lab.nodes.map((n) => [n.name, n.roles, n.host])).toEqual([
      ['tg', ['tg'], 'local'],
      ['dut', ['dut'], 'local'],
    ]);
    expect(lab.node('tg').cpus).toEqual({ tg: [1], dut: [], isolated: [], numaNode: 0 });
    expect(lab.node('dut').cpus.dut).toEqual([0]);
    expect(lab.node('tg').ports.map((p) => p.name)).toEqual(['p0', 'p1']);
    expect(lab.links).toEqual([
      { a: { node: 'tg', port: 'p0' }, b: { node: 'dut', port: 'p0' } },
      { a: { node: 'tg', port: 'p1' }, b: { node: 'dut', port: 'p1' } },
    ]);
    expect(lab.peer({ node: 'dut', port: 'p1' })).toEqual({ node: 'tg', port: 'p1' });
    expect(lab.datapaths).toEqual(['vhost-user', 'memif', 'veth', 'vhost-user-ovs']);
    expect(lab.nodes.reduce((s, n) => s + (n.hugepages?.count ?? 0), 0)).toBe(512);
    expect(lab.nodesWithRole('dut').map((n) => n.name)).toEqual(['dut']);
    expect(() => lab.node('nope')).toThrow(/has no node nope/);
    // One shell per node, created once, and it runs commands.
    const sh = await lab.node('tg').shell();
    expect(await lab.node('tg').shell()).toBe(sh);
    expect((await sh.run(['echo', 'ok'])).stdout).toBe('ok\n');
  } finally {
    await lab.close();
  }
});

test('valid inventories load, with defaults and resolved paths', async () => {
  const files = readdirSync(VALID).filter((f) => f.endsWith('.yaml'));
  expect(files.length).toBeGreaterThanOrEqual(3);
  for (const f of files) await (await loadLab(`${VALID}/${f}`)).close();

  const lab = await loadLab(`${VALID}/two-node-ssh.yaml`);
  const gen = lab.node('gen').config.shell;
  expect(gen).toMatchObject({ kind: 'ssh', port: 22, user: 'root', retries: 3 });
  expect(lab.node('sut').host).toBe('ops@sut.lab.example:2222');
  expect(lab.node('gen').cpus).toEqual({ tg: [2, 3, 4, 5], dut: [], isolated: [2, 3, 4, 5, 6, 7], numaNode: 0 });
  expect(lab.links[1]).toEqual({ a: { node: 'gen', port: 'p1' }, b: { node: 'sut', port: 'p1' } });
  expect(lab.node('gen').port('p0')).toEqual({ name: 'p0', nic: 'nic0', pci: '0000:81:00.0', mac: '3c:fd:fe:aa:bb:00' });

  const k8s = await loadLab(`${VALID}/kubernetes.yaml`);
  expect(k8s.cluster?.kubeconfig).toBe(resolve(VALID, 'keys/kubeconfig'));
  expect(k8s.cluster?.namespace).toBe('perf');
});

test('the commented examples are valid inventories (files they name aside)', async () => {
  for (const f of readdirSync('lab/examples').filter((x) => x.endsWith('.yaml'))) {
    const lab = await loadLab(`lab/examples/${f}`, { checkFiles: false });
    expect(lab.nodes.length, f).toBeGreaterThan(0);
  }
});

const invalid = readdirSync(INVALID).filter((f) => f.endsWith('.yaml'));

test('there are at least 12 invalid inventories, each with its expected message', () => {
  expect(invalid.length).toBeGreaterThanOrEqual(12);
});

for (const f of invalid) {
  test(`invalid inventory ${f} gives its exact message`, async () => {
    const path = `${INVALID}/${f}`;
    const [first, second] = readFileSync(path, 'utf8').split('\n');
    const expected = /^# expected: (.*)$/.exec(first ?? '')?.[1];
    const hintLine = /^# hint: (.*?)(?: \(issues: (\d+)\))?$/.exec(second ?? '');
    expect(expected, 'line 1 is "# expected: <message>"').toBeTruthy();
    expect(hintLine, 'line 2 is "# hint: <hint>"').toBeTruthy();
    const err = await loadLab(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InventoryError);
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as InventoryError;
    expect(e.exitCode).toBe(2);
    expect(e.issues).toHaveLength(Number(hintLine![2] ?? 1));
    const lines = e.message.split('\n');
    expect(lines[0]).toBe(expected);
    expect(lines[1]).toBe(`  hint: ${hintLine![1]}`);
  });
}

test('all problems are reported at once, in file order', async () => {
  const err = (await loadLab(`${INVALID}/yaml-syntax.yaml`).catch((e: unknown) => e)) as InventoryError;
  const lines = err.issues.map((i) => i.line);
  expect(lines).toEqual([...lines].sort((a, b) => a - b));
  expect(err.message.split('\n').filter((l) => l.startsWith(INVALID))).toHaveLength(err.issues.length);
});

test('a missing inventory file is a ConfigError naming it', async () => {
  const err = await loadLab('fixtures/labs/nope.yaml').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).message).toMatch(/^fixtures\/labs\/nope.yaml: cannot read the lab inventory: ENOENT/);
  expect((err as ConfigError).hint).toContain('lab/local.yaml');
});
