import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { quote } from '../core/shell-quote.ts';
import { ConfigError } from '../core/errors.ts';
import { InventoryError } from './inventory-error.ts';
import { loadLab, LOCAL_LAB_PATH, MAX_INVENTORY_BYTES } from './load.ts';
import { invalidYamlCases } from '../fixtures/invalid-yaml-cases.ts';

const INVALID = 'fixtures/labs/invalid';
const VALID = 'fixtures/labs/valid';

test('the local lab loads into the model the others build on', async () => {
  const lab = await loadLab(LOCAL_LAB_PATH);
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
  expect(lab.node('tg').access).toEqual({ kind: 'local' });
});

test('valid inventories load, with defaults and resolved paths', async () => {
  const files = readdirSync(VALID).filter((f) => f.endsWith('.yaml'));
  expect(files.length).toBeGreaterThanOrEqual(3);
  for (const f of files) await loadLab(`${VALID}/${f}`);

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

test('a lab\'s duts may name an alias: `vpp` stands for both VPP forwardings, each kind counted once', async () => {
  const lab = await loadLab(`${VALID}/dut-alias.yaml`);
  expect(lab.duts).toEqual(['l3fwd', 'vpp-l2xc', 'vpp-ip4base']);
  expect((await loadLab(`${VALID}/minimal.yaml`)).duts).toEqual(['l3fwd']);
});

test('the commented examples are valid inventories (files they name aside)', async () => {
  for (const f of readdirSync('lab/examples').filter((x) => x.endsWith('.yaml'))) {
    const lab = await loadLab(`lab/examples/${f}`, { checkFiles: false });
    expect(lab.nodes.length, f).toBeGreaterThan(0);
  }
});

invalidYamlCases({ what: ['inventory', 'inventories'], dir: INVALID, load: loadLab, errorClass: InventoryError, atLeast: 12 });

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

test('one anchor reused 120 times (with a merge key) loads: the bound is on expansion, not on alias count', async () => {
  const lab = await loadLab(`${VALID}/many-aliases.yaml`);
  expect(lab.nodes).toHaveLength(121);
  const last = lab.node('w119');
  expect(last.roles).toEqual(['dut']);
  expect(last.config.shell).toEqual({ kind: 'local' });
  expect(last.ports.map((p) => p.name)).toEqual(['p0', 'p1']);
  expect(lab.peer({ node: 'w119', port: 'p1' })).toEqual({ node: 'tg', port: 'p1' });
});

test.describe('inventories that are not inventories', () => {
  let dir: string;
  test.beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wsp-inventory-'));
  });
  test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a file over the size cap is refused before it is read, naming its size and the cap', async () => {
    const big = join(dir, 'huge.yaml');
    writeFileSync(big, '');
    truncateSync(big, 50 * 1024 * 1024); // sparse: the test writes nothing
    const err = await loadLab(big).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.where).toBe(big);
    expect(e.what).toBe(`the lab inventory is 50 MiB, more than the ${MAX_INVENTORY_BYTES / 1024 / 1024} MiB an inventory may have`);
    expect(e.hint).toMatch(/check that --lab names the inventory/);
    expect(e.exitCode).toBe(2);
  });

  test('a stream with no size (/dev/zero) is refused once it passes the cap', async () => {
    const err = await loadLab('/dev/zero').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).what).toBe(`the lab inventory is more than ${MAX_INVENTORY_BYTES / 1024 / 1024} MiB, more than the ${MAX_INVENTORY_BYTES / 1024 / 1024} MiB an inventory may have`);
  });

  test('a directory is a ConfigError, not a crash', async () => {
    const err = await loadLab(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('is a directory');
  });

  test('hint commands quote inventory values: pasted into a shell they run with exactly those arguments', async () => {
    const canary = join(dir, 'canary');
    const hostile = `keys/$(touch ${canary}) it's; touch ${canary} #`;
    mkdirSync(join(dir, 'keys'));
    writeFileSync(join(dir, 'known_hosts'), '');
    const file = join(dir, 'lab.yaml');
    writeFileSync(
      file,
      [
        'name: hostile',
        'kind: baremetal',
        'nodes:',
        '  - name: gen',
        '    roles: [tg]',
        `    shell: { kind: ssh, host: 192.0.2.10, user: ops, port: 2222, key: ${JSON.stringify(hostile)}, knownHosts: known_hosts }`,
        '    nics: [{ name: nic0, model: x710, ports: [{ name: p0, pci: "0000:81:00.0" }] }]',
        'datapaths: [sriov]',
      ].join('\n'),
    );
    const err = (await loadLab(file).catch((e: unknown) => e)) as InventoryError;
    expect(err).toBeInstanceOf(InventoryError);
    const hint = err.issues[0]!.hint;
    const commands = [...hint.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    expect(commands).toEqual([
      quote(['ssh-keygen', '-t', 'ed25519', '-N', '', '-f', hostile]),
      quote(['ssh-copy-id', '-i', `${hostile}.pub`, '-p', '2222', 'ops@192.0.2.10']),
    ]);
    // What a shell makes of each pasted command: the arguments, one by one, and nothing run.
    for (const [text, argv] of [
      [commands[0]!, ['ssh-keygen', '-t', 'ed25519', '-N', '', '-f', hostile]],
      [commands[1]!, ['ssh-copy-id', '-i', `${hostile}.pub`, '-p', '2222', 'ops@192.0.2.10']],
    ] as const) {
      const out = execFileSync('sh', ['-c', `set -- ${text}; printf '%s\\0' "$@"`], { encoding: 'utf8' });
      expect(out.split('\0').slice(0, -1)).toEqual(argv);
    }
    expect(existsSync(canary)).toBe(false);
  });

  test('unknown keys and values with control characters are shown escaped, never raw', async () => {
    const write = (lines: string[]): string => {
      const file = join(dir, 'lab.yaml');
      writeFileSync(file, ['name: ansi', 'kind: local', 'nodes:', '  - name: tg', '    roles: [tg]', '    shell: { kind: local }', ...lines, 'datapaths: [memif]'].join('\n'));
      return file;
    };
    const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;
    const key = (await loadLab(write(['    "\\e[2Jwipe": 1'])).catch((e: unknown) => e)) as InventoryError;
    expect(key).toBeInstanceOf(InventoryError);
    expect(key.message).not.toMatch(raw);
    expect(`${key.issues[0]!.path}: ${key.issues[0]!.message}`).toBe('nodes[0]["\\u001b[2Jwipe"]: unknown key "\\u001b[2Jwipe"');
    const model = (await loadLab(write(['    nics: [{ name: n, model: "\\e]0;owned\\a\\u202e", ports: [{ name: p0 }] }]'])).catch((e: unknown) => e)) as InventoryError;
    expect(model).toBeInstanceOf(InventoryError);
    expect(model.message).not.toMatch(raw);
    expect(model.issues[0]!.message).toBe('NIC model "\\u001b]0;owned\\u0007\\u202e" is not in the catalogue');
  });
});
