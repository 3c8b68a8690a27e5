/**
 * vhost-user and memif on the local lab: the DUT owns two unix sockets (p0, p1) as the server, the
 * generator connects to them as the client. The long-lived side must be the server: a client fails
 * at probe when no server listens, and (memif) a crashed server leaves its socket file behind.
 */
import type { DatapathKind } from '../../../lab/schema.ts';
import { posix as path } from 'node:path';
import { ProvisionError } from '../../../core/errors.ts';
import { LOCAL_L3FWD_BINARY } from '../../dpdk/l3fwd.ts';
import type { GeneratorPort } from '../../loadgen/traffic-generator.ts';
import type { CapabilityGaps } from '../capabilities.ts';
import type { DpdkProcess } from '../../dpdk/dpdk-process.ts';
import type { Datapath, GeneratorPlacement, RunningDatapath, Unavailable } from '../datapath.ts';
import { startDut } from './dut.ts';
import { checkHugepageBudget } from './hugepage-budget.ts';
import { resolveLocal, type LocalDatapathOptions, type ResolvedLocal } from './local-options.ts';
import { Teardown } from '../../../core/teardown.ts';
import { LOCAL_TEARDOWN_HINT, runningDatapath } from './running.ts';

export interface SocketPairFlavour {
  readonly kind: DatapathKind;
  /** Socket file name of port i. */
  socketName(port: number): string;
  /** DUT (server) vdev for port i. */
  dutVdev(port: number, socket: string): string;
  /** Generator (client) vdev for port i. */
  generatorVdev(port: number, socket: string): string;
  readonly placement: Omit<GeneratorPlacement, 'cpus'>;
  /** The DUT can be stopped and started again under load (it is the client, and reconnects). */
  readonly restartable?: boolean;
  /** Why it lacks a capability (memif: a DUT restart crashes the surviving peer). */
  readonly gaps?: CapabilityGaps;
}

/** Can the local lab run a DUT at all: is l3fwd built (testpmd comes with the dpdk package)? */
export async function localDutAvailability(local: ResolvedLocal): Promise<Unavailable> {
  const bin = local.dut === 'l3fwd' ? LOCAL_L3FWD_BINARY : 'dpdk-testpmd';
  const r = await local.shell.exec(local.dut === 'l3fwd' ? ['test', '-x', bin] : ['sh', '-c', 'command -v dpdk-testpmd'], { timeoutMs: 10_000 });
  if (r.exitCode !== 0) {
    return { reason: local.dut === 'l3fwd' ? `l3fwd is not built (${bin} missing): run \`npm run setup\`` : 'dpdk-testpmd is not installed: run `npm run setup`' };
  }
  return null;
}

/** A Datapath whose DUT serves two unix sockets and whose generator connects to them. */
export function socketPairDatapath(flavour: SocketPairFlavour, opts: LocalDatapathOptions): Datapath {
  const local = resolveLocal(opts, flavour.kind);
  const where = `datapath ${flavour.kind}`;
  return {
    kind: flavour.kind,
    availability: () => localDutAvailability(local),
    async up(signal?: AbortSignal): Promise<RunningDatapath> {
      const unavailable = await localDutAvailability(local);
      if (unavailable) throw new ProvisionError(`${flavour.kind} cannot start: ${unavailable.reason}`, { where });
      await checkHugepageBudget(
        local.shell,
        { byRoleMb: { [`${local.dut} (dut)`]: local.dutMemoryMb, generator: local.generatorMemoryMb } },
        `the ${flavour.kind} datapath`,
      );
      const teardown = new Teardown(where, LOCAL_TEARDOWN_HINT);
      if (local.ownsRuntime) teardown.add('DPDK runtime directory', () => local.runtime.cleanup());
      try {
        signal?.throwIfAborted();
        const sockets = [0, 1].map((p) => path.join(local.sockDir, flavour.socketName(p)));
        await local.shell.run(['mkdir', '-p', local.sockDir], { timeoutMs: 10_000 });
        // Stale sockets (a crashed server leaves its file) make the next server fail: Address already in use.
        const removeSockets = () => local.shell.run(['rm', '-f', '--', ...sockets], { timeoutMs: 10_000 });
        await removeSockets();
        teardown.add('socket files', removeSockets);
        const start = () =>
          startDut({
            local,
            shell: local.shell,
            vdevs: sockets.map((s, p) => flavour.dutVdev(p, s)),
            ...(opts.startTimeoutMs === undefined ? {} : { startTimeoutMs: opts.startTimeoutMs }),
          });
        let dut: DpdkProcess = await start();
        // The current DUT, whichever restart made it.
        teardown.add(dut.label, () => dut.stop());
        signal?.throwIfAborted();
        const generatorPorts: GeneratorPort[] = sockets.map((s, p) => ({ kind: 'vdev', name: `p${p}`, vdev: flavour.generatorVdev(p, s) }));
        let earlier = '';
        const restartDut = async (): Promise<void> => {
          // stop() removes the prefix's hugepage files, so the new DUT starts clean on the same prefix.
          await dut.stop();
          earlier += `${dut.log()}\n--- ${dut.label} restarted ---\n`;
          dut = await start();
        };
        return runningDatapath({
          kind: flavour.kind,
          dutKind: local.dut,
          dut: () => dut,
          earlierDutLog: () => earlier,
          generatorPorts,
          generator: { ...flavour.placement, cpus: local.tgCpus },
          teardown,
          ...(flavour.restartable ? { capabilities: { restartDut: { restartDut } } } : {}),
          ...(flavour.gaps === undefined ? {} : { gaps: flavour.gaps }),
        });
      } catch (err) {
        await teardown.run().catch(() => undefined);
        throw err;
      }
    },
  };
}
