/**
 * The generators and where each runs: adding a generator kind is its name in lab/schema.ts
 * (GENERATOR_KINDS) and its entry here (the compiler insists on one). Each opens a session on a running
 * datapath's ports, placed as the datapath asks, and may measure its own ceiling (its self-test), which is
 * the max offered load on virtual ports.
 */
import { basename, dirname, join } from 'node:path';
import { ProvisionError } from '../../../core/errors.ts';
import type { Lab } from '../../../lab/model.ts';
import type { GeneratorKind } from '../../../lab/schema.ts';
import type { TrafficProfile } from '../../../method/trial.ts';
import type { DpdkRuntime } from '../../dpdk/runtime.ts';
import { locatePktgen, locatePktgenOnNode } from '../../loadgen/pktgen/locate-pktgen.ts';
import { pktgenSelfTest } from '../../loadgen/pktgen/pktgen-self-test.ts';
import { generatorSelfTest } from '../../loadgen/self-test.ts';
import type { GeneratorSession } from '../../loadgen/traffic-generator.ts';
import type { NodeShells } from '../../shell/node-shells.ts';
import type { Shell } from '../../shell/shell.ts';
import { startBaremetalPktgen } from '../baremetal/generator.ts';
import { pktgenImixFor } from '../../loadgen/pktgen/start-pktgen.ts';
import type { RunningDatapath } from '../datapath.ts';
import { openGeneratorOn } from '../local/generator-for.ts';
import { openPktgenOn } from '../local/pktgen-for.ts';
import type { GeneratorCeiling, LinkRate } from './stack.ts';

/** What opening a generator on a running datapath needs. */
export interface GeneratorContext {
  readonly lab: Lab;
  /** The lab nodes' shells (bare metal). */
  readonly shells: NodeShells;
  readonly running: RunningDatapath;
  /** Shell of this machine (local lab). */
  readonly shell: Shell;
  readonly runtime: DpdkRuntime;
  readonly runId: string;
  readonly runDir: string;
  /** The run's flows per direction (StackRequest.flows). */
  readonly flows?: number;
  /** Generator CPUs from the lab (cpus.tg), when the datapath does not place it. */
  readonly cpus: readonly number[];
  /** Hardware labs: each generator port's negotiated speed. */
  readonly links?: readonly LinkRate[];
}

export interface GeneratorSupport {
  /**
   * Why it cannot run on this lab, or null (the scenarios skip with it); `shell` is this machine's (a local
   * generator may look itself up), `shells` the lab nodes' (a bare-metal one looks on its node).
   */
  unavailable(lab: Lab, shell: Shell, shells: NodeShells): string | null | Promise<string | null>;
  open(ctx: GeneratorContext): Promise<GeneratorSession>;
  /** Its own ceiling for a profile (a loop with no DUT), where it can measure one. */
  selfTest?(ctx: GeneratorContext, profile: TrafficProfile): Promise<GeneratorCeiling>;
}

/** CPUs the generator polls on: the datapath's placement first, then the lab's. */
export function generatorCpus(ctx: GeneratorContext): readonly number[] {
  const placed = ctx.running.generator?.cpus;
  return placed && placed.length > 0 ? placed : ctx.cpus.length > 0 ? ctx.cpus : [1];
}

/** Every generator kind. */
export const GENERATORS: Readonly<Record<GeneratorKind, GeneratorSupport>> = {
  'wsp-gen': {
    unavailable: (lab) =>
      lab.kind === 'local' ? null : `wsp-gen drives the local lab's virtual ports; a ${lab.kind} lab uses pktgen (generators: [pktgen])`,
    open: (ctx) =>
      openGeneratorOn(ctx.running, {
        shell: ctx.shell,
        runtime: ctx.runtime,
        cpus: generatorCpus(ctx),
        // A shared 2-core host deschedules DUT and generator for tens of ms: wait longer for packets still in
        // flight at the end of a window, or they count as loss and no load passes NDR.
        extra: { tuning: { drainMs: 1000, quietMs: 250 } },
      }),
    async selfTest(ctx, profile) {
      // Role "st": its prefix names the telemetry socket under the run directory, which unix sockets cap at 107 characters.
      const r = await generatorSelfTest({ shell: ctx.shell, runtime: ctx.runtime, role: 'st', cpus: generatorCpus(ctx), socketDir: join(ctx.runDir, 'st'), profiles: [profile] });
      const m = r.byProfile[0]!;
      return { generator: `wsp-gen ${r.version}`, profile, ceilingPps: m.ceilingPps, trial: m.trial, ...(m.biasTrial === undefined ? {} : { biasTrial: m.biasTrial }) };
    },
  },
  pktgen: {
    async unavailable(lab, shell, shells) {
      if (lab.kind === 'baremetal') {
        // Looked up on the generator node, in its own environment: where pktgen is absent there, every
        // scenario is skipped with that reason before anything starts (not a failure after the DUT is up).
        const tg = lab.nodesWithRole('tg')[0];
        if (!tg) return null; // the datapath's availability says the lab lacks a tg node
        const found = await locatePktgenOnNode(await shells.of(tg));
        return found.kind === 'absent' ? `node ${tg.name}: ${found.reason}` : null;
      }
      if (lab.kind !== 'local') return `pktgen runs on the local and bare-metal labs; a ${lab.kind} lab brings its generator in a pod`;
      const found = await locatePktgen(shell);
      return found.kind === 'absent' ? found.reason : null;
    },
    async open(ctx) {
      if (ctx.lab.kind === 'baremetal') {
        // Nodes keep the run's files in the same layout as this machine: <results>/<runId>/tg.
        const runRoot = basename(ctx.runDir) === ctx.runId ? dirname(ctx.runDir) : ctx.runDir;
        return startBaremetalPktgen({ lab: ctx.lab, shells: ctx.shells, kind: ctx.running.kind, runId: ctx.runId, runRoot, imix: pktgenImixFor(ctx.flows) });
      }
      // pktgen paces by the link speed it negotiates (virtio_user 10 Gb/s, memif 100 Gb/s), read at open.
      // Its IMIX pcap is written at start: for the run's flow count, so IMIX scenarios with it are served.
      const started = await openPktgenOn(ctx.running, { shell: ctx.shell, runtime: ctx.runtime, pktgen: await locatePktgen(ctx.shell), cpus: generatorCpus(ctx), imix: pktgenImixFor(ctx.flows) });
      return started.session;
    },
    async selfTest(ctx, profile) {
      const found = await locatePktgen(ctx.shell);
      if (found.kind === 'absent') throw new ProvisionError(found.reason, { where: 'pktgen self-test', hint: 'docs/hardware.md: installing pktgen' });
      // Role "ps", work directory <run>/ps: the memif and telemetry sockets stay under 107 characters.
      const r = await pktgenSelfTest({ shell: ctx.shell, runtime: ctx.runtime, pktgen: found, cpus: generatorCpus(ctx), workDir: join(ctx.runDir, 'ps'), profiles: [profile] });
      const m = r.byProfile[0]!;
      return { generator: r.generator, profile, ceilingPps: m.ceilingPps, trial: m.trial };
    },
  },
};
