import { test, expect } from '@playwright/test';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startSshd } from '../../fixtures/sshd/sshd.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a user runs it: a child process. */
function wirespeed(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['cli/wirespeed.js', ...args], { timeout: 90_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

interface CheckJson {
  lab: string;
  checks: { node: string | null; name: string; status: string; detail: string; hint?: string }[];
}

/** Every check has a status; every skip and fail says why, every fail what to do. */
function expectEveryCheckExplained(out: CheckJson): void {
  for (const c of out.checks) {
    const what = `${c.node ?? '(lab)'} ${c.name}`;
    expect(['pass', 'fail', 'skip'], what).toContain(c.status);
    if (c.status !== 'pass') expect(c.detail.trim(), what).not.toBe('');
    if (c.status === 'fail') expect(c.hint?.trim(), what).toBeTruthy();
  }
}

const LOCAL_CHECKS = ['root', 'dpdk-runtime', 'libdpdk', 'hugepages', 'hugetlbfs', 'netns', 'cpus'];

test('lab check --json on the local lab: every check passes, exit 0, exactly the documented shape', async () => {
  const r = await wirespeed('lab', 'check', '--lab', 'lab/local.yaml', '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout) as CheckJson;
  expect(Object.keys(out)).toEqual(['lab', 'checks']);
  expect(out.lab).toBe('local');
  for (const c of out.checks) {
    expect(Object.keys(c)).toEqual(['node', 'name', 'status', 'detail']);
    expect(c.status, `${c.node} ${c.name}: ${c.detail}`).toBe('pass');
    expect(c.detail).not.toBe('');
  }
  const mine = out.checks.filter((c) => LOCAL_CHECKS.includes(c.name));
  expect(mine.map((c) => `${c.node} ${c.name}`)).toEqual([...LOCAL_CHECKS.map((n) => `tg ${n}`), ...LOCAL_CHECKS.map((n) => `dut ${n}`)]);
  expect(out.checks.find((c) => c.node === 'tg' && c.name === 'hugepages')?.detail).toMatch(/^512 needed \(tg 256 \+ dut 256 on this host\), \d+ of \d+ 2048 kB pages free$/);
  // The netns check cleaned up after itself.
  const ns = await new Promise<string>((res) => execFile('ip', ['netns', 'list'], (_e, so) => res(so)));
  expect(ns).not.toMatch(/wsp-chk-/);
});

for (const example of readdirSync('lab/examples').filter((f) => f.endsWith('.yaml'))) {
  test(`lab check --json on the example ${example}: every node, every check with a status, every fail and skip with a reason`, async () => {
    // The examples name key files nobody has: each node says so (with how to make one) instead of the
    // first missing key ending the command.
    const r = await wirespeed('lab', 'check', '--lab', `lab/examples/${example}`, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout) as CheckJson;
    expectEveryCheckExplained(out);
    const nodes = [...new Set(out.checks.flatMap((c) => (c.node === null ? [] : [c.node])))];
    const inventory = readFileSync(`lab/examples/${example}`, 'utf8');
    expect(nodes).toEqual([...inventory.matchAll(/^ {2}- name: (\S+)/gm)].map((m) => m[1]));
    // A Kubernetes lab's cluster is checked as a whole (node null), first: its kubeconfig is missing too.
    const labChecks = out.checks.filter((c) => c.node === null);
    if (/^kind: kubernetes$/m.test(inventory)) {
      expect(out.checks.slice(0, labChecks.length)).toEqual(labChecks);
      expect(labChecks[0]).toMatchObject({ name: 'kubeconfig', status: 'fail', detail: expect.stringMatching(/^kubeconfig file "keys\/kubeconfig" not found \(looked at /) });
      expect(labChecks[0]!.hint).toContain('copy the cluster admin kubeconfig there');
      expect(labChecks.find((c) => c.name === 'cluster-api')).toMatchObject({ status: 'skip', detail: 'not run: kubeconfig failed' });
    } else expect(labChecks).toEqual([]);
    for (const node of nodes) {
      const mine = out.checks.filter((c) => c.node === node);
      expect(mine[0]).toMatchObject({ name: 'ssh-files', status: 'fail', detail: expect.stringMatching(new RegExp(`^key file "keys/\\S+" of node ${node} not found \\(looked at `)) });
      expect(mine[0]!.hint).toContain('ssh-keygen -t ed25519');
      // Host facts and NIC checks are listed too, each skipped with the reason.
      expect(mine.map((c) => c.name)).toEqual(expect.arrayContaining(['ssh-reachable', 'cpu-isolation', 'cpu-governor', 'iommu']));
      for (const c of mine.slice(1)) expect(c.status, c.name).toBe('skip');
      // Skipped because the gate failed, or (a check that does not apply to this NIC) with its own reason.
      expect(mine.find((c) => c.name === 'ssh-reachable')?.detail).toBe('not run: ssh-files failed');
      expect(mine.find((c) => c.name === 'cpu-isolation')?.detail).toBe('not run: ssh-files failed');
    }
  });
}

for (const example of readdirSync('fixtures/labs').filter((f) => f.endsWith('.yaml'))) {
  test(`lab check --json on the fake-cluster lab ${example}: the cluster checks of the lab, then every node's, each explained`, async () => {
    const r = await wirespeed('lab', 'check', '--lab', `fixtures/labs/${example}`, '--json');
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as CheckJson;
    expectEveryCheckExplained(out);
    expect(r.code).toBe(out.checks.some((c) => c.status === 'fail') ? 3 : 0);
    expect(out.checks.filter((c) => c.node === null).map((c) => [c.name, c.status])).toEqual([
      ['kubeconfig', 'pass'],
      ['cluster-api', 'skip'],
      ...[...readFileSync(`fixtures/labs/${example}`, 'utf8').matchAll(/^ {4}([a-z-]+): \.\.\/kube\/manifests\//gm)].map((m) => [`manifests ${m[1]}`, 'pass']),
    ]);
    expect(new Set(out.checks.flatMap((c) => (c.node === null ? [] : [c.node])))).toEqual(new Set(['worker-0']));
  });
}

test('lab check prints a table for people', async () => {
  const r = await wirespeed('lab', 'check', '--lab', 'lab/local.yaml');
  expect(r.code).toBe(0);
  const lines = r.stdout.split('\n');
  expect(lines[0]).toMatch(/^NODE\s+CHECK\s+STATUS\s+DETAIL$/);
  expect(lines[1]).toMatch(/^tg\s+root\s+PASS\s+running as root \(uid 0\)$/);
  expect(r.stdout).toMatch(/lab local: (\d+) checks, \1 pass, 0 fail, 0 skip — ready/);
});

test('a broken inventory exits 2 with file:line:col, the field and a hint', async () => {
  const r = await wirespeed('lab', 'check', '--lab', 'fixtures/labs/invalid/dangling-link.yaml');
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(
    'wirespeed: InventoryError: fixtures/labs/invalid/dangling-link.yaml:24:5 links[1]: link tg.p1 <-> dut.p9: node dut has no port "p9"\n' +
      '  hint: ports of dut are: p0, p1\n',
  );
});

test('lab show prints the resolved topology', async () => {
  const r = await wirespeed('lab', 'show', '--lab', 'lab/local.yaml');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('lab local (kind local) from lab/local.yaml');
  expect(r.stdout).toMatch(/ {2}tg {2}roles: tg\n {4}shell: local\n {4}cpus: tg 1, NUMA 0\n {4}hugepages: 256 x 2048 kB\n {4}nic vnic: virtual\n {6}p0 {2}<-> dut\.p0\n {6}p1 {2}<-> dut\.p1\n/);
  expect(r.stdout).toContain('links:\n  tg.p0 <-> dut.p0\n  tg.p1 <-> dut.p1\n');
  expect(r.stdout).toContain('datapaths: vhost-user, memif, veth, vhost-user-ovs');
  // Examples show without their key files.
  const ex = await wirespeed('lab', 'show', '--lab', 'lab/examples/2n-x710.yaml', '--json');
  expect(ex.code).toBe(0);
  const topo = JSON.parse(ex.stdout) as { nodes: { name: string; host: string; nics: { ports: { pci: string }[] }[] }[] };
  expect(topo.nodes.map((n) => n.host)).toEqual(['root@10.30.51.10:22', 'root@10.30.51.11:22']);
  expect(topo.nodes[0]!.nics[0]!.ports[0]!.pci).toBe('0000:81:00.0');
});

test('control characters from an inventory reach the terminal as escapes, in lab show and in errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsp-ansi-'));
  try {
    const base = ['name: ansi', 'kind: local', 'description: "\\e[31mred\\e[0m \\x9b2J\\u202eevil\\nsecond line"', 'nodes:', '  - name: tg', '    roles: [tg]', '    shell: { kind: local }'];
    writeFileSync(join(dir, 'ok.yaml'), [...base, 'datapaths: [memif]'].join('\n'));
    writeFileSync(join(dir, 'bad.yaml'), [...base, '    "\\e[2J": 1', 'datapaths: [memif]'].join('\n'));
    const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;
    const show = await wirespeed('lab', 'show', '--lab', join(dir, 'ok.yaml'));
    expect(show.code).toBe(0);
    expect(show.stdout).not.toMatch(raw);
    expect(show.stdout).toContain('\n  \\x1b[31mred\\x1b[0m \\x9b2J\\u202eevil\n  second line\n');
    const bad = await wirespeed('lab', 'show', '--lab', join(dir, 'bad.yaml'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toMatch(raw);
    expect(bad.stderr).toContain('nodes[0]["\\u001b[2J"]: unknown key "\\u001b[2J"');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hardware checks over SSH: reachable, IOMMU, NIC at its PCI address; an unreachable node fails and skips the rest', async () => {
  await using sshd = await startSshd();
  const dir = mkdtempSync(join(tmpdir(), 'wsp-labcheck-'));
  try {
    // A real PCI device of this machine stands in for a NIC; a wrong id on another proves a mismatch is caught.
    const devs = readdirSync('/sys/bus/pci/devices').sort();
    const id = (d: string): string =>
      ['vendor', 'device'].map((f) => readFileSync(`/sys/bus/pci/devices/${d}/${f}`, 'utf8').trim().replace(/^0x/, '')).join(':');
    const [real, other] = devs as [string, string | undefined];
    const groups = readdirSync('/sys/kernel/iommu_groups').length;
    const closed = await freePort();
    const inventory = `
name: hw
kind: baremetal
nodes:
  - name: box
    roles: [dut]
    shell: { kind: ssh, host: 127.0.0.1, port: ${sshd.port}, user: ${sshd.user}, key: ${sshd.keyPath}, knownHosts: ${sshd.knownHostsPath} }
    hugepages: { count: 1 }
    nics:
      - { name: real, model: stand-in, pciId: "${id(real)}", ports: [{ name: p0, pci: "${real}" }] }
      - { name: absent, model: x710, ports: [{ name: p0x, pci: "0000:ff:1f.7" }] }
${other ? `      - { name: wrong, model: x710, ports: [{ name: p1, pci: "${other}" }] }` : ''}
  - name: gone
    roles: [tg]
    shell: { kind: ssh, host: 127.0.0.1, port: ${closed}, key: ${sshd.keyPath}, hostKeySha256: ${sshd.hostKeySha256}, retries: 1 }
    cpus: { tg: "1" }
    nics:
      - { name: nic0, model: x710, ports: [{ name: p0, pci: "0000:81:00.0" }] }
datapaths: [sriov]
`;
    writeFileSync(join(dir, 'hw.yaml'), inventory);
    const r = await wirespeed('lab', 'check', '--lab', join(dir, 'hw.yaml'), '--json');
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout) as CheckJson;
    const get = (node: string, name: string) => out.checks.find((c) => c.node === node && c.name === name);
    expect(get('box', 'ssh-reachable')).toMatchObject({ status: 'pass', detail: expect.stringContaining(`${sshd.user}@127.0.0.1:${sshd.port}: Linux`) });
    expect(get('box', 'root')?.status).toBe('pass');
    expect(get('box', 'hugepages')?.status).toBe('pass');
    expect(get('box', 'iommu')?.status).toBe(groups > 0 ? 'pass' : 'fail');
    if (groups === 0) expect(get('box', 'iommu')).toMatchObject({ detail: expect.stringContaining('no IOMMU groups in /sys/kernel/iommu_groups'), hint: expect.stringContaining('intel_iommu=on') });
    expect(get('box', 'nic real.p0')).toEqual({ node: 'box', name: 'nic real.p0', status: 'pass', detail: `${real} is ${id(real)}` });
    expect(get('box', 'nic absent.p0x')).toMatchObject({ status: 'fail', detail: 'no PCI device at 0000:ff:1f.7', hint: 'list the Ethernet devices with `lspci -D -d ::0200` and fix the inventory' });
    if (other && id(other) !== '8086:1572') {
      expect(get('box', 'nic wrong.p1')).toMatchObject({ status: 'fail', detail: `${other} is ${id(other)}, but x710 should be 8086:1572`, hint: 'check the address or the model in the inventory' });
    }
    // The local lab's checks do not apply to a hardware lab.
    expect(get('box', 'netns')).toBeUndefined();
    expect(get('box', 'dpdk-runtime')).toBeUndefined();

    // Host facts: box pins no CPU, so there is nothing to hold them against.
    expect(get('box', 'cpu-isolation')).toMatchObject({ status: 'skip', detail: 'the inventory pins no CPU on this node (cpus.tg / cpus.dut)' });
    expect(get('box', 'nic-numa real.p0')).toMatchObject({ status: 'skip', detail: 'the inventory pins no CPU on this node (cpus.tg / cpus.dut)' });

    const gone = out.checks.filter((c) => c.node === 'gone');
    expect(gone[0]).toMatchObject({ name: 'ssh-files', status: 'pass' });
    expect(gone[1]).toMatchObject({ name: 'ssh-reachable', status: 'fail' });
    expect(gone[1]!.detail).toContain(`root@127.0.0.1:${closed}: cannot run \`uname -srm\``);
    expect(gone[1]!.detail).toContain(`attempt 1: connect ECONNREFUSED 127.0.0.1:${closed}`);
    expect(gone[1]!.detail).toContain(`attempt 2: connect ECONNREFUSED 127.0.0.1:${closed}`);
    // The built-in checks, then whatever other areas registered: all skipped.
    expect(gone.slice(2, 9).map((c) => c.name)).toEqual(['root', 'cpus', 'iommu', 'nic nic0.p0', 'cpu-isolation', 'cpu-governor', 'nic-numa nic0.p0']);
    for (const c of gone.slice(2)) expect(c).toMatchObject({ status: 'skip', detail: 'not run: ssh-reachable failed' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
