import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { ProvisionError } from '../../core/errors.ts';
import { parseEswitchShow, parseEswitchShowJson, parsePortShowJson } from './parse-devlink.ts';
import { parseEthtoolInfo } from './parse-ethtool.ts';
import { parseIpLinkJson, parseIpLinkText } from './parse-ip-link.ts';
import { parseLspci } from './parse-lspci.ts';
import { nicByPciId } from '../../lab/nic-catalogue.ts';
import {
  parseCmdline,
  parseCpuinfo,
  parseGovernors,
  parseHugepagesPerNode,
  parseIommuGroups,
  parseIsolatedCpus,
  parseNumaNode,
} from './parse-system.ts';
import { parseVdpaDevJson, parseVdpaDevText, parseVdpaMgmtdevJson, parseVdpaMgmtdevText } from './parse-vdpa.ts';

const fx = (name: string) => readFileSync(new URL(`../../fixtures/host/${name}`, import.meta.url), 'utf8');

test.describe('lspci', () => {
  test('-Dnn: ids, domain, class, revision', () => {
    const devs = parseLspci(fx('lspci-Dnn.txt'));
    expect(devs).toHaveLength(8);
    expect(devs[0]).toEqual({
      pci: '0000:3b:00.0',
      className: 'Ethernet controller',
      classId: '0200',
      pciId: '8086:1572',
      description: 'Intel Corporation Ethernet Controller X710 for 10GbE SFP+',
      revision: '02',
    });
    // Mellanox prints no revision; names with brackets do not confuse the id
    expect(devs[5]).toMatchObject({ pciId: '15b3:101d', description: 'Mellanox Technologies MT2892 Family [ConnectX-6 Dx]' });
    expect(devs[5]!.revision).toBeUndefined();
    expect(devs[7]).toMatchObject({ className: 'Infiniband controller', classId: '0207', pciId: '15b3:1017' });
  });
  test('-nn without domain gets 0000:', () => {
    const devs = parseLspci(fx('lspci-nn-no-domain.txt'));
    expect(devs.map((d) => d.pci)).toEqual(['0000:18:00.0', '0000:18:00.1', '0000:86:00.0', '0000:86:00.2']);
    expect(devs[3]!.pciId).toBe('15b3:1018');
  });
  test('a line without [vvvv:dddd] (lspci without -nn) is an error naming the format', () => {
    expect(() => parseLspci('af:0a.0 Ethernet controller: Intel Corporation Ethernet Virtual Function 700 Series (rev 02)')).toThrow(
      /lspci -Dnn output \(line 1\): expected .*\[vvvv:dddd\]/,
    );
  });
});

test.describe('ethtool -i', () => {
  test('full PF output', () => {
    const i = parseEthtoolInfo(fx('ethtool-i-ice.txt'));
    expect(i).toMatchObject({ driver: 'ice', version: '6.1.0-18-amd64', firmwareVersion: '4.20 0x80017785 1.3346.0', busInfo: '0000:5e:00.0' });
    expect(i.raw['expansion-rom-version']).toBe('');
  });
  test('short VF output (iavf prints 3 lines)', () => {
    const i = parseEthtoolInfo(fx('ethtool-i-iavf-short.txt'));
    expect(i).toMatchObject({ driver: 'iavf', busInfo: '0000:5e:01.0' });
    expect(i.firmwareVersion).toBeUndefined();
  });
  test('vDPA netdev has vdpa: bus info', () => {
    expect(parseEthtoolInfo(fx('ethtool-i-virtio-vdpa.txt')).busInfo).toBe('vdpa:0000:af:00.2');
  });
  test('missing driver line is an error', () => {
    expect(() => parseEthtoolInfo('bus-info: 0000:00:01.0\n')).toThrow(ProvisionError);
    expect(() => parseEthtoolInfo('garbage\n')).toThrow(/'key: value'/);
  });
});

test.describe('ip link VFs', () => {
  const expected = [
    { vf: 0, mac: '02:00:00:00:01:00', vlan: 100, qos: 2, spoofchk: false, trust: true, linkState: 'auto' },
    { vf: 1, mac: '00:00:00:00:00:00', vlan: 0, qos: 0, spoofchk: true, trust: false, linkState: 'enable', maxTxRateMbps: 1000 },
  ];
  test('ip -j link: vfinfo_list', () => {
    const links = parseIpLinkJson(fx('ip-j-link-vfs.json'));
    expect(links.map((l) => l.ifname)).toEqual(['ens1f0', 'ens1f1']);
    expect(links[0]!.vfs).toEqual(expected);
    expect(links[1]!.vfs).toEqual([]);
  });
  test('text, iproute2 >= 5.3 format, same facts as JSON', () => {
    const links = parseIpLinkText(fx('ip-link-show-vf-new.txt'));
    expect(links[0]).toMatchObject({ ifindex: 6, ifname: 'ens1f0', mtu: 1500, mac: '3c:fd:fe:a0:10:00', operState: 'UP' });
    expect(links[0]!.vfs).toEqual(expected);
    expect(links[1]!.vfs[0]).toMatchObject({ vf: 0, spoofchk: false }); // mlx5 query_rss accepted
  });
  test('text, old format (vf N MAC ...)', () => {
    const links = parseIpLinkText(fx('ip-link-show-vf-old.txt'));
    expect(links[0]!.vfs).toEqual([
      { vf: 0, mac: '02:11:22:33:44:50', vlan: 0, qos: 0, spoofchk: true, trust: false, linkState: 'auto' },
      { vf: 1, mac: '02:11:22:33:44:51', vlan: 20, qos: 0, spoofchk: false, trust: true, linkState: 'disable' },
    ]);
  });
  test('a VF line missing trust is an error, not a dropped VF', () => {
    const bad = '4: p1p1: <UP> mtu 1500 state UP\n    vf 0 MAC 02:11:22:33:44:50, spoof checking on, link-state auto\n';
    expect(() => parseIpLinkText(bad)).toThrow(/'spoof checking', 'link-state' and 'trust'/);
    expect(() => parseIpLinkJson('[{"ifindex":1,"ifname":"x","mtu":1500,"vfinfo_list":[{"vf":0}]}]')).toThrow(/vfinfo_list\.0\.address/);
  });
});

test.describe('system facts', () => {
  test('/proc/cmdline IOMMU and isolation', () => {
    const c = parseCmdline(fx('cmdline-iommu-on.txt'));
    expect(c).toMatchObject({ intelIommu: 'on', iommu: 'pt', iommuEnabled: true, iommuPassthrough: true, defaultHugepagesz: '1G' });
    expect(c.isolcpus).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14]);
    const p = parseCmdline(fx('cmdline-plain.txt'));
    expect(p.iommuEnabled).toBe(false);
    expect(p.isolcpus).toEqual([]);
    expect(parseCmdline('ro amd_iommu=off').iommuEnabled).toBe(false);
  });
  test('IOMMU groups', () => {
    const g = parseIommuGroups(fx('iommu-groups.txt'));
    expect(g.get('0000:3b:02.0')).toBe(87);
    expect(g.get('0000:00:14.2')).toBe(12);
    expect(() => parseIommuGroups('/sys/kernel/iommu_groups/x/devices/0000:00:14.0')).toThrow(/iommu_groups/);
  });
  test('NUMA node (-1 = none)', () => {
    expect(parseNumaNode('1\n')).toBe(1);
    expect(parseNumaNode('-1\n')).toBeNull();
    expect(() => parseNumaNode('n/a')).toThrow(ProvisionError);
  });
  test('hugepages per NUMA node', () => {
    expect(parseHugepagesPerNode(fx('hugepages-per-node.txt'))).toEqual([
      { numaNode: 0, sizeKb: 2048, total: 0, free: 0 },
      { numaNode: 0, sizeKb: 1048576, total: 8, free: 6 },
      { numaNode: 1, sizeKb: 2048, total: 1024, free: 512 },
      { numaNode: 1, sizeKb: 1048576, total: 8, free: 8 },
    ]);
  });
  test('isolated CPUs', () => {
    expect(parseIsolatedCpus('2-5,8\n')).toEqual([2, 3, 4, 5, 8]);
    expect(parseIsolatedCpus('\n')).toEqual([]);
    expect(() => parseIsolatedCpus('2-a')).toThrow(/CPUs like/);
    expect(() => parseIsolatedCpus('5-2')).toThrow(/isolated output: expected CPUs like '2-5,8' \(range "5-2" runs backwards/);
    expect(parseIsolatedCpus('8,2-3,3')).toEqual([2, 3, 8]); // lab/cpu-list.ts: a set, as the inventory's lists
  });
  test('CPU model and governor', () => {
    const c = parseCpuinfo(fx('cpuinfo-2cpu.txt'));
    expect(c).toMatchObject({ model: 'Intel(R) Xeon(R) Gold 6338N CPU @ 2.20GHz', logicalCpus: 2 });
    expect(c.flags).toContain('pdpe1gb');
    const g = parseGovernors(fx('scaling-governor.txt'));
    expect([...g.entries()]).toEqual([[0, 'powersave'], [1, 'performance'], [2, 'performance']]);
    expect(parseGovernors('').size).toBe(0);
  });
});

test.describe('devlink, vdpa', () => {
  test('port show JSON: the uplink and the VF representors of a switchdev PF', () => {
    expect(parsePortShowJson(fx('devlink-port-show-switchdev.json'))).toEqual([
      { handle: 'pci/0000:af:00.0/65535', dev: 'pci/0000:af:00.0', flavour: 'physical', netdev: 'ens2f0np0', port: 0 },
      { handle: 'pci/0000:af:00.0/1', dev: 'pci/0000:af:00.0', flavour: 'pcivf', netdev: 'ens2f0npf0vf0', pfnum: 0, vfnum: 0, external: false },
      { handle: 'pci/0000:af:00.0/2', dev: 'pci/0000:af:00.0', flavour: 'pcivf', netdev: 'ens2f0npf0vf1', pfnum: 0, vfnum: 1, external: false },
    ]);
    expect(() => parsePortShowJson('{"ports":{}}')).toThrow(/an object with 'port'/);
  });

  test('eswitch show: mode only, full, wrapped with extra attrs, JSON', () => {
    expect(parseEswitchShow(fx('devlink-eswitch-show-mode-only.txt'))).toEqual([{ dev: 'pci/0000:af:00.0', mode: 'legacy', attrs: { mode: 'legacy' } }]);
    const full = parseEswitchShow(fx('devlink-eswitch-show-full.txt'));
    expect(full.map((e) => e.mode)).toEqual(['switchdev', 'legacy']);
    expect(full[1]!.attrs['shrdesc-count']).toBe('0');
    expect(parseEswitchShowJson(fx('devlink-eswitch-show.json'))[0]).toMatchObject({ mode: 'switchdev', encapMode: 'basic' });
    expect(() => parseEswitchShow('pci/0000:af:00.0: inline-mode none')).toThrow(/mode legacy\|switchdev/);
  });
  test('vdpa mgmtdev show (-j and old text)', () => {
    const j = parseVdpaMgmtdevJson(fx('vdpa-mgmtdev-show.json'));
    expect(j.map((m) => m.name)).toEqual(['pci/0000:af:00.2', 'vdpasim_net']);
    expect(j[0]).toMatchObject({ supportedClasses: ['net'], maxSupportedVqs: 17 });
    const t = parseVdpaMgmtdevText(fx('vdpa-mgmtdev-show-old.txt'));
    expect(t).toEqual([
      { name: 'pci/0000:af:00.2', supportedClasses: ['net'] },
      { name: 'pci/0000:af:00.3', supportedClasses: ['net'] },
    ]);
  });
  test('vdpa dev show (-j and text with initial_config)', () => {
    const want = { name: 'wsp-vdpa0', type: 'network', mgmtdev: 'pci/0000:af:00.2', vendorId: 5555, maxVqs: 17, maxVqSize: 256 };
    expect(parseVdpaDevJson(fx('vdpa-dev-show.json'))).toEqual([want]);
    expect(parseVdpaDevText(fx('vdpa-dev-show-initial-config.txt'))).toEqual([want]);
    expect(parseVdpaDevJson('{"dev":{}}')).toEqual([]);
    expect(() => parseVdpaDevJson('{"dev":{"v":{"type":"network"}}}')).toThrow(/dev\.v\.mgmtdev/);
  });
});

test('every PF/VF line of the lspci fixture maps to a catalogue entry by id', () => {
  const devs = parseLspci(readFileSync(new URL('../../fixtures/host/lspci-Dnn.txt', import.meta.url), 'utf8'));
  expect(devs.map((d) => { const m = nicByPciId(d.pciId); return m ? `${m.model.model}/${m.function}` : null; })).toEqual([
    'x710/pf', 'x710/pf', 'x710/vf', 'e810-c/pf', 'e810-c/vf', 'cx6dx/pf', 'cx6dx/vf', 'cx5/pf',
  ]);
});

