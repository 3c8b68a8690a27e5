import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { interfaceCounters, parseGetStatsDump } from './parse-get-stats.ts';
import { parseShowInt } from './parse-show-int.ts';
import { parseShowMemif } from './parse-show-memif.ts';
import { parseShowRuntime } from './parse-show-runtime.ts';
import { parseShowVhostUser } from './parse-show-vhost-user.ts';

const fx = (name: string) => readFileSync(new URL(`../../fixtures/vpp/${name}`, import.meta.url), 'utf8');

test('show int (MTU column): counters with spaces, zero counters absent', () => {
  const ifs = parseShowInt(fx('show-int.txt'));
  expect(ifs.map((i) => [i.name, i.swIfIndex, i.up])).toEqual([
    ['VirtualEthernet0/0/0', 1, true],
    ['local0', 0, false],
    ['memif1/0', 2, true],
  ]);
  expect(ifs[0]!.mtu).toEqual([9000, 0, 0, 0]);
  expect(ifs[0]!.counters).toEqual({ 'rx packets': 1048576, 'rx bytes': 67108864, 'tx packets': 1048000, 'tx bytes': 67072000, drops: 576, ip4: 1048576 });
  expect(ifs[1]!.counters).toEqual({});
  expect(ifs[2]!.counters['tx-error']).toBe(3);
});

test('show int (VPP 18.07, no MTU column)', () => {
  const ifs = parseShowInt(fx('show-int-18.07.txt'));
  expect(ifs).toHaveLength(3);
  expect(ifs[0]!.mtu).toBeUndefined();
  expect(ifs[0]!.counters).toEqual({ 'rx packets': 44, 'rx bytes': 2816, 'rx-miss': 2 });
  expect(() => parseShowInt('local0 0 down\n')).toThrow(/header/);
  expect(() => parseShowInt(fx('show-int.txt').replace(/drops +576/, 'drops many'))).toThrow(/show int output \(line 6\)/);
});

test('show runtime: threads, vector rates, rows parsed from the right', () => {
  const th = parseShowRuntime(fx('show-runtime.txt'));
  expect(th.map((t) => [t.index, t.name, t.lcore])).toEqual([[0, 'vpp_main', 0], [1, 'vpp_wk_0', 2]]);
  expect(th[0]!.nodes[0]).toEqual({ name: 'memif-process', state: 'event wait', calls: 1, vectors: 0, suspends: 1, clocks: 22100, vectorsPerCall: 0 });
  expect(th[1]!.vectorRateIn).toBeCloseTo(9.8765e6);
  expect(th[1]!.nodes.find((n) => n.name === 'TenGigabitEthernet86/0/0-outpu')).toMatchObject({ vectors: 804 });
  expect(th[1]!.nodes.find((n) => n.name === 'vhost-user-input')).toMatchObject({ state: 'polling', vectorsPerCall: 24.57 });
  expect(() => parseShowRuntime('Thread 1 vpp_wk_0 (lcore 2)\nip4-lookup active lots\n')).toThrow(/node row/);
});

test('show memif (VPP 19+ layout): sockets, master side, mode ip, unconnected', () => {
  const s = parseShowMemif(fx('show-memif.txt'));
  expect(s.sockets).toEqual([
    { id: 0, listener: false, filename: '/run/vpp/memif.sock' },
    { id: 7, listener: true, filename: '/run/wsp/abc123/dut-memif.sock' },
  ]);
  expect(s.interfaces[0]).toMatchObject({ name: 'memif7/0', socketId: 7, id: 0, connected: true, role: 'master', remoteName: 'DPDK 22.11.4', rings: 2 });
  expect(s.interfaces[1]).toMatchObject({ name: 'memif7/1', mode: 'ip', connected: false, rings: 0 });
});

test('show memif (VPP 18.07 layout): slave side', () => {
  const s = parseShowMemif(fx('show-memif-18.07.txt'));
  expect(s.interfaces).toHaveLength(1);
  expect(s.interfaces[0]).toMatchObject({ name: 'memif1/0', role: 'slave', connected: true, flags: ['admin-up', 'slave', 'connected'] });
  expect(() => parseShowMemif('interface memif0/0\n  flags admin-up\n')).toThrow(/socket-id N id N mode M/);
  expect(() => parseShowMemif('sockets\n  x  maybe /a\n')).toThrow(/socket row/);
});

test('show vhost-user: socket, role, features, connection', () => {
  const v = parseShowVhostUser(fx('show-vhost-user.txt'));
  expect(v[0]).toMatchObject({ name: 'VirtualEthernet0/0/0', ifindex: 1, socket: '/run/wsp/abc123/vu0.sock', type: 'client', errno: 'Success', memoryRegions: 1, virtqueues: 2, connected: true });
  expect(v[0]!.features).toContain('VIRTIO_F_VERSION_1');
  expect(v[1]).toMatchObject({ type: 'server', errno: 'No such file or directory', connected: false });
  expect(() => parseShowVhostUser('hello')).toThrow(/Virtio vhost-user interfaces/);
});

test('vpp_get_stats dump: line kinds and per-interface sums over threads', () => {
  const lines = parseGetStatsDump(fx('get-stats-dump.txt'));
  expect(lines).toHaveLength(11);
  expect(lines[10]).toEqual({ kind: 'scalar', value: 9876543.21, name: '/sys/vector_rate' });
  const c = interfaceCounters(lines);
  expect(c.get(1)).toMatchObject({ name: 'memif7/0', rxPackets: 9000000, rxBytes: 576000000, drops: 120, rxMiss: 30 });
  expect(c.get(2)).toMatchObject({ name: 'memif7/1', txPackets: 8999000, txError: 850 });
  expect(() => parseGetStatsDump('[1 @ 0]: many packets /if/rx')).toThrow(/vpp_get_stats dump/);
});
