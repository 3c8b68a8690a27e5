import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { ProvisionError } from '../../../core/errors.ts';
import { TranscriptShell } from '../../../fixtures/host/transcript-shell.ts';
import { vswitchStarter } from './vswitch.ts';

const SHOW_INT_HEADER = '              Name               Idx    State  MTU (L3/IP4/IP6/MPLS)     Counter          Count';

test('VPP as the memif vswitch: startup, phys <-> memif cross-connects, DUT vdevs; stop kills VPP and removes its dir', async () => {
  const D = '/run/wsp/r9/vswitch';
  const S = `vppctl -s ${D}/cli.sock`;
  // VPP names each dpdk device as startup.conf says (`dev <pci> { name port<i> }`), in its own index order.
  const showInt = [
    SHOW_INT_HEADER,
    'local0                            0     down          0/0/0/0',
    'port1                             1     down         9000/0/0/0',
    'port0                             2     down         9000/0/0/0',
  ].join('\n');
  // startVpp first removes what a crashed VPP of the same run dir left (the dir, the API segment in /dev/shm).
  const leftovers = [{ command: `rm -rf -- ${D}` }, { command: `find /dev/shm -maxdepth 1 -name '_run_wsp_r9_vswitch-*' -delete` }];
  const sh = new TranscriptShell([
    ...leftovers,
    { command: `mkdir -p ${D}` },
    { command: `${S} show version`, stdout: readFileSync(new URL('../../../fixtures/vpp/show-version-25.06.txt', import.meta.url), 'utf8') },
    { command: `${S} show int`, stdout: showInt },
    { command: `${S} create memif socket id 1 filename ${D}/memif.sock` },
    { command: `${S} create interface memif id 0 socket-id 1 master`, stdout: 'memif1/0\n' },
    { command: `${S} set interface state port0 up` },
    { command: `${S} set interface state memif1/0 up` },
    { command: `${S} set interface l2 xconnect port0 memif1/0` },
    { command: `${S} set interface l2 xconnect memif1/0 port0` },
    { command: `${S} create interface memif id 1 socket-id 1 master`, stdout: 'memif1/1\n' },
    { command: `${S} set interface state port1 up` },
    { command: `${S} set interface state memif1/1 up` },
    { command: `${S} set interface l2 xconnect port1 memif1/1` },
    { command: `${S} set interface l2 xconnect memif1/1 port1` },
    ...leftovers,
  ]);
  const start = vswitchStarter({ runRoot: '/run/wsp' });
  // DUT port 0 is on the NIC at d8 and port 1 on the one at 3b: pairing by VPP's sorted names (3b before d8)
  // used to cross-connect DUT port 0 with the wire of port 1.
  const v = await start({ kind: 'memif', shell: sh, physical: ['0000:d8:00.0', '0000:3b:00.0'], runId: 'r9', cpus: [4, 5] });
  expect(v.info).toEqual({ kind: 'vpp', version: '25.06-release' });
  expect(v.dutPorts.map((p) => p.kind === 'vdev' && p.vdev)).toEqual([
    `net_memif0,role=client,id=0,socket=${D}/memif.sock`,
    `net_memif1,role=client,id=1,socket=${D}/memif.sock`,
  ]);
  const conf = sh.files.get(`${D}/startup.conf`)!;
  expect(conf).toContain('dev 0000:d8:00.0 { name port0 }');
  expect(conf).toContain('dev 0000:3b:00.0 { name port1 }');
  expect(conf).toContain('main-core 4');
  expect(sh.ran).toContain(`spawn vpp -c ${D}/startup.conf`);
  await v.stop();
  expect(sh.ran).toContain(`kill vpp -c ${D}/startup.conf`);
  expect(sh.unused).toEqual([]);
});

test('VPP without an interface for one of the ports (not bound to vfio-pci): an error naming that PCI function; VPP stopped', async () => {
  const D = '/run/wsp/r9/vswitch';
  const S = `vppctl -s ${D}/cli.sock`;
  const leftovers = [{ command: `rm -rf -- ${D}` }, { command: `find /dev/shm -maxdepth 1 -name '_run_wsp_r9_vswitch-*' -delete` }];
  const sh = new TranscriptShell([
    ...leftovers,
    { command: `mkdir -p ${D}` },
    { command: `${S} show version`, stdout: readFileSync(new URL('../../../fixtures/vpp/show-version-25.06.txt', import.meta.url), 'utf8') },
    { command: `${S} show int`, stdout: [SHOW_INT_HEADER, 'local0                            0     down          0/0/0/0', 'port0                             1     down         9000/0/0/0'].join('\n') },
    ...leftovers,
  ]);
  const start = vswitchStarter({ runRoot: '/run/wsp' });
  const err = await start({ kind: 'memif', shell: sh, physical: ['0000:3b:00.0', '0000:3b:00.1'], runId: 'r9', cpus: [4, 5] }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ProvisionError);
  expect(String(err)).toContain('VPP has no interface for 0000:3b:00.1 (it shows local0, port0)');
  expect((err as ProvisionError).hint).toContain('bind 0000:3b:00.1 to vfio-pci');
  expect(sh.ran).toContain(`kill vpp -c ${D}/startup.conf`);
  expect(sh.unused).toEqual([]);
});
