import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { createDpdkRuntime, runTagOf } from '../../drivers/dpdk/runtime.ts';
import { sweepRunOn } from '../../drivers/host/sweep-run.ts';
import { localShell } from '../../drivers/shell/local.ts';

test("the sweep removes a crashed run's hugepage files and VPP's API segment in /dev/shm, and nothing of another run", async () => {
  const root = await mkdtemp(join(tmpdir(), 'wsp-sweep-'));
  try {
    const hugepages = join(root, 'hugepages');
    const shm = join(root, 'shm');
    const dpdk = join(root, 'dpdk');
    const runDir = join(root, 'r1');
    await Promise.all([hugepages, shm, dpdk, join(runDir, 'sock', 'vpp')].map((d) => mkdir(d, { recursive: true })));
    // VPP's API segment prefix is the runtime's 'vpp' prefix (drivers/datapath/local/vpp-dut.ts); v25.06 leaves two files.
    const vppPrefix = createDpdkRuntime({ shell: localShell(), runDir, runId: 'crashed1' }).prefix('vpp');
    const mine = [join(shm, `${vppPrefix}-vpe-api`), join(shm, `${vppPrefix}-global_vm`), join(hugepages, `wsp-${runTagOf('crashed1')}-dut-map_0`)];
    const theirs = [join(shm, 'wsp-other1-vpp-vpe-api'), join(hugepages, 'wsp-other1-dut-map_0'), join(shm, 'unrelated')];
    await Promise.all([...mine, ...theirs, join(runDir, 'sock', 'vpp', 'cli.sock')].map((f) => writeFile(f, '')));
    // The real sweep script through this machine's shell, pointed at directories of this test only.
    const report = await sweepRunOn(localShell(), { runId: 'crashed1', runDir, hugepageDirs: [hugepages], shmDir: shm, dpdkRuntimeDir: dpdk });
    expect([...report.files].sort()).toEqual([...mine, join(runDir, 'sock')].sort());
    expect((await readdir(shm)).sort()).toEqual(['unrelated', 'wsp-other1-vpp-vpe-api']);
    expect(await readdir(hugepages)).toEqual(['wsp-other1-dut-map_0']);
    expect(report.killed).toEqual([]);
    expect(report.namespaces).toEqual([]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
