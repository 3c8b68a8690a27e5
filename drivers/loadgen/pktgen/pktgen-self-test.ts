/**
 * pktgen's own ceiling (the tester's self-test CSIT reports with every run), the way wsp-gen measures
 * its own (drivers/loadgen/self-test.ts): one pktgen process whose two ports are the two ends of one memif
 * socket (server and client), no DUT in between, each port offered its whole negotiated link rate. What it
 * receives then is the most any measurement through a DUT can show with pktgen on these CPUs, and so the
 * max offered load on virtual ports. Needs the MTU patch (memif has no MTU setter; cli/setup.d/30-pktgen.sh).
 */
import { posix as path } from 'node:path';
import { ConfigError } from '../../../core/errors.ts';
import type { TrafficProfile, TrialResult } from '../../../method/trial.ts';
import { MAX_SOCKET_PATH, type DpdkRuntime } from '../../dpdk/runtime.ts';
import type { Shell } from '../../shell/shell.ts';
import type { PktgenLocation } from './locate-pktgen.ts';
import { startPktgen } from './start-pktgen.ts';
import { pacedPps } from './trial-plan.ts';

export interface PktgenSelfTestOptions {
  readonly shell: Shell;
  readonly runtime: DpdkRuntime;
  readonly pktgen: Extract<PktgenLocation, { kind: 'found' }>;
  /** The generator CPUs the measurements use (main and worker lcores). */
  readonly cpus: readonly number[];
  /** Directory for the memif socket and pktgen's files (removed afterwards). */
  readonly workDir: string;
  readonly profiles: readonly TrafficProfile[];
  /** Counted window per profile (default 2 s). */
  readonly durationS?: number;
  /** File prefix role (default "ps": it names the telemetry socket, which unix sockets cap at 107 characters). */
  readonly role?: string;
}

export interface PktgenSelfTestResult {
  /** "pktgen 23.06.1". */
  readonly generator: string;
  readonly byProfile: readonly { readonly profile: TrafficProfile; readonly ceilingPps: number; readonly trial: TrialResult }[];
}

/** Measure pktgen's ceiling over a memif loop, per profile. Leaves nothing behind. */
export async function pktgenSelfTest(o: PktgenSelfTestOptions): Promise<PktgenSelfTestResult> {
  const role = o.role ?? 'ps';
  const socket = path.join(o.workDir, 'loop.sock');
  if (socket.length > MAX_SOCKET_PATH) {
    throw new ConfigError(`the pktgen self-test socket path ${socket} is longer than ${MAX_SOCKET_PATH} characters`, { where: 'pktgen self-test', hint: 'use a shorter run directory' });
  }
  const memif = `id=0,socket=${socket},socket-abstract=no`;
  // startPktgen creates and removes workDir; the socket is in it.
  const started = await startPktgen({
    shell: o.shell,
    runtime: o.runtime,
    pktgen: o.pktgen,
    role,
    cpus: o.cpus,
    workDir: o.workDir,
    memoryMb: 512,
    ports: [
      { kind: 'vdev', name: 'p0', vdev: `net_memif0,role=server,${memif}` },
      { kind: 'vdev', name: 'p1', vdev: `net_memif1,role=client,${memif}` },
    ],
    // No DUT routes here: any addressing loops back.
    portConfig: [
      { dstMac: '02:00:00:00:00:01', srcIp: '198.18.0.1', dstIp: '198.18.1.1' },
      { dstMac: '02:00:00:00:00:00', srcIp: '198.18.1.1', dstIp: '198.18.0.1' },
    ],
  });
  try {
    const s = started.session;
    const byProfile: PktgenSelfTestResult['byProfile'][number][] = [];
    for (const profile of o.profiles) {
      // An IMIX is paced by its pcap's mean frame (a ConfigError naming why, where this pktgen cannot send it).
      const frameBytes = s.pacedFrameBytes(profile);
      // Each port's whole link rate (one packet below it: pktgen's percentage must stay <= 100).
      const loadPps = s.linkMbps.reduce((sum, mbps) => sum + pacedPps(100, frameBytes, mbps) - 1, 0);
      const trial = await s.measure({ loadPps, durationS: o.durationS ?? 2, profile, flows: 1, direction: 'bidirectional' });
      byProfile.push({ profile, ceilingPps: trial.receivedPps, trial });
    }
    return { generator: `pktgen ${s.info.version}`, byProfile };
  } finally {
    await started.session.close();
  }
}
