/**
 * veth on the local lab (the kernel baseline): two network namespaces, gen and dut, joined by two
 * veth pairs (p0, p1); both DPDK processes reach the kernel interfaces through AF_XDP, or AF_packet
 * where AF_XDP does not start. IPv6 is off in both namespaces so no router solicitation or ND frame
 * lands in the counters. The kernel is the bottleneck here (~0.3-0.5 Mpps), not the DUT.
 */
import { ProvisionError } from '../../../core/errors.ts';
import { runTagOf } from '../../dpdk/runtime.ts';
import { createNetns, createVethPair } from '../../shell/netns.ts';
import type { GeneratorPort } from '../../loadgen/traffic-generator.ts';
import type { Datapath, RunningDatapath } from '../datapath.ts';
import { flapLink as flapLinkOn } from './link-flap.ts';
import type { DpdkProcess } from '../../dpdk/dpdk-process.ts';
import { startDut } from './dut.ts';
import { checkHugepageBudget } from './hugepage-budget.ts';
import { resolveLocal, type LocalDatapathOptions } from './local-options.ts';
import { Teardown } from '../../../core/teardown.ts';
import { LOCAL_TEARDOWN_HINT, runningDatapath } from './running.ts';
import { localDutAvailability } from './socket-pair.ts';

export type VethPmd = 'af_xdp' | 'af_packet';

/** The vdev for a kernel interface through a PMD, port number n. */
export function vethVdev(pmd: VethPmd, n: number, iface: string): string {
  return pmd === 'af_xdp'
    ? `net_af_xdp${n},iface=${iface},start_queue=0,queue_count=1`
    : `net_af_packet${n},iface=${iface},qpairs=1,framecnt=2048,qdisc_bypass=1`;
}

/** Namespace names of a run: wsp-<run>-gen and wsp-<run>-dut. */
export function vethNamespaces(runId: string): { gen: string; dut: string } {
  const tag = runTagOf(runId);
  return { gen: `wsp-${tag}-gen`, dut: `wsp-${tag}-dut` };
}

/** The local veth datapath. */
export function vethDatapath(opts: LocalDatapathOptions): Datapath {
  const local = resolveLocal(opts, 'veth');
  const where = 'datapath veth';
  const ns = vethNamespaces(opts.runId);
  return {
    kind: 'veth',
    availability: () => localDutAvailability(local),
    async up(signal?: AbortSignal): Promise<RunningDatapath> {
      const unavailable = await localDutAvailability(local);
      if (unavailable) throw new ProvisionError(`veth cannot start: ${unavailable.reason}`, { where });
      await checkHugepageBudget(local.shell, { byRoleMb: { [`${local.dut} (dut)`]: local.dutMemoryMb, generator: local.generatorMemoryMb } }, 'the veth datapath');
      const teardown = new Teardown(where, LOCAL_TEARDOWN_HINT);
      if (local.ownsRuntime) teardown.add('DPDK runtime directory', () => local.runtime.cleanup());
      try {
        const namespaces = [];
        for (const name of [ns.gen, ns.dut]) {
          const n = await createNetns(local.shell, name);
          teardown.add(`network namespace ${name}`, () => n.remove());
          // Before the links come up: no IPv6 autoconfiguration traffic in the measurements.
          await n.shell.run(['sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'], { timeoutMs: 10_000 });
          namespaces.push(n);
        }
        const dutNs = namespaces[1]!;
        for (const p of [0, 1]) {
          const pair = await createVethPair(local.shell, { name: `gen${p}`, netns: ns.gen }, { name: `dut${p}`, netns: ns.dut });
          teardown.add(`veth pair gen${p}/dut${p}`, () => pair.remove());
        }
        signal?.throwIfAborted();
        const startWith = (pmd: VethPmd) =>
          startDut({
            local,
            shell: dutNs.shell,
            vdevs: [0, 1].map((p) => vethVdev(pmd, p, `dut${p}`)),
            ...(opts.startTimeoutMs === undefined ? {} : { startTimeoutMs: opts.startTimeoutMs }),
          });
        const wanted = opts.vethPmd ?? 'auto';
        let pmd: VethPmd = wanted === 'af_packet' ? 'af_packet' : 'af_xdp';
        let dut: DpdkProcess;
        try {
          dut = await startWith(pmd);
        } catch (err) {
          if (wanted !== 'auto') throw err;
          // AF_XDP needs kernel and libxdp support; AF_packet works everywhere.
          pmd = 'af_packet';
          dut = await startWith(pmd);
        }
        teardown.add(dut.label, () => dut.stop());
        signal?.throwIfAborted();
        const generatorPorts: GeneratorPort[] = [0, 1].map((p) => ({ kind: 'vdev', name: `p${p}`, vdev: vethVdev(pmd, p, `gen${p}`) }));
        // Link down/up on the DUT's p0: the kernel drops what arrives meanwhile, AF_XDP/AF_packet carry on after.
        const flapLink = (downS: number) => flapLinkOn({ shell: dutNs.shell, iface: 'dut0', downS });
        return runningDatapath({
          kind: 'veth',
          dutKind: local.dut,
          dut,
          generatorPorts,
          generator: { netns: ns.gen, cpus: local.tgCpus },
          teardown,
          capabilities: { flapLink: { flapLink } },
        });
      } catch (err) {
        await teardown.run().catch(() => undefined);
        throw err;
      }
    },
  };
}
