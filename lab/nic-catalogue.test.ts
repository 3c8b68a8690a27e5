import { expect, test } from '@playwright/test';
import { ConfigError } from '../core/errors.ts';
import { NIC_CATALOGUE, catalogueSpeedGbps, nicByPciId, nicModel } from './nic-catalogue.ts';

test('every model of the brief with real ids; lookups by model and PCI id', () => {
  expect(NIC_CATALOGUE.map((n) => n.model)).toEqual(['x710', 'xl710', 'xxv710', 'e810-c', 'e810-c-sfp', 'e810-xxv', 'cx5', 'cx6dx', 'cx6lx']);
  expect(nicModel('e810-xxv')).toMatchObject({ pfPciId: '8086:159b', vfPciId: '8086:1889', pfKernelDriver: 'ice', dpdkBinding: 'vfio-pci' });
  expect(nicModel('cx6dx')).toMatchObject({ pfPciId: '15b3:101d', vfPciId: '15b3:101e', dpdkBinding: 'bifurcated', capabilities: { vdpa: true, switchdev: true } });
  expect(nicModel('x710').capabilities).toMatchObject({ sriov: true, vdpa: false, switchdev: false });
  expect(() => nicModel('x520', 'lab.yaml:12:9')).toThrow(/unknown NIC model 'x520'[\s\S]*hint: use one of x710/);
  expect(nicByPciId('15b3:1018')).toMatchObject({ model: { model: 'cx5' }, function: 'vf' });
  expect(nicByPciId('8086:1234')).toBeUndefined();
});

test('the catalogue speed is the part\'s, and a PCI id sold at several speeds has none (MT27800 is a 25G and a 100G part)', () => {
  expect(catalogueSpeedGbps(nicModel('x710'))).toBe(10);
  expect(catalogueSpeedGbps(nicModel('e810-c'))).toBe(100);
  expect(catalogueSpeedGbps(nicModel('e810-xxv'))).toBe(25);
  const err = (() => {
    try {
      catalogueSpeedGbps(nicModel('cx5'), 'node dut nic0');
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).message).toMatch(/cx5: PCI id 15b3:1017 is sold as 25 Gb\/s and 100 Gb\/s parts/);
  expect((err as ConfigError).hint).toMatch(/speedGbps: 25 or 100/);
});
