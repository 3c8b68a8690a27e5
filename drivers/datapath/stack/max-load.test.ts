import { expect, test } from '@playwright/test';
import { shellsFrom } from '../../shell/node-shells.ts';
import { ConfigError } from '../../../core/errors.ts';
import { FakeHost, type FakePf } from '../../../fixtures/host/fake-host.ts';
import { lineRatePps } from '../../../lab/line-rate.ts';
import { loadLab } from '../../../lab/load.ts';
import type { Lab } from '../../../lab/model.ts';
import { nicModel } from '../../../lab/nic-catalogue.ts';
import { linkRates } from '../baremetal/link-speed.ts';
import { resolveTopology } from '../baremetal/topology.ts';
import { lineRateLoad } from './max-load.ts';

const FRAMES = [64, 1518] as const;

/** Give each node of the lab a fake host with its PFs (speeds as the kernel would show them). */
async function withFakeNodes<T>(lab: Lab, pfs: Record<string, readonly FakePf[]>, fn: (hosts: Record<string, FakeHost>) => Promise<T>): Promise<T> {
  const hosts: Record<string, FakeHost> = {};
  try {
    for (const n of lab.nodes) {
      const host = await FakeHost.create({ pfs: pfs[n.name] ?? [] });
      hosts[n.name] = host;
    }
    return await fn(hosts);
  } finally {
    for (const h of Object.values(hosts)) await h.dispose();
  }
}

const pf = (pci: string, ifname: string, model: string, speedMbps?: number): FakePf => ({
  pci,
  ifname,
  model: nicModel(model),
  totalVfs: 8,
  numaNode: 0,
  iommuGroup: Number.parseInt(pci.slice(5, 7), 16) * 10 + Number(pci.at(-1)),
  ...(speedMbps === undefined ? {} : { speedMbps }),
});

async function maxLoads(lab: Lab, hosts: Record<string, FakeHost>) {
  const t = resolveTopology(lab, 'sriov');
  if ('reason' in t) throw new Error(t.reason);
  const links = await linkRates(t, shellsFrom(async (n) => hosts[n.name]!), (node) => hosts[node]!.paths);
  return { links, at: Object.fromEntries(FRAMES.map((f) => [f, lineRateLoad(links, { kind: 'fixed', frameBytes: f })])) };
}

test('10G X710 with no speed from inventory or node: the catalogue speed, 2 x 14.88 Mpps at 64 B and 2 x 812.7 kpps at 1518 B', async () => {
  const lab = await loadLab('fixtures/labs/valid/two-node-ssh.yaml');
  await withFakeNodes(lab, { gen: [pf('0000:81:00.0', 'ens1f0', 'x710'), pf('0000:81:00.1', 'ens1f1', 'x710')], sut: [pf('0000:3b:00.0', 'ens2f0', 'x710'), pf('0000:3b:00.1', 'ens2f1', 'x710')] }, async (hosts) => {
    const { links, at } = await maxLoads(lab, hosts);
    expect(links.map((l) => [l.port, l.speedGbps, l.source])).toEqual([
      ['p0', 10, 'catalogue'],
      ['p1', 10, 'catalogue'],
    ]);
    expect(at[64]!.loadPps).toBeCloseTo(2 * 14_880_952.38, 0);
    expect(at[1518]!.loadPps).toBeCloseTo(2 * 812_743.82, 0);
    expect(at[64]).toMatchObject({ basis: 'line-rate', lineRateBps: 10e9 });
  });
});

test('25G ConnectX-5 (a PCI id sold at 25G and 100G): the speed the node reads, 2 x 37.2 Mpps at 64 B and 2 x 2.03 Mpps at 1518 B', async () => {
  const lab = await loadLab('fixtures/labs/valid/two-node-cx5.yaml');
  const gen = [pf('0000:81:00.0', 'ens1f0np0', 'cx5', 25_000), pf('0000:81:00.1', 'ens1f1np1', 'cx5', 25_000)];
  await withFakeNodes(lab, { gen, sut: [pf('0000:3b:00.0', 'ens2f0np0', 'cx5'), pf('0000:3b:00.1', 'ens2f1np1', 'cx5')] }, async (hosts) => {
    const { links, at } = await maxLoads(lab, hosts);
    expect(links.map((l) => [l.port, l.speedGbps, l.source])).toEqual([
      ['p0', 25, 'node'],
      ['p1', 25, 'node'],
    ]);
    expect(links[0]!.detail).toBe('/sys/class/net/ens1f0np0/speed on gen: 25000 Mb/s');
    expect(at[64]!.loadPps).toBeCloseTo(2 * 37_202_380.95, 0);
    expect(at[1518]!.loadPps).toBeCloseTo(2 * 2_031_859.56, 0);
    expect(at[1518]!).toMatchObject({ lineRateBps: 25e9 });
  });
});

test('ConnectX-5 with the link down and no stated speed: a ConfigError naming both speeds, not a guess', async () => {
  const lab = await loadLab('fixtures/labs/valid/two-node-cx5.yaml');
  const gen = [pf('0000:81:00.0', 'ens1f0np0', 'cx5', -1), pf('0000:81:00.1', 'ens1f1np1', 'cx5', -1)];
  await withFakeNodes(lab, { gen, sut: [pf('0000:3b:00.0', 'ens2f0np0', 'cx5'), pf('0000:3b:00.1', 'ens2f1np1', 'cx5')] }, async (hosts) => {
    const err = await maxLoads(lab, hosts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('PCI id 15b3:1017 is sold as 25 Gb/s and 100 Gb/s parts');
    expect((err as ConfigError).where).toBe('gen.p0');
  });
});

test('the 100G example inventory: the stated speed wins over the node, 2 x 148.8 Mpps at 64 B and 2 x 8.13 Mpps at 1518 B', async () => {
  const lab = await loadLab('lab/examples/2n-e810-100g.yaml', { checkFiles: false });
  // The node would say 50G (a misconfigured breakout): the inventory states what the link is meant to run at.
  const tg = [pf('0000:18:00.0', 'ens1f0', 'e810-c', 50_000), pf('0000:18:00.1', 'ens1f1', 'e810-c', 50_000)];
  await withFakeNodes(lab, { tg, dut: [pf('0000:3b:00.0', 'ens2f0', 'e810-c'), pf('0000:3b:00.1', 'ens2f1', 'e810-c')] }, async (hosts) => {
    const { links, at } = await maxLoads(lab, hosts);
    expect(links.map((l) => [l.port, l.speedGbps, l.source])).toEqual([
      ['p0', 100, 'inventory'],
      ['p1', 100, 'inventory'],
    ]);
    expect(at[64]!.loadPps).toBeCloseTo(2 * 148_809_523.81, 0);
    expect(at[1518]!.loadPps).toBeCloseTo(2 * 8_127_438.23, 0);
    expect(at[64]).toMatchObject({ lineRateBps: 100e9 });
    // One direction offers one port's line rate.
    expect(lineRateLoad(links, { kind: 'fixed', frameBytes: 64 }, 'unidirectional').loadPps).toBeCloseTo(lineRatePps(100, 64), 0);
  });
});
