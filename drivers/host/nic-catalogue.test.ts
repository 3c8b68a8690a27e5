import { expect, test } from '@playwright/test';
import { ConfigError } from '../../core/errors.ts';
import { IMIX_7_4_1 } from '../../method/trial.ts';
import { NIC_CATALOGUE, lineRatePps, nicByPciId, nicModel } from './nic-catalogue.ts';
import { parseLspci } from './parse-lspci.ts';
import { readFileSync } from 'node:fs';

test('line rate: the RFC figures (10G 64 B = 14.88 Mpps, 100G 64 B = 148.8 Mpps, 10G 1518 B = 812.7 kpps)', () => {
  expect(lineRatePps(10, 64)).toBeCloseTo(14_880_952.38, 1);
  expect(lineRatePps(100, 64)).toBeCloseTo(148_809_523.8, 0);
  expect(lineRatePps(10, 1518)).toBeCloseTo(812_743.8, 0);
  expect(lineRatePps(25, 64)).toBeCloseTo(37_202_380.95, 1);
});

test('line rate of IMIX 7:4:1 uses the weighted mean frame (353.83 B) plus 20 B per frame', () => {
  const mean = (7 * 64 + 4 * 570 + 1518) / 12;
  expect(lineRatePps(10, IMIX_7_4_1)).toBeCloseTo(10e9 / ((mean + 20) * 8), 3);
  expect(Math.round(lineRatePps(10, IMIX_7_4_1))).toBe(3_343_736);
});

test('bad speed or frame is a ConfigError', () => {
  expect(() => lineRatePps(0, 64)).toThrow(ConfigError);
  expect(() => lineRatePps(10, 40)).toThrow(/at least 64 bytes/);
});

test('every model of the brief with real ids; lookups by model and PCI id', () => {
  expect(NIC_CATALOGUE.map((n) => n.model)).toEqual(['x710', 'xl710', 'xxv710', 'e810-c', 'e810-c-sfp', 'e810-xxv', 'cx5', 'cx6dx', 'cx6lx']);
  expect(nicModel('e810-xxv')).toMatchObject({ pfPciId: '8086:159b', vfPciId: '8086:1889', pfKernelDriver: 'ice', dpdkBinding: 'vfio-pci' });
  expect(nicModel('cx6dx')).toMatchObject({ pfPciId: '15b3:101d', vfPciId: '15b3:101e', dpdkBinding: 'bifurcated', capabilities: { vdpa: true, switchdev: true } });
  expect(nicModel('x710').capabilities).toMatchObject({ sriov: true, vdpa: false, switchdev: false });
  expect(() => nicModel('x520', 'lab.yaml:12:9')).toThrow(/unknown NIC model 'x520'[\s\S]*hint: use one of x710/);
  expect(nicByPciId('15b3:1018')).toMatchObject({ model: { model: 'cx5' }, function: 'vf' });
  expect(nicByPciId('8086:1234')).toBeUndefined();
});

test('every PF/VF line of the lspci fixture maps to a catalogue entry by id', () => {
  const devs = parseLspci(readFileSync(new URL('../../fixtures/host/lspci-Dnn.txt', import.meta.url), 'utf8'));
  expect(devs.map((d) => { const m = nicByPciId(d.pciId); return m ? `${m.model.model}/${m.function}` : null; })).toEqual([
    'x710/pf', 'x710/pf', 'x710/vf', 'e810-c/pf', 'e810-c/vf', 'cx6dx/pf', 'cx6dx/vf', 'cx5/pf',
  ]);
});
