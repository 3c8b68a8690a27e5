/**
 * What every lab kind's stack shares: the Stack around a lab kind's own start-up (availability checked
 * first, one teardown that undoes whatever came up, also when the start fails half-way), and the
 * RunningStack from the started parts: the running datapath, the generator session, the capabilities the
 * datapath (and the lab kind) offer, the max offered load, and a teardown that closes the generator before
 * the datapath goes down (memif must not lose a peer under traffic).
 */
import { ProvisionError } from '../../../core/errors.ts';
import type { DatapathKind, DutKind, GeneratorKind } from '../../../lab/schema.ts';
import type { TrafficProfile } from '../../../method/trial.ts';
import type { GeneratorSession } from '../../loadgen/traffic-generator.ts';
import { whyMissing, type Capabilities, type CapabilityGaps } from '../capabilities.ts';
import type { Datapath, RunningDatapath, Unavailable } from '../datapath.ts';
import { Teardown } from '../../../core/teardown.ts';
import { datapathMeasurer, measureOnDatapath } from '../measure.ts';
import type { StackRequest } from './request.ts';
import type { MaxOfferedLoad, RunningStack, Stack } from './stack.ts';

export interface StackParts {
  readonly datapath: DatapathKind;
  readonly dutKind: DutKind;
  readonly generatorKind: GeneratorKind;
  readonly running: RunningDatapath;
  readonly generator: GeneratorSession;
  /** Capabilities of the lab kind on top of the datapath's (a pod delete on Kubernetes). */
  readonly capabilities?: Capabilities;
  readonly gaps?: CapabilityGaps;
  readonly maxOfferedLoad: (profile: TrafficProfile) => Promise<MaxOfferedLoad>;
  /** Already holds the generator's close and the datapath's down. */
  readonly teardown: Teardown;
}

/** Assemble a RunningStack; the max offered load is computed once per profile. */
export function runningStack(p: StackParts): RunningStack {
  const capabilities: Capabilities = { ...p.running.capabilities, ...p.capabilities };
  const declared = { capabilities, gaps: { ...p.running.gaps, ...p.gaps } };
  const loads = new Map<string, Promise<MaxOfferedLoad>>();
  const release = () => p.teardown.run();
  return {
    datapath: p.datapath,
    dutKind: p.dutKind,
    generatorKind: p.generatorKind,
    running: p.running,
    generator: p.generator,
    capabilities,
    whyNot: (name) => whyMissing(declared, name, p.datapath),
    maxOfferedLoad(profile) {
      const key = JSON.stringify(profile);
      let m = loads.get(key);
      if (!m) {
        m = p.maxOfferedLoad(profile);
        // A failed measurement is not remembered: the next scenario tries again.
        m.catch(() => loads.delete(key));
        loads.set(key, m);
      }
      return m;
    },
    measure: (trial, signal) => measureOnDatapath(p.running, p.generator, trial, signal),
    measurer: (base) => datapathMeasurer(p.running, p.generator, base),
    release,
    [Symbol.asyncDispose]: release,
  };
}

/** The parts a lab kind's start-up hands back: all of StackParts but what the request and the teardown give. */
export type StartedParts = Omit<StackParts, 'datapath' | 'dutKind' | 'generatorKind' | 'teardown'>;

export interface StackPlan {
  /** Why the lab cannot run the stack (the skip reason), or null. */
  readonly availability: () => Promise<Unavailable>;
  /** Where an unavailable stack's error points, and what to do about it. */
  readonly where: string;
  readonly hint?: string;
  /** For the teardown's name: "in pods" and the like. */
  readonly placement?: string;
  /** Bring the parts up, adding each undo to `teardown` as soon as its part is up (the teardown runs on failure). */
  start(teardown: Teardown, signal?: AbortSignal): Promise<StartedParts>;
}

/** A Stack for a request: up() checks availability, starts the parts, and undoes them if the start fails. */
export function stackOf(req: StackRequest, plan: StackPlan): Stack {
  return {
    datapath: req.datapath,
    dutKind: req.dut,
    generatorKind: req.generator,
    availability: plan.availability,
    async up(signal?: AbortSignal): Promise<RunningStack> {
      const why = await plan.availability();
      if (why) {
        throw new ProvisionError(`the ${req.datapath} stack cannot start: ${why.reason}`, {
          where: plan.where,
          ...(plan.hint === undefined ? {} : { hint: plan.hint }),
        });
      }
      const teardown = new Teardown(`stack ${req.datapath}/${req.dut}/${req.generator}${plan.placement ? ` ${plan.placement}` : ''}`);
      try {
        const parts = await plan.start(teardown, signal);
        return runningStack({ ...parts, datapath: req.datapath, dutKind: req.dut, generatorKind: req.generator, teardown });
      } catch (err) {
        await teardown.run().catch(() => undefined);
        throw err;
      }
    },
  };
}

/** The host order: the datapath (with its DUT) up, then the generator opened on its ports; each undo registered at once. */
export async function datapathThenGenerator(
  req: StackRequest,
  teardown: Teardown,
  datapath: Datapath,
  open: (running: RunningDatapath) => Promise<GeneratorSession>,
  signal?: AbortSignal,
): Promise<{ running: RunningDatapath; generator: GeneratorSession }> {
  const running = await datapath.up(signal);
  teardown.add(`datapath ${req.datapath}`, () => running.down());
  const generator = await open(running);
  teardown.add(`generator ${req.generator}`, () => generator.close());
  return { running, generator };
}
