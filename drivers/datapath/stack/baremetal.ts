/**
 * Stacks on bare-metal labs: the bare-metal datapath (VFs, vDPA, OVS-DPDK/VPP) with the DUT's bare-metal
 * starter, pktgen on the generator node's ports, and the line rate of the links at their negotiated speed
 * as the max offered load (read before the datapath binds the ports to vfio-pci).
 */
import { basename, dirname } from 'node:path';
import { ProvisionError } from '../../../core/errors.ts';
import { baremetalDatapath } from '../baremetal/baremetal-datapath.ts';
import { linkRates } from '../baremetal/link-speed.ts';
import { resolveTopology } from '../baremetal/topology.ts';
import { vswitchStarter } from '../baremetal/vswitch.ts';
import type { Datapath, RunningDatapath } from '../datapath.ts';
import { datapathThenGenerator, stackOf } from './assemble.ts';
import { DUTS } from './duts.ts';
import { GENERATORS } from './generators.ts';
import { lineRateLoad } from './max-load.ts';
import type { StackRequest } from './request.ts';
import type { Stack } from './stack.ts';

/** The bare-metal stack for a request. */
export function baremetalStack(req: StackRequest): Stack {
  const dutSupport = DUTS[req.dut].baremetal;
  const gen = GENERATORS[req.generator];
  // Nodes keep the run's files in the same layout as this machine: <results>/<runId>/{dut,vswitch}.
  const runRoot = basename(req.runDir) === req.runId ? dirname(req.runDir) : req.runDir;
  const datapath = (): Datapath | undefined =>
    typeof dutSupport === 'function'
      ? baremetalDatapath(req.datapath, {
          lab: req.lab,
          shells: req.shells,
          runId: req.runId,
          startDut: dutSupport({ runId: req.runId, runRoot }),
          startVswitch: vswitchStarter({ runRoot }),
          ...(req.hostPaths === undefined ? {} : { hostPaths: req.hostPaths }),
          ...(req.dutCores === undefined ? {} : { dutCores: req.dutCores }),
        })
      : undefined;
  const availability = async () => {
    if (typeof dutSupport !== 'function') return { reason: dutSupport.unavailable };
    if ((req.dutCores ?? 1) > 1 && req.dut !== 'l3fwd') return { reason: `${req.dutCores} DUT cores: only l3fwd runs on several lcores with RSS queues so far (this DUT is ${req.dut})` };
    const genWhy = await gen.unavailable(req.lab, req.shell, req.shells);
    if (genWhy !== null) return { reason: genWhy };
    return datapath()!.availability();
  };
  return stackOf(req, {
    availability,
    where: `lab ${req.lab.name}`,
    hint: 'run wirespeed lab check on this lab',
    async start(teardown, signal) {
      const dp = datapath();
      const topology = resolveTopology(req.lab, req.datapath);
      if (!dp || 'reason' in topology) {
        const reason = 'reason' in topology ? topology.reason : 'no DUT starter';
        throw new ProvisionError(`the ${req.datapath} stack cannot start: ${reason}`, { where: `lab ${req.lab.name}`, hint: 'run wirespeed lab check on this lab' });
      }
      // Before up(): once bound to vfio-pci the ports have no netdev to read the speed from.
      const links = await linkRates(topology, req.shells, req.hostPaths);
      const open = (running: RunningDatapath) =>
        gen.open({ lab: req.lab, shells: req.shells, running, shell: req.shell, runtime: req.runtime, runId: req.runId, runDir: req.runDir, cpus: topology.tg.cpus.tg, links, ...(req.flows === undefined ? {} : { flows: req.flows }) });
      const { running, generator } = await datapathThenGenerator(req, teardown, dp, open, signal);
      return {
        running,
        generator,
        gaps: {
          restartDut: 'a DUT restart on bare metal is not wired yet (drivers/datapath/baremetal/)',
          flapLink: 'a link flap on bare metal is not wired yet (drivers/datapath/baremetal/)',
          restartVswitch: 'a vswitch restart on bare metal is not wired yet (drivers/datapath/baremetal/)',
        },
        maxOfferedLoad: async (profile) => lineRateLoad(links, profile),
      };
    },
  });
}
