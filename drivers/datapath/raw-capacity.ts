/**
 * The raw capacity of a running datapath: testpmd `flowgen` on the generator's ports offers far more
 * than the path carries (it cannot pace), and the rates come from telemetry on both ends over one
 * window after a warm-up (findings §2). flowgen's destinations miss l3fwd's LPM table, so l3fwd sends
 * each packet back out of the port it came in: one forwarding per packet, as in the generator's trials.
 * This is the yardstick for our generator's MRR on the same DUT and path; testpmd gets the same rings as
 * our generator (descriptors = the placement's ring size: virtio caps a queue at the driver's descriptor
 * count, so with its default 1024 flowgen would run on shallower rings than ours).
 */
import { MeasurementError } from '../../core/errors.ts';
import { startTestpmd } from '../dpdk/testpmd.ts';
import type { DpdkRuntime } from '../dpdk/runtime.ts';
import { ethdevRates, type EthdevStats } from '../dpdk/telemetry.ts';
import { netnsShell } from '../shell/netns.ts';
import type { Shell } from '../shell/shell.ts';
import type { RunningDatapath } from './datapath.ts';

export interface RawCapacityOptions {
  readonly shell: Shell;
  readonly runtime: DpdkRuntime;
  /** Frame size with FCS. */
  readonly frameBytes: number;
  readonly warmupS?: number;
  readonly windowS?: number;
  /** Role for the flowgen file prefix; default "rawgen". */
  readonly role?: string;
  /** Called after the warm-up and after the window: e.g. read the DUT's stall probe around the window. */
  readonly onWindow?: (edge: 'start' | 'end') => Promise<void>;
}

export interface RawCapacity {
  readonly frameBytes: number;
  readonly windowS: number;
  /** Received back at the generator, all ports: comparable with a trial's receivedPps. */
  readonly genRxPps: number;
  /** Accepted by the generator's TX rings, all ports. */
  readonly genTxPps: number;
  /** DUT port counters, all ports (absent when the DUT has no telemetry). */
  readonly dutRxPps?: number;
  readonly dutTxPps?: number;
  /** imissed/ierrors/oerrors/rx_nombuf on the DUT in the window. */
  readonly dutDropped?: number;
}

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Drive the datapath's generator ports with testpmd flowgen and read the rates by telemetry. */
export async function measureRawCapacity(dp: RunningDatapath, o: RawCapacityOptions): Promise<RawCapacity> {
  const warmupS = o.warmupS ?? 2;
  const windowS = o.windowS ?? 5;
  const placement = dp.generator ?? {};
  const shell = placement.netns ? netnsShell(o.shell, placement.netns) : o.shell;
  const cpu = placement.cpus?.[0] ?? 1;
  const gen = await startTestpmd({
    shell,
    runtime: o.runtime,
    role: o.role ?? 'rawgen',
    mode: 'flowgen',
    cpu,
    vdevs: dp.generatorPorts.map((p) => (p.kind === 'vdev' ? p.vdev : p.pci)),
    frameBytes: o.frameBytes,
    ...(placement.ringSize === undefined ? {} : { descriptors: placement.ringSize }),
    ...(placement.mbufs === undefined ? {} : { mbufs: Math.max(32768, placement.mbufs) }),
    ...(placement.singleFileSegments ? { singleFileSegments: true } : {}),
  });
  try {
    await sleep(warmupS * 1000);
    const dutStats = async (): Promise<EthdevStats[] | undefined> =>
      dp.dutTelemetry ? Promise.all(dp.generatorPorts.map((_, i) => dp.dutTelemetry!.ethdevStats(i))) : undefined;
    await o.onWindow?.('start');
    const [g0, d0] = await Promise.all([gen.portStats(), dutStats()]);
    const t0 = performance.now();
    await sleep(windowS * 1000);
    const [g1, d1] = await Promise.all([gen.portStats(), dutStats()]);
    const intervalS = (performance.now() - t0) / 1000;
    await o.onWindow?.('end');
    if (!dp.dutAlive()) {
      throw new MeasurementError(`the DUT died while testpmd flowgen drove it: ${dp.dutDeath()}`, { where: `datapath ${dp.kind}` });
    }
    const genRates = g0.map((s, i) => ethdevRates(s, g1[i]!, intervalS));
    const dutRates = d0 && d1 ? d0.map((s, i) => ethdevRates(s, d1[i]!, intervalS)) : undefined;
    return {
      frameBytes: o.frameBytes,
      windowS: intervalS,
      genRxPps: sum(genRates.map((r) => r.rxPps)),
      genTxPps: sum(genRates.map((r) => r.txPps)),
      ...(dutRates
        ? {
            dutRxPps: sum(dutRates.map((r) => r.rxPps)),
            dutTxPps: sum(dutRates.map((r) => r.txPps)),
            dutDropped: sum(dutRates.map((r) => r.dropped)),
          }
        : {}),
    };
  } finally {
    await gen.stop();
  }
}
