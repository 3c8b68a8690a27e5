import { test, expect } from '@playwright/test';
import { ConfigError } from '../../core/errors.ts';
import { l3fwdArgv, mainLoopOn, portsWithoutRss } from './l3fwd.ts';
import { testpmdArgv } from './testpmd.ts';

const appArgs = (argv: string[]) => argv.slice(argv.indexOf('--') + 1);
const ealPart = (argv: string[]) => argv.slice(1, argv.indexOf('--'));

test.describe('l3fwd argv', () => {
  test('two vhost ports: one lcore on the DUT CPU serves both, LPM ports 0x3, promiscuous, software ptype', () => {
    const argv = l3fwdArgv({ filePrefix: 'wsp-r1-dut', cpu: 0, vdevs: ['net_vhost0,iface=/s/a.sock,queues=1', 'net_vhost1,iface=/s/b.sock,queues=1'], binary: 'l3fwd' });
    expect(argv[0]).toBe('l3fwd');
    expect(ealPart(argv)).toEqual(expect.arrayContaining(['--file-prefix=wsp-r1-dut', '--lcores=0@0', '--no-pci', '--vdev', 'net_vhost1,iface=/s/b.sock,queues=1']));
    expect(ealPart(argv)).not.toContain('--single-file-segments');
    expect(appArgs(argv)).toEqual(['-p', '0x3', '-P', '--config=(0,0,0),(1,0,0)', '--parse-ptype']);
  });

  test('virtio_user ports: no -P (unsupported there) and shared memory segments', () => {
    const argv = l3fwdArgv({ filePrefix: 'p', cpu: 1, vdevs: ['net_virtio_user0,path=/s/a.sock', 'net_virtio_user1,path=/s/b.sock'] });
    expect(appArgs(argv)).not.toContain('-P');
    expect(ealPart(argv)).toContain('--single-file-segments');
    expect(ealPart(argv)).toContain('--lcores=0@1');
  });

  test('asking for -P on virtio_user is a ConfigError with the reason', () => {
    expect(() => l3fwdArgv({ filePrefix: 'p', cpu: 0, vdevs: ['net_virtio_user0,path=/a'], promiscuous: true })).toThrow(ConfigError);
    expect(() => l3fwdArgv({ filePrefix: 'p', cpu: 0, vdevs: [] })).toThrow(/1 to 16 ports/);
  });

  test('two SR-IOV VFs: allowed by -a in port order, PCI scan on, promiscuous, same LPM config', () => {
    const argv = l3fwdArgv({ filePrefix: 'wsp-r1-dut', cpu: 4, ports: [{ kind: 'pci', pci: '0000:3b:02.0' }, { kind: 'pci', pci: '0000:3b:06.0' }], binary: 'dpdk-l3fwd' });
    expect(ealPart(argv)).toEqual(['--file-prefix=wsp-r1-dut', '--lcores=0@4', '-m', '256', '-a', '0000:3b:02.0', '-a', '0000:3b:06.0']);
    expect(appArgs(argv)).toEqual(['-p', '0x3', '-P', '--config=(0,0,0),(1,0,0)', '--parse-ptype']);
  });

  test('4 DUT cores on two PFs: one lcore per CPU, lcore i polls RX queue i of both ports (4 RSS queues per port)', () => {
    const argv = l3fwdArgv({ filePrefix: 'wsp-r1-dut', cpu: 4, extraCpus: [5, 6, 7], ports: [{ kind: 'pci', pci: '0000:3b:00.0' }, { kind: 'pci', pci: '0000:3b:00.1' }], binary: 'dpdk-l3fwd' });
    expect(ealPart(argv)).toEqual(['--file-prefix=wsp-r1-dut', '--lcores=0@4,1@5,2@6,3@7', '-m', '256', '-a', '0000:3b:00.0', '-a', '0000:3b:00.1']);
    expect(appArgs(argv)).toEqual(['-p', '0x3', '-P', '--config=(0,0,0),(1,0,0),(0,1,1),(1,1,1),(0,2,2),(1,2,2),(0,3,3),(1,3,3)', '--parse-ptype']);
    expect(() => l3fwdArgv({ filePrefix: 'p', cpu: 4, extraCpus: [5, 4], vdevs: ['net_null0'] })).toThrow(/l3fwd CPU 4 is given to two lcores/);
  });

  test("l3fwd's log says which ports got no RSS hash (every flow on queue 0), and which only a narrower one", () => {
    // Port 0 as DPDK 22.11's l3fwd printed it on 2 lcores over memif (l3fwd-multicore.lab.test.ts); port 1 as its
    // format (main.c: "requested:%#x configured:%#x") prints a port that keeps part of the hash.
    const log = [
      'Initializing port 0 ... Creating queues: nb_rxq=2 nb_txq=2... Port 0 modified RSS hash function based on hardware support,requested:0xa38c configured:0',
      'Initializing port 1 ... Creating queues: nb_rxq=2 nb_txq=2... Port 1 modified RSS hash function based on hardware support,requested:0xa38c configured:0x2880',
    ].join('\n');
    expect(portsWithoutRss(log)).toEqual([0]);
    expect(portsWithoutRss('L3FWD: entering main loop on lcore 0')).toEqual([]);
  });

  test('ready means every lcore entered the main loop, in whatever order they print it', () => {
    const two = mainLoopOn(2);
    expect(two.test('L3FWD: entering main loop on lcore 1\nL3FWD:  -- lcoreid=1 portid=0 rxqueueid=1')).toBe(false);
    expect(two.test('L3FWD: entering main loop on lcore 1\nL3FWD:  -- lcoreid=1 portid=0 rxqueueid=1\nL3FWD: entering main loop on lcore 0')).toBe(true);
    expect(mainLoopOn(1).test('L3FWD: entering main loop on lcore 0')).toBe(true);
  });

  test('PCI ports then a virtio_user vdev: -a and --vdev together, no --no-pci, no -P', () => {
    const argv = l3fwdArgv({ filePrefix: 'p', cpu: 0, ports: [{ kind: 'pci', pci: '3b:00.0,txq_inline=128' }, { kind: 'vdev', vdev: 'net_virtio_user1,path=/s/b.sock' }] });
    expect(ealPart(argv)).toEqual(['--file-prefix=p', '--lcores=0@0', '-m', '256', '-a', '3b:00.0,txq_inline=128', '--vdev', 'net_virtio_user1,path=/s/b.sock', '--single-file-segments']);
    expect(appArgs(argv)).toEqual(['-p', '0x3', '--config=(0,0,0),(1,0,0)', '--parse-ptype']);
  });

  test('port lists EAL would renumber, or given twice, are ConfigErrors that say why', () => {
    const pci = (a: string) => ({ kind: 'pci' as const, pci: a });
    const vdev = (v: string) => ({ kind: 'vdev' as const, vdev: v });
    const cases: Array<[Parameters<typeof l3fwdArgv>[0], RegExp]> = [
      [{ filePrefix: 'p', cpu: 0, ports: [vdev('net_null0'), pci('0000:3b:00.0')] }, /port 1 is a PCI device after vdev port 0: EAL probes PCI devices first/],
      [{ filePrefix: 'p', cpu: 0, ports: [pci('0000:3b:06.0'), pci('3b:02.0')] }, /not in address order \(0000:3b:06.0 before 0000:3b:02.0\)/],
      [{ filePrefix: 'p', cpu: 0, ports: [pci('0000:3b:02.0'), pci('3b:02.0,x=1')] }, /0000:3b:02.0 is given twice/],
      [{ filePrefix: 'p', cpu: 0, vdevs: ['net_null0'], ports: [pci('0000:3b:00.0')] }, /both vdevs and ports/],
      [{ filePrefix: 'p', cpu: 0, ports: [pci('3b:00')] }, /PCI address "3b:00" is malformed/],
    ];
    for (const [spec, message] of cases) {
      let caught: unknown;
      try {
        l3fwdArgv(spec);
      } catch (err) {
        caught = err;
      }
      expect(caught, JSON.stringify(spec.ports ?? spec.vdevs)).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).message).toMatch(message);
      expect((caught as ConfigError).hint).toBeTruthy();
    }
  });
});

test.describe('testpmd argv', () => {
  test('flowgen raw-capacity driver: frame size passed as is (testpmd strips the FCS), main and forwarding lcores', () => {
    const argv = testpmdArgv({ filePrefix: 'raw', mode: 'flowgen', cpu: 1, vdevs: ['net_memif0,role=client', 'net_memif1,role=client'], frameBytes: 1518 });
    expect(ealPart(argv)).toContain('--lcores=0@1,1@1');
    expect(appArgs(argv)).toEqual(['-i', '--forward-mode=flowgen', '--nb-cores=1', '--rxd=1024', '--txd=1024', '--total-num-mbufs=32768', '--disable-link-check', '--txpkts=1518']);
  });

  test('macswap DUT on one port loops it to itself', () => {
    const argv = testpmdArgv({ filePrefix: 'dut', mode: 'macswap', cpu: 0, mainCpu: 1, vdevs: ['net_vhost0,iface=/a'] });
    expect(ealPart(argv)).toContain('--lcores=0@1,1@0');
    expect(appArgs(argv)).toContain('--port-topology=loop');
    expect(appArgs(argv)).not.toContain('--txpkts=64');
  });

  test('flowgen frame sizes outside 64..1518 are refused', () => {
    expect(() => testpmdArgv({ filePrefix: 'x', mode: 'flowgen', cpu: 1, vdevs: ['net_null0'], frameBytes: 60 })).toThrow(/outside 64..1518/);
  });
});
