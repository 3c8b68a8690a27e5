import { connect } from 'node:net';
import { expect, test } from '@playwright/test';
import { ConfigError, TimeoutError } from '../../../core/errors.ts';
import { IMIX_7_4_1 } from '../../../method/trial.ts';
import { FakePktgen } from '../../../fixtures/pktgen/fake-pktgen.ts';
import { lineRatePps } from '../../../lab/line-rate.ts';
import { PktgenLuaClient } from './lua-client.ts';
import { pktgenArgv, pktgenSpecForNode, portMatrix } from './pktgen-argv.ts';
import { PktgenSession } from './pktgen-session.ts';

const ports = [
  { speedGbps: 10, dstMac: '02:00:00:00:00:00', srcIp: '198.18.1.1', dstIp: '198.18.1.2' },
  { speedGbps: 10, dstMac: '02:00:00:00:00:01', srcIp: '198.18.0.1', dstIp: '198.18.0.2' },
] as const;
const line64 = lineRatePps(10, 64);

test('-m matrix: display lcore 0 excluded, rx:tx split per port', () => {
  expect(portMatrix(4, 2)).toBe('[1:2].0,[3:4].1');
  expect(portMatrix(2, 2)).toBe('1.0,2.1');
  expect(portMatrix(8, 2)).toBe('[1-2:3-4].0,[5-6:7-8].1');
  expect(() => portMatrix(1, 2)).toThrow(ConfigError);
  const argv = pktgenArgv({
    binary: '/usr/local/bin/pktgen',
    eal: { filePrefix: 'wsp-r1-tg', lcores: [2, 3, 4, 5, 6], memoryMb: 1024, noPci: false, vdevs: [], allowPci: ['0000:81:00.0', '0000:81:00.1'] },
    ports: 2,
  });
  const dd = argv.indexOf('--');
  expect(argv.slice(dd)).toEqual(['--', '-P', '-G', '-m', '[1:2].0,[3:4].1']);
  expect(argv.slice(0, dd)).toEqual(expect.arrayContaining(['--file-prefix=wsp-r1-tg']));
  // from the inventory: cpus.tg "2-6" and the tg node's linked ports
  const spec = pktgenSpecForNode({ node: { name: 'tg', cpus: { tg: [2, 3, 4, 5, 6] } }, pci: ['0000:81:00.0', '0000:81:00.1'], runId: 'r1' });
  const fromNode = pktgenArgv(spec);
  expect(fromNode.slice(fromNode.indexOf('--'))).toEqual(['--', '-P', '-G', '-m', '[1:2].0,[3:4].1']);
  expect(fromNode.join(' ')).toContain("--lcores=0@2,1@3,2@4,3@5,4@6 -m 2048 -a 0000:81:00.0 -a 0000:81:00.1");
  expect(() => pktgenSpecForNode({ node: { name: 'tg', cpus: { tg: [2, 3] } }, pci: ['0000:81:00.0', '0000:81:00.1'], runId: 'r1' })).toThrow(/needs 3 CPUs in cpus.tg/);
});

test('Lua socket: marker framing, Lua errors, syntax errors surface as a timeout with the output', async () => {
  const fake = await FakePktgen.start({ version: '24.10.3', capacityPps: 1e6 });
  const c = await PktgenLuaClient.connect({ host: '127.0.0.1', port: fake.port });
  try {
    expect(await c.call('print(pktgen.info.Pktgen_Version)')).toBe('24.10.3');
    const bad = await c.request('pktgen.set("0", "speed", 5)');
    expect(bad).toMatchObject({ ok: false, error: 'set does not support speed' });
    await expect(c.call('pktgen.nosuch("0")')).rejects.toThrow(/attempt to call a nil value \(field 'nosuch'\)/);
    const err = await c.request('pktgen.start("0"', 300).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(String((err as TimeoutError).hint)).toContain('stdin:1:');
    // the session is still usable after a syntax error
    expect((await c.call('print(pktgen.info.Pktgen_Version)')).trim()).toBe('24.10.3');
  } finally {
    await c.close();
    await fake.stop();
  }
});

test('one client at a time: a second connection gets no answer until the first disconnects', async () => {
  const fake = await FakePktgen.start({ version: '24.10.3', capacityPps: 1e6 });
  const first = await PktgenLuaClient.connect({ host: '127.0.0.1', port: fake.port });
  const second = connect({ host: '127.0.0.1', port: fake.port });
  let got = '';
  second.on('data', (d) => (got += d.toString()));
  second.write('print(pktgen.info.Pktgen_Version)\n');
  await new Promise((r) => setTimeout(r, 200));
  expect(got).toBe('');
  await first.close();
  await expect.poll(() => got, { timeout: 5000 }).toBe('24.10.3\n');
  second.destroy();
  await fake.stop();
});

for (const version of ['24.10.3', '26.02.1']) {
  test(`measure() against the DUT model, pktgen ${version}`, async () => {
    const capacity = 0.5 * line64; // DUT forwards half of one port's line rate
    const fake = await FakePktgen.start({ version, capacityPps: capacity });
    const client = await PktgenLuaClient.connect({ host: '127.0.0.1', port: fake.port });
    await using s = await PktgenSession.open({ client, ports, drainMs: 20 });
    expect(s.info).toEqual({ name: 'pktgen-dpdk', version });
    const base = { profile: { kind: 'fixed' as const, frameBytes: 64 }, flows: 16, direction: 'bidirectional' as const };
    // below capacity: nothing lost
    const low = await s.measure({ ...base, loadPps: 0.25 * line64, durationS: 0.3 });
    expect(low.attempted).toBeGreaterThan(0);
    expect(low.lossRatio).toBe(0);
    expect(low.directions.map((d) => d.name)).toEqual(['p0->p1', 'p1->p0']);
    // the rate is percent of line rate per port: 0.25 line rate over two ports = 12.5 %
    expect(fake.received.join('\n')).toContain('pktgen.set("0", "rate", "12.500000")');
    expect(fake.received.join('\n')).toContain('pktgen.range.src_port("1", "max", 1039)');
    // twice the capacity: half is lost, whatever the timing
    const high = await s.measurer(base)(0.3, 2 * capacity);
    expect(high.lossRatio).toBeCloseTo(0.5, 2);
    expect(high.received).toBeLessThan(high.attempted);
    // the right portStats call for the version
    expect(fake.received.some((l) => l.includes(version.startsWith('26') ? 'pktgen.portStats("all"))' : 'pktgen.portStats("all", "port")'))).toBe(true);
    await fake.stop();
  });
}

test('unidirectional sends on port 0 only; IMIX and over-line-rate loads are refused', async () => {
  const fake = await FakePktgen.start({ version: '24.10.3', capacityPps: 1e9 });
  const client = await PktgenLuaClient.connect({ host: '127.0.0.1', port: fake.port });
  const s = await PktgenSession.open({ client, ports, drainMs: 20 });
  try {
    const r = await s.measure({ loadPps: 1e6, durationS: 0.2, profile: { kind: 'fixed', frameBytes: 128 }, flows: 1, direction: 'unidirectional' });
    expect(r.directions).toHaveLength(1);
    expect(r.lossRatio).toBe(0);
    expect(fake.received.join('\n')).toContain('pktgen.start("0")');
    await expect(s.measure({ loadPps: 1e6, durationS: 0.1, profile: IMIX_7_4_1, flows: 1, direction: 'unidirectional' })).rejects.toThrow(/one frame size per trial/);
    await expect(s.measure({ loadPps: 2 * line64 + 10, durationS: 0.1, profile: { kind: 'fixed', frameBytes: 64 }, flows: 1, direction: 'bidirectional' })).rejects.toThrow(/exceeds line rate/);
    expect(await s.latencySummary(0)).toMatchObject({ minUs: 4, avgUs: 6, maxUs: 20 });
  } finally {
    await s.close();
    await fake.stop();
  }
});

test('startPktgen spawns the process, connects when its socket is up, kills it on close', async () => {
  const { localShell } = await import('../../shell/local.ts');
  const { startPktgen } = await import('./start-pktgen.ts');
  const { createServer } = await import('node:net');
  const free = await new Promise<number>((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const a = s.address(); s.close(() => resolve(typeof a === 'object' && a ? a.port : 0)); }); });
  const shell = localShell();
  const argv = { binary: 'pktgen', eal: { filePrefix: 'wsp-t', lcores: [0, 1, 1], memoryMb: 64, noPci: true, vdevs: [], allowPci: [] }, ports: 2, socketPort: free };
  const s = await startPktgen({ shell, argv, socketHost: '127.0.0.1', ports, startTimeoutMs: 30_000, command: ['npx', 'tsx', new URL('../../../fixtures/pktgen/fake-pktgen-main.ts', import.meta.url).pathname, String(free), '26.02.1'] });
  expect(s.info.version).toBe('26.02.1');
  await s.close();
  await expect(PktgenLuaClient.connect({ host: '127.0.0.1', port: free, connectAttempts: 1 })).rejects.toThrow(/cannot connect/);
  // a process that dies before its socket is up is reported with its output
  await expect(startPktgen({ shell, argv, socketHost: '127.0.0.1', ports, command: ['sh', '-c', 'echo EAL: no hugepages; exit 1'] })).rejects.toThrow(/exited before its Lua socket came up/);
});
