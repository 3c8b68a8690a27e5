import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { ProvisionError } from '../../../core/errors.ts';
import { localShell } from '../../shell/local.ts';
import type { Shell } from '../../shell/shell.ts';
import type { DutPort } from './baremetal-datapath.ts';
import { l3fwdDutStarter } from './l3fwd-dut.ts';

const testdata = (p: string) => fileURLToPath(new URL(`../../dpdk/testdata/${p}`, import.meta.url));

/**
 * The DUT node's shell: commands run here for real, except that `dpdk-l3fwd` (no NIC on this machine) is
 * replaced by the fake telemetry server on the socket EAL would create, after printing l3fwd's ready line.
 */
function dutNode(spawned: string[][], before = ''): Shell {
  const real = localShell();
  return {
    name: 'root@dut-node',
    exec: (cmd, opts) => real.exec(cmd, opts),
    run: (cmd, opts) => real.run(cmd, opts),
    readFile: (path) => real.readFile(path),
    writeFile: (path, content, mode) => real.writeFile(path, content, mode),
    close: () => real.close(),
    spawn: async (cmd, opts) => {
      const argv = [...(cmd as readonly string[])];
      spawned.push(argv);
      if (argv[3] !== 'dpdk-l3fwd') return real.spawn(cmd, opts);
      const prefix = argv.find((a) => a.startsWith('--file-prefix='))!.slice('--file-prefix='.length);
      const sock = `${opts!.env!.RUNTIME_DIRECTORY}/dpdk/${prefix}/dpdk_telemetry.v2`;
      // Each lcore of `--lcores=0@4,1@5` says it entered the main loop, as l3fwd's do.
      const lcores = argv.find((a) => a.startsWith('--lcores='))!.slice('--lcores='.length).split(',').map((l) => l.split('@')[0]);
      const ready = lcores.map((l) => `echo "L3FWD: entering main loop on lcore ${l}"`).join(' && ');
      const script = `mkdir -p "$(dirname "$1")" && ${before ? `printf '%s\\n' '${before}' && ` : ''}${ready} && exec python3 -u "$0" "$1" "$2"`;
      return real.spawn(['bash', '-c', script, testdata('fake-telemetry-server.py'), sock, testdata('telemetry-replies.json')], opts);
    },
  };
}

const vfs: DutPort[] = [
  { kind: 'pci', pci: '0000:3b:02.0', mac: '02:57:53:00:01:00' },
  { kind: 'pci', pci: '0000:3b:06.0', mac: '02:57:53:00:01:01' },
];

test.describe('l3fwd DUT starter on a bare-metal node', () => {
  let dir: string;
  test.beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wsp-l3fwd-dut-'));
  });
  test.afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('SR-IOV VFs: l3fwd on the first DUT CPU with -a per VF, run-id file prefix; info from telemetry; stop cleans up', async () => {
    const spawned: string[][] = [];
    const start = l3fwdDutStarter({ runId: 'r1', runRoot: dir });
    const dut = await start({ shell: dutNode(spawned), ports: vfs, cpus: [4, 5, 6, 7] });
    const l3fwd = spawned.find((a) => a[3] === 'dpdk-l3fwd')!;
    expect(l3fwd).toEqual([
      'stdbuf', '-oL', '-eL', 'dpdk-l3fwd',
      '--file-prefix=wsp-r1-dut', '--lcores=0@4', '-m', '256', '-a', '0000:3b:02.0', '-a', '0000:3b:06.0',
      '--', '-p', '0x3', '-P', '--config=(0,0,0),(1,0,0)', '--parse-ptype',
    ]);
    expect(dut.info).toMatchObject({ kind: 'l3fwd', version: 'DPDK 22.11.11' });
    expect(dut.info.pid).toBeGreaterThan(0);
    expect(dut.alive()).toBe(true);
    expect(dut.death()).toBeNull();
    expect(dut.log()).toContain('entering main loop');
    const rt = join(dir, 'r1', 'dut', 'rt');
    expect((await stat(rt)).isDirectory()).toBe(true);
    await dut.stop();
    expect(dut.alive()).toBe(false);
    await expect(stat(rt)).rejects.toThrow(/ENOENT/);
  });

  test('vdevs from a vswitch pass through as --vdev (virtio_user: no -P, shared segments)', async () => {
    const spawned: string[][] = [];
    const start = l3fwdDutStarter({ runId: 'r2', runRoot: dir, binary: 'dpdk-l3fwd', memoryMb: 512 });
    const ports: DutPort[] = [0, 1].map((i) => ({ kind: 'vdev', vdev: `net_virtio_user${i},path=${dir}/vu${i}.sock,server=1`, mac: `02:57:53:00:02:0${i}` }));
    const dut = await start({ shell: dutNode(spawned), ports, cpus: [6, 7] });
    try {
      const l3fwd = spawned.find((a) => a[3] === 'dpdk-l3fwd')!;
      expect(l3fwd).toEqual(expect.arrayContaining(['--lcores=0@6', '-m', '512', '--no-pci', '--vdev', `net_virtio_user1,path=${dir}/vu1.sock,server=1`, '--single-file-segments']));
      expect(l3fwd.slice(l3fwd.indexOf('--') + 1)).not.toContain('-P');
    } finally {
      await dut.stop();
    }
  });

  test('2 cores: lcores on the first 2 DUT CPUs, 2 RX queues per port; fewer CPUs than cores is refused before anything starts', async () => {
    const spawned: string[][] = [];
    const dut = await l3fwdDutStarter({ runId: 'r5', runRoot: dir })({ shell: dutNode(spawned), ports: vfs, cpus: [4, 5, 6, 7], cores: 2 });
    try {
      const l3fwd = spawned.find((a) => a[3] === 'dpdk-l3fwd')!;
      expect(l3fwd).toContain('--lcores=0@4,1@5');
      expect(l3fwd).toContain('--config=(0,0,0),(1,0,0),(0,1,1),(1,1,1)');
    } finally {
      await dut.stop();
    }
    const none: string[][] = [];
    const err = await l3fwdDutStarter({ runId: 'r6', runRoot: dir })({ shell: dutNode(none), ports: vfs, cpus: [4, 5], cores: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvisionError);
    expect((err as ProvisionError).message).toContain('l3fwd on 4 cores needs 4 DUT CPUs; it has 2 (4,5)');
    expect(none).toEqual([]);
  });

  test('2 cores on ports that configured no RSS hash: l3fwd is stopped and the cell refused (every flow would stay on queue 0)', async () => {
    const spawned: string[][] = [];
    const noRss = 'Port 1 modified RSS hash function based on hardware support,requested:0xa38c configured:0';
    const err = await l3fwdDutStarter({ runId: 'r7', runRoot: dir })({ shell: dutNode(spawned, noRss), ports: vfs, cpus: [4, 5], cores: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvisionError);
    expect((err as ProvisionError).message).toMatch(/l3fwd on 2 cores: port 1 configured no RSS hash/);
    // Stopped and its runtime files removed.
    await expect(stat(join(dir, 'r7', 'dut', 'rt'))).rejects.toThrow(/ENOENT/);
    // One core needs no RSS: the same ports start.
    const one = await l3fwdDutStarter({ runId: 'r8', runRoot: dir })({ shell: dutNode([], noRss), ports: vfs, cpus: [4, 5] });
    await one.stop();
  });

  test('no DUT CPU: a ProvisionError naming the node and the inventory field, nothing started', async () => {
    const spawned: string[][] = [];
    const err = await l3fwdDutStarter({ runId: 'r3', runRoot: dir })({ shell: dutNode(spawned), ports: vfs, cpus: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProvisionError);
    expect((err as ProvisionError).where).toBe('DUT on root@dut-node');
    expect((err as ProvisionError).hint).toMatch(/cpus\.dut/);
    expect(spawned).toEqual([]);
  });

  test('ports EAL would renumber are refused before anything starts', async () => {
    const spawned: string[][] = [];
    const swapped = [vfs[1]!, vfs[0]!];
    const err = await l3fwdDutStarter({ runId: 'r4', runRoot: dir })({ shell: dutNode(spawned), ports: swapped, cpus: [4] }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/not in address order/);
    expect(spawned).toEqual([]);
  });
});
