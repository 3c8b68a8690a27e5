/**
 * The generator's self-test (CSIT reports the tester's own ceiling with every run): one wsp-gen process
 * whose two ports are the two ends of one memif socket (server and client), no DUT in between. What it
 * receives at a load far above its capacity is the most any measurement through a DUT can show.
 */
import { posix as path } from 'node:path';
import { ConfigError } from '../../core/errors.ts';
import { MAX_SOCKET_PATH, type DpdkRuntime } from '../dpdk/runtime.ts';
import type { Shell } from '../shell/shell.ts';
import type { TrafficProfile, TrialResult } from '../../method/trial.ts';
import { openLocalGenerator } from './local-generator.ts';

export interface SelfTestOptions {
  readonly shell: Shell;
  readonly runtime: DpdkRuntime;
  /** CPU of the generator's polling lcore: the same one the measurements use. */
  readonly cpus: readonly number[];
  /** Directory for the memif socket (removed afterwards). */
  readonly socketDir: string;
  /** Frame sizes with FCS; default [64, 1518]. */
  readonly frameSizes?: readonly number[];
  /** Profiles to measure instead of `frameSizes` (IMIX too). */
  readonly profiles?: readonly TrafficProfile[];
  /** Counted window per frame size; default 2 s (after 0.5 s warm-up). */
  readonly durationS?: number;
  readonly warmupS?: number;
  /** Offered load, aggregate; default 100 Mpps (above any software ceiling here). */
  readonly offeredPps?: number;
  /**
   * After each ceiling, a short trial at this low load with every packet stamped: the tester's own latency
   * (loopback, no DUT), shown beside every latency figure of the run. Default 100 kpps; 0 skips it.
   */
  readonly biasPps?: number;
  readonly memoryMb?: number;
  readonly binary?: string;
  /** File prefix role; default "selftest". */
  readonly role?: string;
}

export interface SelfTestResult {
  /** Received pps, both directions together, per frame size (bytes with FCS). */
  readonly ceilingPps: Readonly<Record<number, number>>;
  readonly trials: Readonly<Record<number, TrialResult>>;
  /** Every profile measured, in order (IMIX included), with its ceiling and trial. */
  readonly byProfile: readonly { readonly profile: TrafficProfile; readonly ceilingPps: number; readonly trial: TrialResult; readonly biasTrial?: TrialResult }[];
  /** e.g. "wsp-gen/1 (DPDK 22.11.11)". */
  readonly version: string;
}

/** A load low enough that no queue builds up in the loop: what remains is the tester's own latency. */
const BIAS_PPS = 100_000;
const BIAS_S = 0.5;

/** Measure the generator's own ceiling (and latency bias) over a memif loop, per frame size. Leaves nothing behind. */
export async function generatorSelfTest(opts: SelfTestOptions): Promise<SelfTestResult> {
  const role = opts.role ?? 'selftest';
  const socket = path.join(opts.socketDir, `${role}.sock`);
  if (socket.length > MAX_SOCKET_PATH) {
    throw new ConfigError(`the self-test socket path ${socket} is longer than ${MAX_SOCKET_PATH} characters`, { where: 'generator self-test', hint: 'use a shorter socket directory' });
  }
  await opts.shell.run(['mkdir', '-p', opts.socketDir]);
  await opts.shell.run(['rm', '-f', '--', socket]); // memif refuses to bind over a stale socket
  const memif = `id=0,socket=${socket},socket-abstract=no`;
  try {
    await using gen = await openLocalGenerator({
      shell: opts.shell,
      runtime: opts.runtime,
      role,
      cpus: opts.cpus,
      ...(opts.memoryMb === undefined ? {} : { memoryMb: opts.memoryMb }),
      ...(opts.binary === undefined ? {} : { binary: opts.binary }),
      ports: [
        { kind: 'vdev', name: 'p0', vdev: `net_memif0,role=server,${memif}` },
        { kind: 'vdev', name: 'p1', vdev: `net_memif1,role=client,${memif}` },
      ],
    });
    const ceilingPps: Record<number, number> = {};
    const trials: Record<number, TrialResult> = {};
    const byProfile: SelfTestResult['byProfile'][number][] = [];
    const profiles = opts.profiles ?? (opts.frameSizes ?? [64, 1518]).map((frameBytes): TrafficProfile => ({ kind: 'fixed', frameBytes }));
    for (const profile of profiles) {
      const r = await gen.measure({
        loadPps: opts.offeredPps ?? 100e6,
        durationS: opts.durationS ?? 2,
        warmupS: opts.warmupS ?? 0.5,
        profile,
        flows: 1,
        direction: 'bidirectional',
      });
      const biasPps = opts.biasPps ?? BIAS_PPS;
      const biasTrial =
        biasPps > 0
          ? await gen.measure({ loadPps: biasPps, durationS: BIAS_S, warmupS: 0.1, profile, flows: 1, direction: 'bidirectional', latency: 'all' })
          : undefined;
      byProfile.push({ profile, ceilingPps: r.receivedPps, trial: r, ...(biasTrial === undefined ? {} : { biasTrial }) });
      if (profile.kind === 'fixed') {
        ceilingPps[profile.frameBytes] = r.receivedPps;
        trials[profile.frameBytes] = r;
      }
    }
    return { ceilingPps, trials, byProfile, version: gen.info.version };
  } finally {
    await opts.shell.exec(['rm', '-f', '--', socket]);
  }
}
