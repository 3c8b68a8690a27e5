import { test, expect } from '@playwright/test';
import { chmod, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateVpp, vppCacheDir } from './locate-vpp.ts';

/** An install tree laid out as `ninja install` of v25.06 leaves it: bin/, lib/<triplet>/libvppinfra.so.<release>. */
async function installTree(root: string, version = '25.06', opts: { getStats?: boolean; marker?: boolean } = {}): Promise<string> {
  await mkdir(join(root, 'bin'), { recursive: true });
  await mkdir(join(root, 'lib', 'x86_64-linux-gnu'), { recursive: true });
  for (const b of ['vpp', 'vppctl', ...(opts.getStats === false ? [] : ['vpp_get_stats'])]) {
    await writeFile(join(root, 'bin', b), '');
    await chmod(join(root, 'bin', b), 0o755);
  }
  await writeFile(join(root, 'lib', 'x86_64-linux-gnu', `libvppinfra.so.${version}`), '');
  if (opts.marker !== false) await writeFile(join(root, 'wirespeed-vpp.env'), `VPP_VERSION=${version}\n`);
  return root;
}

let dir: string;
test.beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wsp-locate-'));
});
test.afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the cache folder follows XDG_CACHE_HOME, else HOME/.cache', () => {
  expect(vppCacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/root' })).toBe('/x/cache/wirespeed/vpp');
  expect(vppCacheDir({ HOME: '/home/a' })).toBe('/home/a/.cache/wirespeed/vpp');
});

test('nothing anywhere: absent, with what was looked at and how to build it', () => {
  const l = locateVpp({ env: { PATH: join(dir, 'nobin') }, cacheDir: join(dir, 'cache') });
  expect('absent' in l && l.absent).toMatch(/no vpp and vppctl on PATH, WIRESPEED_VPP_PREFIX unset, no complete build in .*cache; build it once with `WIRESPEED_VPP_SRC=/);
});

test('a complete cached build is found without any variable; an interrupted one (no marker) is not', async () => {
  const cache = join(dir, 'cache');
  await installTree(join(cache, '25.06-aaaaaaaaaaaa'), '25.06', { marker: false });
  expect('absent' in locateVpp({ env: { PATH: '' }, cacheDir: cache })).toBe(true);
  await installTree(join(cache, '25.06-bbbbbbbbbbbb'));
  const l = locateVpp({ env: { PATH: '' }, cacheDir: cache });
  expect('install' in l && l.install).toMatchObject({ version: '25.06', source: 'cache', vpp: join(cache, '25.06-bbbbbbbbbbbb', 'bin', 'vpp') });
});

test('the newest complete cached build wins', async () => {
  const cache = join(dir, 'cache');
  const old = await installTree(join(cache, '24.10-cccccccccccc'), '24.10');
  await installTree(join(cache, '25.06-dddddddddddd'), '25.06');
  await utimes(join(old, 'wirespeed-vpp.env'), new Date(), new Date(Date.now() + 60_000));
  const l = locateVpp({ env: { PATH: '' }, cacheDir: cache });
  expect('install' in l && l.install.version).toBe('24.10');
});

test('PATH beats the cache, WIRESPEED_VPP_SRC makes the cache win again, WIRESPEED_VPP_PREFIX beats both', async () => {
  const cache = join(dir, 'cache');
  await installTree(join(cache, '25.06-eeeeeeeeeeee'));
  const sys = await installTree(join(dir, 'usr'), '24.02', { getStats: false, marker: false });
  const env = { PATH: `${join(dir, 'nowhere')}:${join(sys, 'bin')}` };
  const onPath = locateVpp({ env, cacheDir: cache });
  expect('install' in onPath && onPath.install).toMatchObject({ source: 'path', version: '24.02', vppGetStats: undefined, prefix: sys });
  const fromSrc = locateVpp({ env: { ...env, WIRESPEED_VPP_SRC: '/src/vpp' }, cacheDir: cache });
  expect('install' in fromSrc && fromSrc.install.source).toBe('cache');
  const pre = await installTree(join(dir, 'opt'), '25.02', { marker: false });
  const fromPrefix = locateVpp({ env: { ...env, WIRESPEED_VPP_PREFIX: pre }, cacheDir: cache });
  expect('install' in fromPrefix && fromPrefix.install).toMatchObject({ source: 'prefix', version: '25.02' });
});

test('a WIRESPEED_VPP_PREFIX without VPP is absent with that reason, not a silent fallback', async () => {
  const cache = join(dir, 'cache');
  await installTree(join(cache, '25.06-ffffffffffff'));
  const l = locateVpp({ env: { PATH: '', WIRESPEED_VPP_PREFIX: join(dir, 'empty') }, cacheDir: cache });
  expect('absent' in l && l.absent).toMatch(/WIRESPEED_VPP_PREFIX=.*empty holds no bin\/vpp and bin\/vppctl/);
});
