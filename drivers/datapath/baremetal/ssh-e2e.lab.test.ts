/**
 * Bare metal over SSH, end to end on the local lab: two network namespaces stand in for the tg and dut
 * hosts, each running its own sshd; the DUT (l3fwd behind the memif datapath) runs only through the dut
 * node's SSH shell and the generator only through the tg node's SSH shell. (The two "hosts" share this
 * machine's filesystem, which is what lets memif's unix sockets connect them.) A short throughput smoke
 * trial must get packets through in both directions (the smoke scenario's criterion).
 */
import { existsSync, readdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { startSshd } from '../../../fixtures/sshd/sshd.ts';
import { createDpdkRuntime } from '../../dpdk/runtime.ts';
import { openLocalGenerator } from '../../loadgen/local-generator.ts';
import { localShell } from '../../shell/local.ts';
import { createNetns, createVethPair } from '../../shell/netns.ts';
import { sshShell } from '../../shell/ssh.ts';
import { memifDatapath } from '../local/memif.ts';

test('SSH end to end: generator and DUT in two namespaces, each driven only over its own sshd; smoke trial forwards both ways', async () => {
  test.setTimeout(60_000);
  const local = localShell();
  const id = `h7e${process.pid % 100000}`;
  const runDir = `/tmp/wsp-${id}`;
  await using tgNs = await createNetns(local, `wsp-${id}-tg`);
  await using dutNs = await createNetns(local, `wsp-${id}-dut`);
  // each "host" is reached from here (the root namespace) over its own veth link, as a lab host over its management network
  await using _tgLink = await createVethPair(local, { name: `${id}t`, addresses: ['10.251.1.1/24'] }, { name: `${id}t0`, netns: tgNs.name, addresses: ['10.251.1.2/24'] });
  await using _dutLink = await createVethPair(local, { name: `${id}d`, addresses: ['10.251.2.1/24'] }, { name: `${id}d0`, netns: dutNs.name, addresses: ['10.251.2.2/24'] });
  await using tgSshd = await startSshd({ netns: tgNs.name, listenAddress: '10.251.1.2' });
  await using dutSshd = await startSshd({ netns: dutNs.name, listenAddress: '10.251.2.2' });
  const over = (s: typeof tgSshd) => ({ host: s.host, port: s.port, user: s.user, keyPath: s.keyPath, knownHostsPath: s.knownHostsPath });
  const tgShell = sshShell(over(tgSshd));
  const dutShell = sshShell(over(dutSshd));
  try {
    expect((await dutShell.run(['ip', '-o', 'addr', 'show'])).stdout).toContain('10.251.2.2');
    const dutRuntime = createDpdkRuntime({ shell: dutShell, runDir: `${runDir}/dut`, runId: id });
    const tgRuntime = createDpdkRuntime({ shell: tgShell, runDir: `${runDir}/tg`, runId: id });
    const dp = await memifDatapath({ shell: dutShell, runId: id, runDir: `${runDir}/dut`, runtime: dutRuntime, cpus: { dut: [0], tg: [1] } }).up();
    try {
      // the DUT really runs on the dut "host": its process is in that namespace
      expect(dp.dut.pid).toBeGreaterThan(0);
      expect((await local.run(['ip', 'netns', 'identify', String(dp.dut.pid)])).stdout.trim()).toBe(dutNs.name);
      const gen = await openLocalGenerator({ shell: tgShell, runtime: tgRuntime, ports: dp.generatorPorts, cpus: [1] });
      try {
        const r = await gen.measure({ loadPps: 50_000, durationS: 1, profile: { kind: 'fixed', frameBytes: 64 }, flows: 4, direction: 'bidirectional' });
        // the smoke scenario's criterion (suites/smoke.spec.ts): packets went out and came back through the DUT;
        // no loss figure is asserted because other tests share the 2 CPUs
        expect(r.attempted).toBeGreaterThan(10_000);
        expect(r.received).toBeGreaterThan(0);
        expect(r.directions.every((d) => d.received > 0)).toBe(true);
      } finally {
        await gen.close();
      }
    } finally {
      await dp.down();
      await dutRuntime.cleanup();
      await tgRuntime.cleanup();
    }
  } finally {
    await tgShell.close();
    await dutShell.close();
    await local.run(['rm', '-rf', runDir]);
  }
  expect(existsSync(runDir)).toBe(false);
  expect(readdirSync('/dev/hugepages').filter((f) => f.includes(id))).toEqual([]);
});
