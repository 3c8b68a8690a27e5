import { expect, test } from '@playwright/test';
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.ts';
import { localShell } from '../shell/local.ts';
import { createDpdkRuntime, runTagOf } from './runtime.ts';

test('prefixes derive from the run id and role; sockets live under the run directory', () => {
  const rt = createDpdkRuntime({ shell: localShell(), runDir: '/tmp/r', runId: 'abc123' });
  expect(rt.prefix('gen')).toBe('wsp-abc123-gen');
  expect(rt.prefix('dut')).toBe('wsp-abc123-dut');
  expect(rt.env()).toEqual({ RUNTIME_DIRECTORY: '/tmp/r/rt' });
  expect(rt.telemetrySocket('wsp-abc123-dut')).toBe('/tmp/r/rt/dpdk/wsp-abc123-dut/dpdk_telemetry.v2');
});

test('long or odd run ids become a short safe tag that still differs between runs', () => {
  const a = runTagOf('2026-11-22T04:05:24.123Z-nightly-e810-sriov');
  const b = runTagOf('2026-11-22T04:05:24.123Z-nightly-e810-vdpa');
  expect(a).toMatch(/^[a-z0-9]{1,20}$/);
  expect(a).not.toBe(b);
  expect(runTagOf('Run_1')).not.toBe(runTagOf('run1'));
});

test('a run directory too long for a unix socket path is a ConfigError naming the path', () => {
  const rt = createDpdkRuntime({ shell: localShell(), runDir: '/tmp/' + 'x'.repeat(90), runId: 'r' });
  expect(() => rt.prefix('gen')).toThrow(ConfigError);
  expect(() => rt.prefix('gen')).toThrow(/shorter run directory/);
  expect(() => rt.prefix('Gen*')).toThrow(/role/);
});

test('cleanupPrefix removes exactly that prefix\'s hugepage files and runtime directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wsp-rt-'));
  try {
    const huge = join(dir, 'huge');
    await mkdir(huge);
    const rt = createDpdkRuntime({ shell: localShell(), runDir: join(dir, 'run'), runId: 'r7', hugepageDir: huge });
    const gen = rt.prefix('gen');
    const other = 'wsp-r7-genx'; // shares the start of the name: must survive
    await rt.prepare();
    for (const f of [`${gen}map_0`, `${gen}map_1`, `${other}map_0`, 'rtemap_0']) await writeFile(join(huge, f), '');
    await mkdir(rt.prefixDir(gen), { recursive: true });
    await writeFile(join(rt.prefixDir(gen), 'config'), '');
    expect((await rt.leftovers(gen)).sort()).toEqual([join(huge, `${gen}map_0`), join(huge, `${gen}map_1`), rt.prefixDir(gen)].sort());

    await rt.cleanupPrefix(gen);
    expect(await rt.leftovers(gen)).toEqual([]);
    expect((await readdir(huge)).sort()).toEqual(['rtemap_0', `${other}map_0`]);

    await rt.cleanup();
    await expect(readdir(rt.runtimeDir)).rejects.toThrow(/ENOENT/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
