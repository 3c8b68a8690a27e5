import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { nodeShells, shellsFrom, type NodeShells } from '../../shell/node-shells.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { ProvisionError } from '../../../core/errors.ts';
import { FakeHost } from '../../../fixtures/host/fake-host.ts';
import { nicModel } from '../../../lab/nic-catalogue.ts';
import { loadLab } from '../../../lab/load.ts';
import type { Lab } from '../../../lab/model.ts';
import type { DatapathKind, DutKind, GeneratorKind } from '../../../lab/schema.ts';
import { createDpdkRuntime } from '../../dpdk/runtime.ts';
import { localShell } from '../../shell/local.ts';
import { locateVpp } from '../../vpp/locate-vpp.ts';
import type { Command, ExecResult, Shell } from '../../shell/shell.ts';
import type { RunningDatapath } from '../datapath.ts';
import { GENERATORS } from './generators.ts';
import type { StackRequest } from './request.ts';
import { stackFor } from './stack-for.ts';

const labFile = (name: string) => fileURLToPath(new URL(`../../../fixtures/labs/valid/${name}`, import.meta.url));

let dir: string;
test.beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wsp-stack-'));
});
test.afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * A hardware node's shell where pktgen 24.10.3 is on PATH: it answers the lookups, records what would
 * be started and refuses to start it (there is no NIC here).
 */
function pktgenNode(name: string, spawned: { node: string; argv: string[] }[] = []): Shell {
  const answer = async (cmd: Command): Promise<ExecResult> => {
    const argv = cmd as readonly string[];
    const out = (stdout: string) => ({ exitCode: 0, signal: null, stdout, stderr: '', durationMs: 1, timedOut: false });
    if (argv.join(' ') === 'sh -c command -v pktgen') return out('/usr/local/bin/pktgen\n');
    if (argv[0] === 'grep') return out('Pktgen 24.10.3\nPktgen_Version\n');
    return out('');
  };
  return {
    name: `fake ${name}`,
    exec: answer,
    run: answer,
    readFile: () => Promise.reject(new Error('no readFile expected')),
    // The IMIX pcaps pktgen loads at start.
    writeFile: async (path) => {
      if (!/\/imix-p[01]\.pcap$/.test(path)) throw new Error(`no writeFile of ${path} expected`);
    },
    close: async () => undefined,
    spawn: async (cmd) => {
      spawned.push({ node: name, argv: [...(cmd as readonly string[])] });
      throw new Error('spawn refused by the test');
    },
  };
}

/** Bare-metal nodes with pktgen installed (availability looks for it on the tg node). */
const pktgenNodes = (): NodeShells => shellsFrom(async (n) => pktgenNode(n.name));

const request = (lab: Lab, datapath: DatapathKind, dut: DutKind = 'l3fwd', generator: GeneratorKind = 'pktgen', shells: NodeShells = lab.kind === 'baremetal' ? pktgenNodes() : nodeShells(lab)): StackRequest => {
  const shell = localShell();
  const runDir = join(dir, 'r1');
  return { lab, shells, datapath, dut, generator, runId: 'r1', runDir, shell, runtime: createDpdkRuntime({ shell, runId: 'r1', runDir }) };
};

test('a bare-metal lab gets bare-metal stacks whose availability says what this lab can run', async () => {
  const lab = await loadLab(labFile('two-node-ssh.yaml'));
  expect(await stackFor(request(lab, 'sriov')).availability()).toBeNull();
  // The vswitch kinds are available because the OVS-DPDK/VPP starter is wired in.
  for (const kind of ['vhost-user', 'vhost-user-ovs', 'memif'] as const) expect(await stackFor(request(lab, kind)).availability()).toBeNull();
  expect((await stackFor(request(lab, 'vdpa')).availability())?.reason).toBe('needs a NIC with vDPA (ConnectX-6 Dx/Lx or later): none on this lab (x710)');
  expect((await stackFor(request(lab, 'veth')).availability())?.reason).toMatch(/bare metal has no veth datapath/);
});

test('a DUT or generator a lab kind cannot run makes the stack unavailable, saying which ones it can', async () => {
  const lab = await loadLab(labFile('two-node-ssh.yaml'));
  expect((await stackFor(request(lab, 'sriov', 'testpmd-macswap')).availability())?.reason).toBe(
    'DUT testpmd-macswap has no bare-metal starter yet (bare-metal DUTs: l3fwd; drivers/datapath/baremetal/)',
  );
  expect((await stackFor(request(lab, 'sriov', 'l3fwd', 'wsp-gen')).availability())?.reason).toMatch(/^wsp-gen drives the local lab's virtual ports; a baremetal lab uses pktgen/);
  const local = await loadLab('lab/local.yaml');
  // pktgen on the local lab is looked up on this machine: where it is absent, that is the reason.
  const noPktgen = { ...request(local, 'memif', 'l3fwd', 'pktgen'), shell: withoutPktgen(localShell()) };
  expect((await stackFor(noPktgen).availability())?.reason).toMatch(/^pktgen-dpdk is not installed on .*: build it with `WIRESPEED_PKTGEN_SRC=/);
  expect((await stackFor(request(local, 'sriov', 'l3fwd', 'wsp-gen')).availability())?.reason).toMatch(/sriov needs a NIC with SR-IOV virtual functions; the local lab has none/);
});

/** A shell on which pktgen 23.06.1 is on PATH (the lookup is answered; starting it is up to `shell`). */
function withPktgen(shell: Shell): Shell {
  const out = (stdout: string): ExecResult => ({ exitCode: 0, signal: null, stdout, stderr: '', durationMs: 1, timedOut: false });
  const found = (cmd: readonly string[]): ExecResult | undefined =>
    cmd.join(' ') === 'sh -c command -v pktgen' ? out('/usr/local/bin/pktgen\n') : cmd[0] === 'grep' && cmd.at(-1) === '/usr/local/bin/pktgen' ? out('Pktgen 23.06.1\nPktgen_Version\n') : undefined;
  return {
    ...shell,
    exec: async (cmd, o) => found(cmd as readonly string[]) ?? shell.exec(cmd, o),
    run: async (cmd, o) => found(cmd as readonly string[]) ?? shell.run(cmd, o),
  };
}

/** A shell on which no pktgen is installed: not on PATH, nothing in the build cache; the rest runs for real. */
function withoutPktgen(shell: Shell): Shell {
  const absent = (cmd: readonly string[]): ExecResult | undefined =>
    cmd.join(' ') === 'sh -c command -v pktgen' || (cmd[0] === 'find' && cmd.some((a) => a.endsWith('/wirespeed/pktgen')))
      ? { exitCode: cmd[0] === 'find' ? 0 : 1, signal: null, stdout: '', stderr: '', durationMs: 1, timedOut: false }
      : undefined;
  return {
    ...shell,
    exec: async (cmd, o) => absent(cmd as readonly string[]) ?? shell.exec(cmd, o),
    run: async (cmd, o) => absent(cmd as readonly string[]) ?? shell.run(cmd, o),
  };
}

test('VPP DUT kinds: memif and vhost-user on the local lab where VPP is found (else the locator says why), no other datapath, no bare metal yet', async () => {
  const local = await loadLab('lab/local.yaml');
  const located = locateVpp();
  for (const dut of ['vpp-l2xc', 'vpp-ip4base'] as const) {
    for (const kind of ['memif', 'vhost-user'] as const) {
      const why = await stackFor(request(local, kind, dut, 'wsp-gen')).availability();
      if ('absent' in located) expect(why?.reason).toBe(located.absent);
      else expect(why).toBeNull();
    }
    expect((await stackFor(request(local, 'veth', dut, 'wsp-gen')).availability())?.reason).toBe('VPP as DUT runs on the memif and vhost-user datapaths, not on veth');
  }
  const lab = await loadLab(labFile('two-node-ssh.yaml'));
  expect((await stackFor(request(lab, 'sriov', 'vpp-l2xc')).availability())?.reason).toMatch(/^DUT vpp-l2xc has no bare-metal starter yet/);
});

test('a Kubernetes lab runs vhost-user with wsp-gen in pods, and says why it runs nothing else there', async () => {
  const lab = await loadLab(labFile('kubernetes.yaml'));
  const sriov = stackFor(request(lab, 'sriov'));
  expect((await sriov.availability())?.reason).toMatch(/^sriov through pods needs pktgen in a pod against real VFs/);
  await expect(sriov.up()).rejects.toThrow(/sriov through pods needs pktgen in a pod/);
  expect((await stackFor(request(lab, 'memif', 'l3fwd', 'wsp-gen')).availability())?.reason).toMatch(/^memif through pods needs a vswitch on the node that relays memif/);
  expect((await stackFor(request(lab, 'vhost-user', 'l3fwd', 'pktgen')).availability())?.reason).toMatch(/^vhost-user through pods runs wirespeed's generator \(wsp-gen\) in its pod/);
  expect((await stackFor(request(lab, 'vhost-user', 'testpmd-io', 'wsp-gen')).availability())?.reason).toMatch(/^the DUT pod runs l3fwd/);
  // Without a session with the cluster (the suites give one) nothing can be deployed.
  expect((await stackFor(request(lab, 'vhost-user', 'l3fwd', 'wsp-gen')).availability())?.reason).toMatch(/no session with the cluster of lab/);
});

test('more than one DUT core: unavailable with the reason on the local and Kubernetes labs; on bare metal up to the DUT CPUs, l3fwd only', async () => {
  const local = await loadLab('lab/local.yaml');
  const two = { ...request(local, 'vhost-user', 'l3fwd', 'wsp-gen'), dutCores: 2 };
  expect((await stackFor(two).availability())?.reason).toBe("2 DUT cores need 2 DUT CPUs: lab 'local' gives the DUT 1 (cpus.dut 0; the generator polls on the others)");
  await expect(stackFor(two).up()).rejects.toThrow(ProvisionError);
  expect((await stackFor({ ...request(await loadLab(labFile('kubernetes.yaml')), 'vhost-user', 'l3fwd', 'wsp-gen'), dutCores: 2 }).availability())?.reason).toMatch(/^2 DUT cores: the DUT pods of a Kubernetes lab run on one lcore/);
  const bm = await loadLab(labFile('two-node-ssh.yaml')); // cpus.dut 4-7
  expect(await stackFor({ ...request(bm, 'pf'), dutCores: 4 }).availability()).toBeNull();
  expect((await stackFor({ ...request(bm, 'pf'), dutCores: 8 }).availability())?.reason).toBe('8 DUT cores need 8 DUT CPUs: node sut gives the DUT 4 (cpus.dut)');
  // With a vswitch the DUT has the second half of cpus.dut.
  expect((await stackFor({ ...request(bm, 'memif'), dutCores: 4 }).availability())?.reason).toBe("4 DUT cores need 4 DUT CPUs: node sut gives the DUT 2 (cpus.dut, the other half is the vswitch's)");
  expect((await stackFor({ ...request(bm, 'pf', 'testpmd-io'), dutCores: 2 }).availability())?.reason).toMatch(/^DUT testpmd-io has no bare-metal starter/);
});

test('pf with 2 DUT cores through stackFor on fake X710 nodes: l3fwd polls 2 lcores, one RX queue each per port; SMT siblings are refused before a node is touched', async () => {
  const lab = await loadLab(labFile('two-node-ssh.yaml'));
  const x710 = nicModel('x710');
  const gen = await FakeHost.create({ pfs: [{ pci: '0000:81:00.0', ifname: 'ens1f0', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 60, speedMbps: 10_000 }, { pci: '0000:81:00.1', ifname: 'ens1f1', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 61, speedMbps: 10_000 }] });
  const sut = await FakeHost.create({ pfs: [{ pci: '0000:3b:00.0', ifname: 'ens2f0', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 40 }, { pci: '0000:3b:00.1', ifname: 'ens2f1', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 41 }] });
  // The DUT node: 8 cores with 2 threads each (CPU c and c+8 are siblings); cpus.dut is 4-7.
  const siblings = async (of: (c: number) => string) => {
    for (let c = 0; c < 16; c++) {
      const d = join(sut.paths.sysfsRoot, `devices/system/cpu/cpu${c}/topology`);
      await mkdir(d, { recursive: true });
      await writeFile(join(d, 'thread_siblings_list'), `${of(c)}\n`);
    }
  };
  const spawned: string[][] = [];
  try {
    const hosts: Record<string, FakeHost> = { gen, sut };
    const fakes = new Map(lab.nodes.map((n) => [n.name, withPktgen(nodeWithDpdk(hosts[n.name]!, dir, spawned))]));
    const shells = shellsFrom(async (n) => fakes.get(n.name)!);
    await siblings((c) => `${c % 8},${(c % 8) + 8}`);
    const before = [await gen.snapshot(), await sut.snapshot()];
    const req = { ...request(lab, 'pf', 'l3fwd', 'pktgen', shells), hostPaths: (node: string) => hosts[node]!.paths, dutCores: 2 };
    const err = await stackFor(req).up().catch((e: unknown) => e);
    // pktgen cannot start on a fake host (no network namespaces): the stack fails after its DUT came up, and must leave nothing behind.
    expect(err).toBeInstanceOf(Error);
    expect(String(err)).not.toMatch(/l3fwd/);
    const l3fwd = spawned.find((a) => a[3] === 'dpdk-l3fwd')!;
    expect(l3fwd).toEqual(expect.arrayContaining(['--lcores=0@4,1@5', '-a', '0000:3b:00.0', '-a', '0000:3b:00.1']));
    expect(l3fwd.slice(l3fwd.indexOf('--') + 1)).toEqual(['-p', '0x3', '-P', '--config=(0,0,0),(1,0,0),(0,1,1),(1,1,1)', '--parse-ptype']);
    expect([await gen.snapshot(), await sut.snapshot()]).toEqual(before);

    // CPUs 4 and 5 as the two threads of one core: 2 lcores there would be CSIT's 2t1c, not the 2t2c of the id.
    await siblings((c) => (c === 4 || c === 5 ? '4-5' : `${c}`));
    const beforeSmt = [await gen.snapshot(), await sut.snapshot()];
    spawned.length = 0;
    const smt = await stackFor(req).up().catch((e: unknown) => e);
    expect(smt).toBeInstanceOf(ProvisionError);
    expect((smt as ProvisionError).message).toContain('DUT CPUs 4 and 5 are SMT siblings of one core: 2 lcores would sit on 1 core, not 2');
    expect((smt as ProvisionError).where).toBe('node sut cpus.dut');
    expect(spawned.filter((a) => a[3] === 'dpdk-l3fwd')).toEqual([]);
    expect([await gen.snapshot(), await sut.snapshot()]).toEqual(beforeSmt);
  } finally {
    await gen.dispose();
    await sut.dispose();
  }
});

test('the generator on a bare-metal lab is pktgen on the tg node PFs, named by the run id, in a namespace of its own', async () => {
  const lab = await loadLab(labFile('two-node-ssh.yaml'));
  const spawned: { node: string; argv: string[] }[] = [];
  // No tg node here: its shell answers the lookups (pktgen 24.10.3 on PATH), records what would run and
  // refuses to start it.
  const fakes = new Map(lab.nodes.map((n) => [n.name, pktgenNode(n.name, spawned)]));
  const shells = shellsFrom(async (n) => fakes.get(n.name)!);
  const r = request(lab, 'sriov', 'l3fwd', 'pktgen', shells);
  // Only kind and ports of the running datapath matter to the generator.
  const running = { kind: 'sriov', generatorPorts: [] } as unknown as RunningDatapath;
  await expect(GENERATORS.pktgen.open({ lab, shells, running, shell: r.shell, runtime: r.runtime, runId: 'r1', runDir: r.runDir, cpus: [] })).rejects.toThrow('spawn refused by the test');
  expect(spawned).toHaveLength(1);
  const { node, argv } = spawned[0]!;
  expect(node).toBe('gen');
  // ip netns exec <pktgen's own namespace> script -qfec '<pktgen argv>' /dev/null
  expect(argv.slice(0, 3)).toEqual(['ip', 'netns', 'exec']);
  expect(argv[3]).toBe('wsp-r1-pg');
  expect(argv.slice(4, 6)).toEqual(['script', '-qfec']);
  const cmd = argv[6]!;
  expect(cmd.startsWith('/usr/local/bin/pktgen ')).toBe(true);
  // Lua socket on the namespace's loopback only; one rx/tx lcore per port (24.10 takes no port lists in -m).
  for (const part of ['--file-prefix=wsp-r1-pg', '-a 0000:81:00.0 -a 0000:81:00.1', '--lcores=0@2,1@3,2@4', '-- -P -g 127.0.0.1:22022 -m 1.0,2.1']) expect(cmd).toContain(part);
  // The IMIX pcap per port, in pktgen's work directory of the run.
  expect(cmd).toMatch(/ -s 0:\S+\/r1\/tg\/pktgen\/imix-p0\.pcap -s 1:\S+\/r1\/tg\/pktgen\/imix-p1\.pcap/);
  expect(cmd).not.toContain('--no-pci');
});

/**
 * A fake hardware node whose DPDK side runs here: sysfs and tools from FakeHost, the run directory and
 * the telemetry helper on this machine, and `dpdk-l3fwd` replaced by the fake telemetry server on the
 * socket EAL would create (there is no NIC to run the real one on).
 */
function nodeWithDpdk(host: FakeHost, runRoot: string, spawned: string[][]): Shell {
  const real = localShell();
  const testdata = (p: string) => fileURLToPath(new URL(`../../dpdk/testdata/${p}`, import.meta.url));
  const here = (cmd: readonly string[]) => ['mkdir', 'find', 'rm'].includes(cmd[0]!) || (cmd[0] === 'test' && cmd.some((a) => a.startsWith(runRoot)));
  return {
    name: host.name,
    exec: (cmd, o) => (here(cmd as readonly string[]) ? real.exec(cmd, o) : host.exec(cmd, o)),
    run: (cmd, o) => (here(cmd as readonly string[]) ? real.run(cmd, o) : host.run(cmd, o)),
    readFile: (path) => host.readFile(path),
    writeFile: (path, content) => host.writeFile(path, content),
    close: async () => undefined,
    spawn: async (cmd, o) => {
      const argv = [...(cmd as readonly string[])];
      spawned.push(argv);
      if (argv.some((a) => a.includes('/usr/local/bin/pktgen'))) throw new Error('spawn of pktgen refused by the test (no NIC here)');
      if (argv[3] !== 'dpdk-l3fwd') return real.spawn(cmd, o);
      const prefix = argv.find((a) => a.startsWith('--file-prefix='))!.slice('--file-prefix='.length);
      const sock = `${o!.env!.RUNTIME_DIRECTORY}/dpdk/${prefix}/dpdk_telemetry.v2`;
      // Each lcore of `--lcores=0@4,1@5` says it entered the main loop, as l3fwd's do.
      const lcores = argv.find((a) => a.startsWith('--lcores='))!.slice('--lcores='.length).split(',').map((l) => l.split('@')[0]);
      const script = `mkdir -p "$(dirname "$1")" && ${lcores.map((l) => `echo "L3FWD: entering main loop on lcore ${l}"`).join(' && ')} && exec python3 -u "$0" "$1" "$2"`;
      return real.spawn(['bash', '-c', script, testdata('fake-telemetry-server.py'), sock, testdata('telemetry-replies.json')], o);
    },
  };
}

test('sriov through stackFor on fake X710 nodes: l3fwd on the VFs in EAL port order; a generator that fails to start takes the whole stack down and both nodes are restored', async () => {
  const lab = await loadLab(labFile('two-node-ssh.yaml'));
  const x710 = nicModel('x710');
  const gen = await FakeHost.create({ pfs: [{ pci: '0000:81:00.0', ifname: 'ens1f0', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 60, speedMbps: 10_000 }, { pci: '0000:81:00.1', ifname: 'ens1f1', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 61, speedMbps: 10_000 }] });
  const sut = await FakeHost.create({ pfs: [{ pci: '0000:3b:00.0', ifname: 'ens2f0', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 40 }, { pci: '0000:3b:00.1', ifname: 'ens2f1', model: x710, totalVfs: 8, numaNode: 0, iommuGroup: 41 }] });
  const spawned: string[][] = [];
  try {
    const hosts: Record<string, FakeHost> = { gen, sut };
    const before = [await gen.snapshot(), await sut.snapshot()];
    // pktgen is not installed on the tg node: the stack is unavailable with that reason (the scenarios skip
    // with it) and nothing starts.
    const bare = new Map(lab.nodes.map((n) => [n.name, withoutPktgen(nodeWithDpdk(hosts[n.name]!, dir, spawned))]));
    const absent = stackFor({ ...request(lab, 'sriov', 'l3fwd', 'pktgen', shellsFrom(async (n) => bare.get(n.name)!)), hostPaths: (node) => hosts[node]!.paths });
    expect((await absent.availability())?.reason).toMatch(/^node gen: pktgen-dpdk is not installed on \S+ \(not on PATH, .*\): build it with `WIRESPEED_PKTGEN_SRC=/);
    await expect(absent.up()).rejects.toThrow(/cannot start: node gen: pktgen-dpdk is not installed/);
    expect(spawned).toEqual([]);
    expect([await gen.snapshot(), await sut.snapshot()]).toEqual(before);

    // pktgen is there but cannot start: the stack fails after its DUT came up, and must leave nothing behind.
    const fakes = new Map(lab.nodes.map((n) => [n.name, withPktgen(nodeWithDpdk(hosts[n.name]!, dir, spawned))]));
    const stack = stackFor({ ...request(lab, 'sriov', 'l3fwd', 'pktgen', shellsFrom(async (n) => fakes.get(n.name)!)), hostPaths: (node) => hosts[node]!.paths });
    expect(await stack.availability()).toBeNull();
    const err = await stack.up().catch((e: unknown) => e);
    // (FakeHost models no network namespaces: pktgen fails at its first step there.)
    expect(String(err)).toMatch(/cannot create network namespace wsp-r1-pg/);
    const l3fwd = spawned.find((a) => a[3] === 'dpdk-l3fwd')!;
    expect(l3fwd).toEqual(expect.arrayContaining(['--file-prefix=wsp-r1-dut', '--lcores=0@4', '-a', '0000:3b:02.0', '-a', '0000:3b:06.0']));
    expect(l3fwd.indexOf('0000:3b:02.0')).toBeLessThan(l3fwd.indexOf('0000:3b:06.0'));
    expect([await gen.snapshot(), await sut.snapshot()]).toEqual(before);
  } finally {
    await gen.dispose();
    await sut.dispose();
  }
});
