/**
 * The RunningDatapath of a local datapath: a DUT process plus the things around it (sockets,
 * namespaces, the runtime), torn down in reverse order. Every step runs even when one fails,
 * and the DUT may have crashed already: down() cleans up what is left either way.
 */
import type { DatapathKind } from '../../../lab/schema.ts';
import type { Teardown } from '../../../core/teardown.ts';
import type { DpdkProcess } from '../../dpdk/dpdk-process.ts';
import type { GeneratorPort } from '../../loadgen/traffic-generator.ts';
import type { Capabilities, CapabilityGaps } from '../capabilities.ts';
import type { GeneratorPlacement, RunningDatapath } from '../datapath.ts';

/** What to look at when a local datapath's teardown left something behind. */
export const LOCAL_TEARDOWN_HINT = 'check `ip netns list`, `ls /dev/hugepages` and running DPDK processes, and remove what belongs to this run';

export interface RunningParts {
  readonly kind: DatapathKind;
  readonly dutKind: string;
  /** The DUT process, or the current one where the datapath can restart it. */
  readonly dut: DpdkProcess | (() => DpdkProcess);
  /** Output of DUT processes that came before the current one (restarts). */
  readonly earlierDutLog?: () => string;
  readonly generatorPorts: readonly GeneratorPort[];
  readonly generator: GeneratorPlacement;
  readonly teardown: Teardown;
  readonly capabilities?: Capabilities;
  readonly gaps?: CapabilityGaps;
}

/** Assemble the RunningDatapath from a started DUT and its teardown. */
export function runningDatapath(p: RunningParts): RunningDatapath {
  const down = () => p.teardown.run();
  const dut = typeof p.dut === 'function' ? p.dut : ((d: DpdkProcess) => () => d)(p.dut);
  return {
    kind: p.kind,
    generatorPorts: p.generatorPorts,
    generator: p.generator,
    get dut() {
      const d = dut();
      return { kind: p.dutKind, version: d.telemetry.banner.version, pid: d.pid };
    },
    get dutTelemetry() {
      return dut().telemetry;
    },
    dutLog: () => `${p.earlierDutLog?.() ?? ''}${dut().log()}`,
    dutAlive: () => dut().exited() === null,
    dutDeath: () => (dut().exited() === null ? null : dut().describeDeath()),
    ...(p.capabilities === undefined ? {} : { capabilities: p.capabilities }),
    ...(p.gaps === undefined ? {} : { gaps: p.gaps }),
    down,
    [Symbol.asyncDispose]: down,
  };
}
