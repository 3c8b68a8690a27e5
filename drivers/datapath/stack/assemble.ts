/**
 * The RunningStack from its started parts: the running datapath, the generator session, the capabilities
 * the datapath (and the lab kind) offer, the max offered load, and one teardown that closes the generator
 * before the datapath goes down (memif must not lose a peer under traffic).
 */
import type { DatapathKind, DutKind, GeneratorKind } from '../../../lab/schema.ts';
import type { TrafficProfile } from '../../../method/trial.ts';
import type { GeneratorSession } from '../../loadgen/traffic-generator.ts';
import { whyMissing, type Capabilities, type CapabilityGaps } from '../capabilities.ts';
import type { RunningDatapath } from '../datapath.ts';
import type { Teardown } from '../../../core/teardown.ts';
import { datapathMeasurer, measureOnDatapath } from '../measure.ts';
import type { MaxOfferedLoad, RunningStack } from './stack.ts';

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
