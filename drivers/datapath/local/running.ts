/**
 * The RunningDatapath of a local datapath: a DUT process plus the things around it (sockets,
 * namespaces, the runtime), torn down in reverse order. Every step runs even when one fails,
 * and the DUT may have crashed already: down() cleans up what is left either way.
 */
import type { DatapathKind } from '../../../lab/schema.ts';
import { ProvisionError } from '../../../core/errors.ts';
import type { DpdkProcess } from '../../dpdk/dpdk-process.ts';
import type { GeneratorPort } from '../../loadgen/traffic-generator.ts';
import type { GeneratorPlacement, RunningDatapath } from '../datapath.ts';

/** Undo steps collected while bringing a datapath up, run in reverse by `run()`. */
export class Teardown {
  private readonly steps: { what: string; fn: () => Promise<unknown> }[] = [];
  private done: Promise<void> | null = null;

  constructor(private readonly where: string) {}

  add(what: string, fn: () => Promise<unknown>): void {
    this.steps.push({ what, fn });
  }

  /** Run every step once (later calls wait for the first); throws one ProvisionError listing what failed. */
  run(): Promise<void> {
    this.done ??= (async () => {
      const failures: string[] = [];
      for (const step of [...this.steps].reverse()) {
        try {
          await step.fn();
        } catch (err) {
          failures.push(`${step.what}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (failures.length > 0) {
        throw new ProvisionError(`teardown left things behind:\n  ${failures.join('\n  ')}`, {
          where: this.where,
          hint: 'check `ip netns list`, `ls /dev/hugepages` and running DPDK processes, and remove what belongs to this run',
        });
      }
    })();
    return this.done;
  }
}

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
