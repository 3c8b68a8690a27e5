import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { CommandFailedError, ConfigError } from '../../core/errors.ts';
import { TranscriptShell } from '../../fixtures/host/transcript-shell.ts';
import { Vppctl } from './vppctl.ts';
import { vppStartupConf } from './vpp-startup.ts';

const fx = (name: string) => readFileSync(new URL(`../../fixtures/vpp/${name}`, import.meta.url), 'utf8');
const S = 'vppctl -s /run/wsp/r1/cli.sock';

test('memif and vhost-user setup: the exact vppctl commands, names parsed from the output', async () => {
  const sh = new TranscriptShell([
    { command: `${S} create memif socket id 7 filename /run/wsp/r1/dut-memif.sock` },
    { command: `${S} create interface memif id 0 socket-id 7 ring-size 1024 master`, stdout: 'memif7/0\n' },
    { command: `${S} set interface state memif7/0 up` },
    { command: `${S} set interface ip address memif7/0 198.18.0.1/24` },
    { command: `${S} ip route add 198.18.10.0/24 via 198.18.0.2 memif7/0` },
    { command: `${S} create vhost-user socket /run/wsp/r1/vu0.sock server`, stdout: 'VirtualEthernet0/0/0\n' },
    { command: `${S} show memif`, stdout: fx('show-memif-25.06.txt') },
    { command: `${S} show int`, stdout: fx('show-interface-25.06.txt') },
  ]);
  const v = new Vppctl(sh, { socket: '/run/wsp/r1/cli.sock' });
  await v.createMemifSocket(7, '/run/wsp/r1/dut-memif.sock');
  expect(await v.createMemif({ socketId: 7, id: 0, role: 'master', ringSize: 1024 })).toBe('memif7/0');
  await v.setState('memif7/0', true);
  await v.setIpAddress('memif7/0', '198.18.0.1/24');
  await v.addRoute('198.18.10.0/24', '198.18.0.2', 'memif7/0');
  expect(await v.createVhostUser('/run/wsp/r1/vu0.sock', { server: true })).toBe('VirtualEthernet0/0/0');
  expect((await v.showMemif()).interfaces[0]!.connected).toBe(true);
  expect((await v.showInt()).find((i) => i.name === 'memif1/0')!.counters['rx packets']).toBe(155589);
  expect(sh.unused).toEqual([]);
});

test('VPP CLI errors are detected in the output (vppctl exits 0)', async () => {
  const sh = new TranscriptShell([
    { command: `${S} create interface memif id 0 socket-id 9 slave`, stdout: 'create interface memif: socket-id 9 not found\n' },
    { command: `${S} create vhost-user socket /x.sock`, stdout: 'create vhost-user: unknown input `socket /x.sock\'\n' },
  ]);
  const v = new Vppctl(sh, { socket: '/run/wsp/r1/cli.sock' });
  // "not found" alone is not an error form; the name check catches it
  await expect(v.createMemif({ socketId: 9, id: 0, role: 'slave' })).rejects.toThrow(/expected the new interface name/);
  await expect(v.createVhostUser('/x.sock', { server: false })).rejects.toThrow(CommandFailedError);
  await expect(v.createMemifSocket(0, '/x')).rejects.toThrow(ConfigError);
  await expect(v.setState('memif0/0; reboot', true)).rejects.toThrow(/invalid VPP interface name/);
});

test('startup.conf: private sockets, cores; no dpdk plugin for software interfaces, or no-pci when asked', () => {
  const conf = vppStartupConf({ runDir: '/run/wsp/r1/vpp', mainCore: 1, workerCores: [2, 3], pci: [] });
  expect(conf).toContain('cli-listen /run/wsp/r1/vpp/cli.sock');
  expect(conf).toContain('socksvr { socket-name /run/wsp/r1/vpp/api.sock }');
  expect(conf).toContain('statseg { socket-name /run/wsp/r1/vpp/stats.sock }');
  expect(conf).toContain('api-segment { prefix _run_wsp_r1_vpp }');
  expect(conf).toContain('corelist-workers 2,3');
  expect(conf).not.toContain('dpdk');
  expect(vppStartupConf({ runDir: '/r', mainCore: 0, workerCores: [], pci: [], dpdk: true })).toMatch(/dpdk \{\n  no-pci\n\}[^]*plugin dpdk_plugin.so \{ enable \}/);
  expect(vppStartupConf({ runDir: '/r', mainCore: 0, workerCores: [], pci: ['0000:3b:02.0'] })).toContain('dev 0000:3b:02.0');
});
