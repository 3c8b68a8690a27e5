/**
 * dpdk-testpmd: as a DUT (`io`, `macswap` forwarding, non-interactive) or as the raw-capacity driver
 * of the local benchmark (`flowgen`: it transmits at full speed, receives and frees; `txonly` never
 * drains RX and cannot be used). It cannot pace in software, so it only measures capacity: rates come
 * from telemetry on both ends. Non-interactive testpmd exits when its stdin closes; the Shell's spawn
 * keeps stdin open as long as we hold the process.
 *
 * flowgen runs interactive (`-i`, commands on stdin) so that it can stop sending before its ports close:
 * DPDK 22.11's memif PMD segfaults the peer that stays (our DUT) when the link goes down while the peer
 * is inside a burst (the control thread unmaps the regions under the polling lcore; findings §2), and a
 * non-interactive testpmd stops forwarding and closes its ports in one go, with up to a ring of packets
 * (16k with rsize=14) still queued at the DUT. Stopped first, the DUT drains them and polls empty rings
 * when the link goes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../../core/errors.ts';
import type { Shell } from '../shell/shell.ts';
import { startDpdkProcess, type DpdkProcess } from './dpdk-process.ts';
import { ealArgs } from './eal.ts';
import type { DpdkRuntime } from './runtime.ts';
import type { EthdevStats } from './telemetry.ts';

export type TestpmdMode = 'io' | 'macswap' | 'flowgen';

export interface TestpmdSpec {
  readonly filePrefix: string;
  readonly mode: TestpmdMode;
  /** CPU of the forwarding lcore. */
  readonly cpu: number;
  /** CPU of the main lcore, which only sleeps waiting for stdin; default: the forwarding CPU. */
  readonly mainCpu?: number;
  /** One vdev per port, in port order. */
  readonly vdevs: readonly string[];
  /** flowgen: frame size with FCS (64..1518); testpmd flowgen subtracts the 4 FCS bytes itself. */
  readonly frameBytes?: number;
  /** flowgen: number of flows (destination addresses). */
  readonly flows?: number;
  readonly memoryMb?: number;
  /** Default 32768 (testpmd's own default, ~155k mbufs, takes 340 MB). */
  readonly mbufs?: number;
  /** RX and TX descriptors per queue; default 1024. */
  readonly descriptors?: number;
  readonly singleFileSegments?: boolean;
  /** `--stats-period` seconds (log only); default none. */
  readonly statsPeriodS?: number;
  readonly binary?: string;
}

/** Full argv (program first) for testpmd in the given mode on one forwarding lcore. */
export function testpmdArgv(spec: TestpmdSpec): string[] {
  const where = `testpmd ${spec.filePrefix}`;
  if (spec.vdevs.length < 1) throw new ConfigError('testpmd needs at least one port', { where, hint: 'give one vdev per port' });
  if (spec.mode === 'flowgen') {
    const f = spec.frameBytes ?? 64;
    if (!Number.isInteger(f) || f < 64 || f > 1518) {
      throw new ConfigError(`flowgen frame size ${f} is outside 64..1518`, { where, hint: 'frame sizes include the 4-byte FCS' });
    }
  }
  const fwd = spec.cpu;
  const main = spec.mainCpu ?? fwd;
  const eal = ealArgs({
    filePrefix: spec.filePrefix,
    lcores: [main, fwd],
    memoryMb: spec.memoryMb ?? 256,
    noPci: true,
    vdevs: spec.vdevs,
    allowPci: [],
    ...(spec.singleFileSegments === undefined ? {} : { singleFileSegments: spec.singleFileSegments }),
  });
  const desc = spec.descriptors ?? 1024;
  const app = [
    // flowgen: interactive, so that it can stop sending and wait before its ports close (see above).
    ...(spec.mode === 'flowgen' ? ['-i'] : []),
    `--forward-mode=${spec.mode}`,
    '--nb-cores=1',
    `--rxd=${desc}`,
    `--txd=${desc}`,
    `--total-num-mbufs=${spec.mbufs ?? 32768}`,
    // vdev servers come up only when the peer connects, later: do not wait 9 s for their links.
    '--disable-link-check',
  ];
  // One port: pair it with itself, or io/macswap would refuse an odd port count.
  if (spec.vdevs.length === 1) app.push('--port-topology=loop');
  if (spec.mode === 'flowgen') {
    app.push(`--txpkts=${spec.frameBytes ?? 64}`);
    if (spec.flows !== undefined) app.push(`--flowgen-flows=${spec.flows}`);
  }
  if (spec.statsPeriodS !== undefined) app.push(`--stats-period=${spec.statsPeriodS}`);
  return [spec.binary ?? 'dpdk-testpmd', ...eal, '--', ...app];
}

export interface StartTestpmdOptions extends Omit<TestpmdSpec, 'filePrefix'> {
  readonly shell: Shell;
  readonly runtime: DpdkRuntime;
  /** Role for the file prefix: "dut", "raw-gen" ... */
  readonly role: string;
  readonly startTimeoutMs?: number;
}

export interface RunningTestpmd extends DpdkProcess {
  readonly mode: TestpmdMode;
  readonly ports: number;
  portStats(): Promise<EthdevStats[]>;
}

/**
 * How long a stopped flowgen waits before its ports close: the DUT forwards what is still queued for it
 * (a 16k-slot ring at ~2 Mpps is 8 ms) and then only polls empty rings.
 */
export const FLOWGEN_DRAIN_MS = 200;

/** Start testpmd and wait until it forwards (non-interactive: by itself; flowgen: on `start`). */
export async function startTestpmd(opts: StartTestpmdOptions): Promise<RunningTestpmd> {
  const prefix = opts.runtime.prefix(opts.role);
  const interactive = opts.mode === 'flowgen';
  const proc = await startDpdkProcess({
    shell: opts.shell,
    runtime: opts.runtime,
    prefix,
    label: `testpmd ${opts.mode} (${opts.role})`,
    argv: testpmdArgv({ ...opts, filePrefix: prefix }),
    // Printed once forwarding starts: after `start` (interactive) or by itself (non-interactive).
    readyPattern: interactive ? /packet forwarding - ports=/ : /Press enter to exit/,
    ...(interactive
      ? {
          input: 'start\n',
          quit: async (p) => {
            await p.write('stop\n');
            await sleep(FLOWGEN_DRAIN_MS);
            await p.write('quit\n');
          },
        }
      : {}),
    ...(opts.startTimeoutMs === undefined ? {} : { startTimeoutMs: opts.startTimeoutMs }),
  });
  const ports = opts.vdevs.length;
  return Object.assign(proc, {
    mode: opts.mode,
    ports,
    portStats: () => Promise.all(Array.from({ length: ports }, (_, p) => proc.telemetry.ethdevStats(p))),
  });
}
