import { expect, test } from '@playwright/test';
import { ConfigError } from '../../core/errors.ts';
import { ealArgs, type EalSpec } from './eal.ts';

const base: EalSpec = { filePrefix: 'wsp-r1-gen', lcores: [1], memoryMb: 256, noPci: true, vdevs: [], allowPci: [] };

test('pins lcore ids 0..n-1 onto the given CPUs so application --config stays small', () => {
  expect(ealArgs({ ...base, lcores: [1, 0] })).toEqual([
    '--file-prefix=wsp-r1-gen',
    '--lcores=0@1,1@0',
    '-m',
    '256',
    '--no-pci',
  ]);
});

test('a CPU set floats one lcore over several CPUs; main lcore is explicit when given', () => {
  const argv = ealArgs({ ...base, lcores: [[3, 2, 3], 1], mainLcore: 1 });
  expect(argv).toContain('--lcores=0@(2,3),1@1');
  expect(argv).toContain('--main-lcore=1');
});

test('vdevs, PCI devices and flags come out in EAL spelling, one argv element each', () => {
  const argv = ealArgs({
    filePrefix: 'p',
    lcores: [0],
    memoryMb: 128,
    noPci: false,
    vdevs: ['net_memif0,role=server,id=0,socket=/tmp/a b.sock', 'net_memif1,role=client'],
    allowPci: ['0000:3b:00.0', '3b:00.1,txq_inline=128'],
    singleFileSegments: true,
    inMemory: true,
    noTelemetry: true,
    logLevel: ['notice', 'pmd.net.memif:debug', 'pmd.net.*,info'],
  });
  expect(argv).toEqual([
    '--file-prefix=p',
    '--lcores=0@0',
    '-m',
    '128',
    '-a',
    '0000:3b:00.0',
    '-a',
    '3b:00.1,txq_inline=128',
    '--vdev',
    'net_memif0,role=server,id=0,socket=/tmp/a b.sock',
    '--vdev',
    'net_memif1,role=client',
    '--single-file-segments',
    '--in-memory',
    '--no-telemetry',
    '--log-level=notice',
    '--log-level=pmd.net.memif:debug',
    '--log-level=pmd.net.*,info',
  ]);
});

const rejected: Array<[string, Partial<EalSpec>, RegExp]> = [
  ['a prefix with a glob character', { filePrefix: 'wsp*' }, /file prefix/],
  ['a prefix with a slash', { filePrefix: '../x' }, /file prefix/],
  ['no lcores', { lcores: [] }, /no lcores/],
  ['a negative CPU', { lcores: [-1] }, /not a CPU number/],
  ['an empty CPU set', { lcores: [[]] }, /empty CPU set/],
  ['a main lcore out of range', { lcores: [0, 1], mainLcore: 2 }, /main lcore 2/],
  ['zero memory', { memoryMb: 0 }, /memory 0 MB/],
  ['fractional memory', { memoryMb: 1.5 }, /memory 1.5 MB/],
  ['PCI devices with noPci', { allowPci: ['0000:3b:00.0'] }, /noPci is set/],
  ['a malformed PCI address', { noPci: false, allowPci: ['3b:00'] }, /PCI address/],
  ['a vdev without instance number', { vdevs: ['net_memif,role=server'] }, /vdev/],
  ['a vdev name used twice', { vdevs: ['net_memif0,role=server', 'net_memif0,role=client'] }, /used twice/],
  ['a bad log level', { logLevel: 'loud' }, /log level/],
];
for (const [name, patch, message] of rejected) {
  test(`rejects ${name} with a ConfigError`, () => {
    let caught: unknown;
    try {
      ealArgs({ ...base, ...patch } as EalSpec);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toMatch(message);
    expect((caught as ConfigError).hint).toBeTruthy();
  });
}
