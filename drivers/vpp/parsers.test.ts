/**
 * The VPP parsers on output recorded from the real VPP (fixtures/vpp/*-<version>.txt, written by
 * fixtures/vpp/record-transcripts.ts with our generator sending through VPP as the local DUT).
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { errorCounters, interfaceCounters, parseGetStatsDump } from './parse-get-stats.ts';
import { parseShowErrors } from './parse-show-errors.ts';
import { parseShowInt } from './parse-show-int.ts';
import { parseShowMemif } from './parse-show-memif.ts';
import { parseShowRuntime } from './parse-show-runtime.ts';
import { parseShowVhostUser } from './parse-show-vhost-user.ts';
import { parseRxPlacement } from './parse-rx-placement.ts';
import { dutCountersOf } from './vpp-stats.ts';

const fx = (name: string, version = '25.06') => readFileSync(new URL(`../../fixtures/vpp/${name}-${version}.txt`, import.meta.url), 'utf8');

test('show interface: ports with their counters, zero counters absent, local0 down', () => {
  const ifs = parseShowInt(fx('show-interface'));
  expect(ifs.map((i) => [i.name, i.swIfIndex, i.up])).toEqual([
    ['local0', 0, false],
    ['memif1/0', 1, true],
    ['memif1/1', 2, true],
  ]);
  expect(ifs[1]!.mtu).toEqual([9000, 0, 0, 0]);
  expect(ifs[1]!.counters).toEqual({ 'rx packets': 155589, 'rx bytes': 9335340, 'tx packets': 155589, 'tx bytes': 9335340 });
  expect(ifs[0]!.counters).toEqual({});
  // A route gone: the receiving port counts the drops, the other port sends less than it receives.
  const nr = parseShowInt(fx('show-interface-noroute'));
  expect(nr[1]!.counters).toMatchObject({ drops: 70187, ip4: 198741 });
  expect(nr[2]!.counters['tx packets']).toBe(128554);
  expect(() => parseShowInt('local0 0 down\n')).toThrow(/header/);
  expect(() => parseShowInt(fx('show-interface').replace(/rx bytes( +)9335340/, 'rx bytes$1many'))).toThrow(/show int output \(line 4\)/);
});

test('show runtime: a VPP without workers is thread 0; quoted and cut states; rates without a leading zero', () => {
  const th = parseShowRuntime(fx('show-runtime'));
  expect(th).toHaveLength(1);
  expect(th[0]).toMatchObject({ index: 0, name: 'vpp_main', timeS: 3.6, vectorRateIn: 9.4449e4, vectorRateOut: 9.4449e4, vectorRateDrop: 0 });
  const node = (n: string) => th[0]!.nodes.find((x) => x.name === n);
  expect(node('memif-input')).toEqual({ name: 'memif-input', state: 'polling', calls: 1652302, vectors: 344293, suspends: 0, clocks: 3160, vectorsPerCall: 0.21 });
  expect(node('bfd-process')!.state).toBe('event wait');
  expect(node('dev-config')!.state).toBe('not started');
  expect(th[0]!.nodes.length).toBeGreaterThan(25);
  expect(() => parseShowRuntime('Thread 1 vpp_wk_0 (lcore 2)\nip4-lookup active lots\n')).toThrow(/node row/);
});

test('show memif: the listener socket, VPP as master, the DPDK client connected; after it left: disconnected', () => {
  const s = parseShowMemif(fx('show-memif'));
  expect(s.sockets.map((k) => [k.id, k.listener])).toEqual([
    [0, false],
    [1, true],
  ]);
  expect(s.sockets[1]!.filename).toMatch(/\/dut-memif\.sock$/);
  expect(s.interfaces.map((i) => [i.name, i.role, i.connected, i.remoteName, i.remoteInterface])).toEqual([
    ['memif1/0', 'master', true, 'DPDK 22.11.11', 'net_memif0'],
    ['memif1/1', 'master', true, 'DPDK 22.11.11', 'net_memif1'],
  ]);
  const d = parseShowMemif(fx('show-memif-disconnected'));
  expect(d.interfaces.map((i) => [i.connected, i.flags, i.localDisconnectReason])).toEqual([
    [false, ['admin-up'], 'disconnected'],
    [false, ['admin-up'], 'disconnected'],
  ]);
  expect(() => parseShowMemif('interface memif0/0\n  flags admin-up\n')).toThrow(/socket-id N id N mode M/);
  expect(() => parseShowMemif('sockets\n  x  maybe /a\n')).toThrow(/socket row/);
});

test('show vhost-user: VPP as client of the generator, features negotiated, memory and both virtqueues', () => {
  const v = parseShowVhostUser(fx('show-vhost-user'));
  expect(v).toHaveLength(2);
  expect(v[0]).toMatchObject({ name: 'VirtualEthernet0/0/0', ifindex: 1, type: 'client', errno: 'Success', featuresHex: '0x150008000', memoryRegions: 1, virtqueues: 2, connected: true });
  expect(v[0]!.socket).toMatch(/\/vhost0\.sock$/);
  expect(v[0]!.features).toEqual(['VIRTIO_NET_F_MRG_RXBUF', 'VIRTIO_RING_F_INDIRECT_DESC', 'VHOST_USER_F_PROTOCOL_FEATURES', 'VIRTIO_F_VERSION_1']);
  expect(() => parseShowVhostUser('hello')).toThrow(/Virtio vhost-user interfaces/);
});

test('show errors: counters with spaces in their reason; the no-route drop is null-node/blackholed packets', () => {
  expect(parseShowErrors(fx('show-errors-l2xc'))).toEqual([
    { count: 385004, node: 'l2-output', reason: 'L2 output packets', severity: 'error' },
    { count: 385004, node: 'l2-input', reason: 'L2 input packets', severity: 'error' },
  ]);
  expect(parseShowErrors(fx('show-errors-noroute'))).toEqual([{ count: 59370, node: 'null-node', reason: 'blackholed packets', severity: 'error' }]);
  expect(() => parseShowErrors('Count Node\n')).toThrow(/header/);
});

test('vpp_get_stats dump: interface counters by name, non-zero error counters, summed into the DUT record', () => {
  const lines = parseGetStatsDump(fx('get-stats-dump'));
  expect(lines.length).toBeGreaterThan(2000);
  const c = interfaceCounters(lines);
  expect(c.get(1)).toEqual({ name: 'memif1/0', rxPackets: 202276, rxBytes: 12136560, txPackets: 202276, txBytes: 12136560, drops: 0, rxMiss: 0, txError: 0 });
  expect(c.get(2)!.name).toBe('memif1/1');
  const errors = errorCounters(lines);
  expect([...errors]).toEqual([
    ['l2-output/L2 output packets', 404552],
    ['l2-input/L2 input packets', 404552],
  ]);
  const dut = dutCountersOf({ interfaces: [...c.values()].filter((i) => i.name !== 'local0'), errors }, 'vpp stats segment');
  expect(dut).toMatchObject({ rxPackets: 404552, txPackets: 404552, drops: { rxMiss: 0, txError: 0, noRoute: 0, other: 0 } });
  expect(() => parseGetStatsDump('[1 @ 0]: many packets /if/rx')).toThrow(/vpp_get_stats dump/);
});

test('show interface rx-placement: each queue with its thread, node and rx-mode (VPP as vswitch, generator side just connected)', () => {
  const q = parseRxPlacement(fx('show-interface-rx-placement'));
  expect(q.map((x) => [x.ifname, x.queue, x.mode])).toEqual([
    ['memif1/0', 0, 'polling'],
    ['memif1/1', 0, 'polling'],
    ['memif2/0', 0, 'interrupt'],
    ['memif2/1', 0, 'interrupt'],
  ]);
  expect(q.every((x) => x.thread === 0 && x.node === 'memif-input')).toBe(true);
  expect(parseRxPlacement('')).toEqual([]);
  expect(() => parseRxPlacement(fx('show-interface-rx-placement').replace('(polling)', '(sleeping)'))).toThrow(/rx-placement output \(line 3\)/);
  expect(() => parseRxPlacement('    memif1/0 queue 0 (polling)\n')).toThrow(/line 1/);
});
