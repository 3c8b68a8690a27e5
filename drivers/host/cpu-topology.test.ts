import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { FakeHost } from '../../fixtures/host/fake-host.ts';
import { physicalCoresOf } from './cpu-topology.ts';

/** A host with 2 threads per core, as Linux numbers them on a 2-socket Xeon: CPU c and c+8 share a core. */
async function smtHost(): Promise<FakeHost> {
  const host = await FakeHost.create({ pfs: [] });
  for (let c = 0; c < 16; c++) {
    const dir = join(host.paths.sysfsRoot, `devices/system/cpu/cpu${c}/topology`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'thread_siblings_list'), `${c % 8},${(c % 8) + 8}\n`);
  }
  return host;
}

test('CPUs on distinct cores count one core each; SMT siblings share one and are named', async () => {
  const host = await smtHost();
  try {
    expect(await physicalCoresOf(host, host.paths, [4, 5, 6, 7])).toEqual({ cores: 4, siblingPairs: [] });
    expect(await physicalCoresOf(host, host.paths, [4, 12])).toEqual({ cores: 1, siblingPairs: [[4, 12]] });
    expect(await physicalCoresOf(host, host.paths, [13, 4, 5, 12])).toEqual({ cores: 2, siblingPairs: [[4, 12], [5, 13]] });
  } finally {
    await host.dispose();
  }
});

test('a host whose sysfs has no CPU topology says nothing (undefined), it does not guess', async () => {
  const host = await FakeHost.create({ pfs: [] });
  try {
    expect(await physicalCoresOf(host, host.paths, [2, 3])).toBeUndefined();
  } finally {
    await host.dispose();
  }
});

test('an unreadable sibling list is an error naming the file and the host', async () => {
  const host = await smtHost();
  try {
    await writeFile(join(host.paths.sysfsRoot, 'devices/system/cpu/cpu3/topology/thread_siblings_list'), '11-3\n');
    await expect(physicalCoresOf(host, host.paths, [2, 3])).rejects.toThrow(/cpu3\/topology\/thread_siblings_list on fake-host: range "11-3" runs backwards/);
  } finally {
    await host.dispose();
  }
});
