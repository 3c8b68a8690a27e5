/**
 * Stacks on the local lab: the local datapaths (drivers/datapath/local) with their DUT, the generator on
 * the datapath's virtual ports, and the generator's measured ceiling as the max offered load. vhost-user
 * comes in its restartable form (the DUT as vhost client), so a DUT restart is on offer.
 */
import { ProvisionError } from '../../../core/errors.ts';
import type { Datapath } from '../datapath.ts';
import { localDatapath, type LocalDatapathOptions } from '../local/local-datapath.ts';
import { vppForwardingOf } from '../local/local-options.ts';
import { vhostUserDatapath } from '../local/vhost-user.ts';
import { datapathThenGenerator, stackOf } from './assemble.ts';
import { cachedCeiling } from './ceiling-cache.ts';
import { DUTS } from './duts.ts';
import { GENERATORS, generatorCpus, type GeneratorContext } from './generators.ts';
import { ceilingLoad } from './max-load.ts';
import type { StackRequest } from './request.ts';
import type { Stack } from './stack.ts';

const cpusOf = (req: StackRequest, role: 'tg' | 'dut'): number[] => req.lab.nodesWithRole(role).flatMap((n) => n.cpus[role]);

/** The local lab's stack for a request. */
export function localStack(req: StackRequest): Stack {
  const dutSupport = DUTS[req.dut].local;
  const gen = GENERATORS[req.generator];
  const dutCpus = cpusOf(req, 'dut');
  const tgCpus = cpusOf(req, 'tg');
  const opts: LocalDatapathOptions = {
    shell: req.shell,
    runId: req.runId,
    runDir: req.runDir,
    runtime: req.runtime,
    dut: req.dut,
    cpus: { ...(dutCpus.length > 0 ? { dut: dutCpus } : {}), ...(tgCpus.length > 0 ? { tg: tgCpus } : {}) },
    ...(req.local?.cpuCount === undefined ? {} : { cpuCount: req.local.cpuCount }),
    ...(req.local?.vswitchCpu === undefined ? {} : { vswitchCpu: req.local.vswitchCpu }),
  };
  let dp: Datapath | undefined;
  // Built on first use: resolving the options checks the CPUs, which an unavailable stack need not pass.
  // VPP as DUT is its own datapath (localDatapath picks it), already the vhost client of the generator.
  const restartableVhost = req.datapath === 'vhost-user' && vppForwardingOf(req.dut) === undefined;
  const datapath = (): Datapath => (dp ??= restartableVhost ? vhostUserDatapath(opts, { restartable: true }) : localDatapath(req.datapath, opts));
  const availability = async () => {
    if (dutSupport !== true) return { reason: dutSupport.unavailable };
    const genWhy = await gen.unavailable(req.lab, req.shell, req.shells);
    if (genWhy !== null) return { reason: genWhy };
    return datapath().availability();
  };
  return stackOf(req, {
    availability,
    where: `lab ${req.lab.name}`,
    async start(teardown, signal) {
      const ctx = (running: GeneratorContext['running']): GeneratorContext => ({ lab: req.lab, shells: req.shells, running, shell: req.shell, runtime: req.runtime, runId: req.runId, runDir: req.runDir, cpus: tgCpus, ...(req.flows === undefined ? {} : { flows: req.flows }) });
      const { running, generator } = await datapathThenGenerator(req, teardown, datapath(), (r) => gen.open(ctx(r)), signal);
      return {
        running,
        generator,
        maxOfferedLoad: async (profile) => {
          const selfTest = gen.selfTest;
          if (!selfTest) {
            throw new ProvisionError(`${req.generator} cannot measure its own ceiling, and virtual ports have no line rate`, {
              where: `stack ${req.datapath}`,
              hint: `give ${req.generator} a self-test in drivers/datapath/stack/generators.ts, or use wsp-gen`,
            });
          }
          const c = await cachedCeiling({ runDir: req.runDir, generator: req.generator, profile, cpus: generatorCpus(ctx(running)) }, () => selfTest(ctx(running), profile));
          return ceilingLoad(c);
        },
      };
    },
  });
}
