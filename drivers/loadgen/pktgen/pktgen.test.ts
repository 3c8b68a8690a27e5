import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ConfigError } from '../../../core/errors.ts';
import { unwrapRequest } from '../../../fixtures/pktgen/fake-pktgen.ts';
import { localShell } from '../../shell/local.ts';
import type { Shell } from '../../shell/shell.ts';
import { latencyHistogram, parseLatencySamples } from './latency-samples.ts';
import { locatePktgen, locatePktgenOnNode, pktgenCacheDir } from './locate-pktgen.ts';
import { luaString, PktgenLuaClient, wrapRequest } from './lua-client.ts';
import { pktgenArgv, pktgenLcores } from './pktgen-argv.ts';
import { parseLinkStates } from './pktgen-session.ts';
import { checkSupported, parsePktgenVersion, pktgenFeatures } from './pktgen-version.ts';
import { pacedPps, ratePercent, trialRates, trialSetupLua } from './trial-plan.ts';

test('a request is one line whatever its body holds, and the fake unwraps it back', () => {
  const body = 'local s = "a\\"b"\nio.write(s, "\\n")\n\t-- tab, quote " and backslash \\';
  const line = wrapRequest(7, body);
  expect(line.endsWith('\n')).toBe(true);
  expect(line.slice(0, -1)).not.toMatch(/[\n\r]/);
  expect(unwrapRequest(line.trimEnd())).toEqual({ body, id: 7 });
  expect(luaString('x\x01y')).toBe('"x\\001y"');
});

test('replies: output before the marker, Lua errors in it, stray markers ignored', async () => {
  const sent: string[] = [];
  const c = new PktgenLuaClient({ where: 'test socket', write: async (t) => void sent.push(t), timeoutMs: 2000 });
  /** Answer the n-th request once it has been written (requests go out one at a time). */
  const answer = async (n: number, text: string) => {
    await expect.poll(() => sent.length).toBe(n);
    c.feed(text);
  };
  c.feed('@@WSP-RELAY connected\n');
  await c.connected();
  const a = c.request('io.write("abc\\n")');
  await answer(1, 'abc\n\n@@WSP-OK 1\n');
  expect(await a).toEqual({ ok: true, output: 'abc\n' });
  const b = c.request('pktgen.nosuch()');
  await answer(2, '\n@@WSP-ERR 99 late\n'); // a reply nobody waits for
  c.feed("\n@@WSP-ERR 2 wsp:1: attempt to call a nil value (field 'nosuch')\n");
  expect(await b).toEqual({ ok: false, output: '', error: "wsp:1: attempt to call a nil value (field 'nosuch')" });
  const d = c.call('pktgen.nosuch()');
  await answer(3, '\n@@WSP-ERR 3 boom\n');
  await expect(d).rejects.toThrow(/pktgen refused a request: boom/);
  expect(sent[0]).toContain('@@WSP-OK 1');
  c.end('test over');
  await expect(c.request('x')).rejects.toThrow(/is gone: test over/);
});

test('a relay that cannot connect fails connected() and every request with its reason', async () => {
  const c = new PktgenLuaClient({ where: 'test socket', write: async () => undefined });
  c.feed('@@WSP-RELAY error 127.0.0.1:22022: Connection refused\n');
  await expect(c.connected()).rejects.toThrow(/Connection refused/);
  await expect(c.request('x')).rejects.toThrow(/Connection refused/);
});

test('rates: percent of the negotiated link as pktgen paces it, and loads above the link are refused', () => {
  // 10 Gb/s, 64 B: floor(1e10 / 672) = 14,880,952 pps at 100 %.
  expect(pacedPps(100, 64, 10_000)).toBe(14_880_952);
  for (const pps of [1, 1000, 148_809, 1_234_567, 7_000_000]) expect(pacedPps(ratePercent(pps, 64, 10_000), 64, 10_000)).toBe(pps);
  expect(pacedPps(ratePercent(812_743, 1518, 10_000), 1518, 10_000)).toBe(812_743);
  // a 1 Mpps bidirectional load is 0.5 Mpps per port
  const [p0, p1] = trialRates({ loadPps: 1e6, direction: 'bidirectional' }, 64, [10_000, 10_000], 'w');
  expect(pacedPps(p0!, 64, 10_000)).toBe(500_000);
  expect(p1).toBe(p0);
  expect(() => trialRates({ loadPps: 30e6, direction: 'bidirectional' }, 64, [10_000, 10_000], 'w')).toThrow(/exceeds its link rate, 14880952 pps at 64 B on 10000 Mb\/s/);
  expect(() => trialRates({ loadPps: 1e6, direction: 'unidirectional' }, 64, [0], 'w')).toThrow(ConfigError);
});

test('one flow is single mode; several flows set every routed field in range mode', () => {
  const config = [
    { dstMac: '02:00:00:00:00:00', srcIp: '198.18.0.1', dstIp: '198.18.1.1' },
    { dstMac: '02:00:00:00:00:01', srcIp: '198.18.1.1', dstIp: '198.18.0.1' },
  ];
  const single = trialSetupLua({ ports: [0], config, frameBytes: 64, ratePercent: [1], flows: 1 });
  expect(single).toContain('pktgen.set_range("0", "off")');
  expect(single).not.toContain('pktgen.range.');
  const range = trialSetupLua({ ports: [0, 1], config, frameBytes: 128, ratePercent: [2, 2], flows: 16 });
  for (const want of [
    'pktgen.range.dst_mac("1", "start", "02:00:00:00:00:01")',
    'pktgen.range.src_ip("0", "start", "198.18.0.1")',
    'pktgen.range.dst_ip("0", "start", "198.18.1.1")',
    'pktgen.range.dst_ip("1", "inc", "0.0.0.0")',
    'pktgen.range.src_port("0", "min", 1024)',
    'pktgen.range.src_port("0", "max", 1039)',
    'pktgen.range.src_port("1", "inc", 1)',
    'pktgen.range.pkt_size("1", "start", 128)',
    'pktgen.range.ip_proto("0", "udp")',
    'pktgen.set_range("1", "on")',
  ]) {
    expect(range).toContain(want);
  }
});

test('link states: up with its speed, down, and anything else is an error', () => {
  expect(parseLinkStates({ '0': '<UP-10000-FD>', '1': '<--Down-->', n: 2 }, 'w')).toEqual([
    { up: true, mbps: 10000, text: '<UP-10000-FD>' },
    { up: false, mbps: 0, text: '<--Down-->' },
  ]);
  expect(parseLinkStates({ '0': '<UP-0-FD>', n: 1 }, 'w')[0]!.up).toBe(false);
  expect(() => parseLinkStates({ '0': 'up', n: 1 }, 'w')).toThrow(/neither/);
});

test('versions: socket gap, portStats shape, pktStats, -m port lists', () => {
  const f = (v: string) => pktgenFeatures(parsePktgenVersion(v));
  expect(parsePktgenVersion('Pktgen 23.06.1').text).toBe('23.06.1');
  expect(f('23.06.1')).toMatchObject({ portStats: 'flat', pktStats: true, matrixPortLists: true, noSocket: null });
  expect(f('24.05.0').matrixPortLists).toBe(true);
  expect(f('24.05.1')).toMatchObject({ matrixPortLists: false, noSocket: expect.stringMatching(/no Lua socket/) });
  expect(f('24.07.1').noSocket).toBeNull();
  expect(f('25.08.2')).toMatchObject({ portStats: 'flat', pktStats: true });
  expect(f('26.02.1')).toMatchObject({ portStats: 'nested', pktStats: false });
  expect(() => checkSupported(f('24.07.0'), 'x')).toThrow(/removed in 24.05.1/);
  expect(() => checkSupported(f('22.07.0'), 'x')).toThrow(/older than 23.03.0/);
});

test('lcores: main and workers on the generator CPUs, -m by what the version accepts', () => {
  expect(pktgenLcores([1], 2, { matrixPortLists: true })).toEqual({ lcores: [1, 1], matrix: '1.[0-1]' });
  expect(pktgenLcores([1], 2, { matrixPortLists: false })).toEqual({ lcores: [1, 1, 1], matrix: '1.0,2.1' });
  expect(pktgenLcores([2, 3, 4], 2, { matrixPortLists: true })).toEqual({ lcores: [2, 3, 4], matrix: '1.0,2.1' });
  expect(pktgenLcores([2, 3, 4, 5, 6], 2, { matrixPortLists: false })).toEqual({ lcores: [2, 3, 4, 5, 6], matrix: '[1:2].0,[3:4].1' });
  const argv = pktgenArgv({
    binary: '/opt/pktgen/bin/pktgen',
    eal: { filePrefix: 'wsp-r1-pg', lcores: [1, 1], memoryMb: 512, noPci: true, vdevs: ['net_virtio_user0,path=/s0'], allowPci: [], singleFileSegments: true },
    matrix: '1.[0-1]',
    socket: { host: '127.0.0.1', port: 22022 },
  });
  expect(argv.join(' ')).toBe('/opt/pktgen/bin/pktgen --file-prefix=wsp-r1-pg --lcores=0@1,1@1 -m 512 --no-pci --vdev net_virtio_user0,path=/s0 --single-file-segments -- -g 127.0.0.1:22022 -m 1.[0-1]');
  expect(() => pktgenArgv({ binary: 'x', eal: { filePrefix: 'p', lcores: [1], memoryMb: 1, noPci: true, vdevs: [], allowPci: [] }, matrix: '1.0', socket: { host: 'a b', port: 1 } })).toThrow(ConfigError);
});

test('latency sampler files become one histogram; a malformed line is an error naming it', () => {
  expect(parseLatencySamples('Latency\n1200\n800\n')).toEqual([1200, 800]);
  const h = latencyHistogram(['Latency\n1000\n3000\n', 'Latency\n2000\n']);
  expect(h).toMatchObject({ count: 3, minNs: 1000, maxNs: 3000, sumNs: 6000 });
  expect(() => parseLatencySamples('1200\n')).toThrow(/first line "Latency"/);
  expect(() => parseLatencySamples('Latency\n12x\n')).toThrow(/line 2/);
});

test('locate: prefix, then PATH, then the newest cached build; absent with a reason that says what to do', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wsp-locate-'));
  try {
    const shell = localShell();
    // What the real binary carries (grep -a on the 23.06.1 build): "Pktgen 23.06.1", and "Pktgen_Version" with Lua.
    const fakeBinary = async (file: string, version: string, lua = true) => {
      await mkdir(join(file, '..'), { recursive: true });
      await writeFile(file, `\x7fELF\0junk\0Pktgen ${version}\0${lua ? 'Pktgen_Version\0' : ''}more`);
      await chmod(file, 0o755);
    };
    const env = { HOME: join(dir, 'home'), PATH: '/usr/bin:/bin' };
    const none = await locatePktgen(shell, { env });
    expect(none).toMatchObject({ kind: 'absent', reason: expect.stringMatching(/not installed.*WIRESPEED_PKTGEN_SRC=/) });
    const cache = pktgenCacheDir(env);
    expect(cache).toBe(join(dir, 'home/.cache/wirespeed/pktgen'));
    await fakeBinary(join(cache, '23.03.0-aaaa/bin/pktgen'), '23.03.0');
    await fakeBinary(join(cache, '23.06.1-bbbb/bin/pktgen'), '23.06.1');
    await mkdir(join(cache, '.build-23.10.0-x/out/bin'), { recursive: true }); // a build in progress is not a build
    expect(await locatePktgen(shell, { env })).toMatchObject({ kind: 'found', source: 'cache', binary: join(cache, '23.06.1-bbbb/bin/pktgen'), version: { text: '23.06.1' } });
    // Another node (the bare-metal generator): the lookup runs in its environment as its shell reports it.
    const node: Shell = {
      ...shell,
      exec: (cmd, o) => shell.exec(cmd, (cmd as readonly string[])[0] === 'sh' && String((cmd as readonly string[])[2]).startsWith('printf') ? { ...o, env: { HOME: join(dir, 'home') } } : o),
    };
    expect(await locatePktgenOnNode(node)).toMatchObject({ kind: 'found', source: 'cache', binary: join(cache, '23.06.1-bbbb/bin/pktgen') });
    await fakeBinary(join(dir, 'prefix/bin/pktgen'), '24.05.2');
    expect(await locatePktgen(shell, { env: { ...env, WIRESPEED_PKTGEN_PREFIX: join(dir, 'prefix') } })).toMatchObject({ kind: 'absent', reason: expect.stringMatching(/no Lua socket/) });
    await fakeBinary(join(dir, 'prefix/bin/pktgen'), '24.10.3', false);
    expect(await locatePktgen(shell, { env: { ...env, WIRESPEED_PKTGEN_PREFIX: join(dir, 'prefix') } })).toMatchObject({ kind: 'absent', reason: expect.stringMatching(/built without Lua/) });
    expect(await locatePktgen(shell, { env: { ...env, WIRESPEED_PKTGEN_PREFIX: join(dir, 'nope') } })).toMatchObject({ kind: 'absent', reason: expect.stringMatching(/has no executable bin\/pktgen/) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
