/**
 * The RunningDatapath of a local datapath: a DUT process plus the things around it (sockets,
 * namespaces, the runtime), torn down in reverse order. Every step runs even when one fails,
 * and the DUT may have crashed already: down() cleans up what is left either way.
 */
import type { DatapathKind } from '../../../lab/schema.ts';
import type { Teardown } from '../../../core/teardown.ts';
import type { DpdkProcess } from '../../dpdk/dpdk-process.ts';
import type { GeneratorPort } from '../../loadgen/traffic-generator.ts';
import type { GeneratorPlacement, RunningDatapath } from '../datapath.ts';

/** What to look at when a local datapath's teardown left something behind. */
export const LOCAL_TEARDOWN_HINT = 'check `ip netns list`, `ls /dev/hugepages` and running DPDK processes, and remove what belongs to this run';

export interface RunningParts {
  readonly kind: DatapathKind;
  readonly dutKind: string;
  readonly dut: DpdkProcess;
  readonly generatorPorts: readonly GeneratorPort[];
  readonly generator: GeneratorPlacement;
  readonly teardown: Teardown;
}

/** Assemble the RunningDatapath from a started DUT and its teardown. */
export function runningDatapath(p: RunningParts): RunningDatapath {
  const down = () => p.teardown.run();
  return {
    kind: p.kind,
    generatorPorts: p.generatorPorts,
    generator: p.generator,
    dut: { kind: p.dutKind, version: p.dut.telemetry.banner.version, pid: p.dut.pid },
    dutTelemetry: p.dut.telemetry,
    dutLog: () => p.dut.log(),
    dutAlive: () => p.dut.exited() === null,
    dutDeath: () => (p.dut.exited() === null ? null : p.dut.describeDeath()),
    down,
    [Symbol.asyncDispose]: down,
  };
}
