/**
 * Open pktgen-dpdk on a running local datapath, placed as the datapath asks (generator CPU, shared
 * memory for virtio_user, ring depth, the veth namespace), addressed the way l3fwd routes:
 * port N sends from 198.18.N.1 to 198.18.(1-N).1, so l3fwd's LPM table (198.18.N.0/24 → port N)
 * returns it on the other port. pktgen's main and worker lcores share the generator CPU(s).
 */
import { posix as path } from 'node:path';
import { ProvisionError } from '../../../core/errors.ts';
import type { DpdkRuntime } from '../../dpdk/runtime.ts';
import type { PktgenClock } from '../../loadgen/pktgen/clock.ts';
import { describeLocation, type PktgenLocation } from '../../loadgen/pktgen/locate-pktgen.ts';
import type { LuaExchange } from '../../loadgen/pktgen/lua-client.ts';
import type { PktgenPortConfig } from '../../loadgen/pktgen/pktgen-session.ts';
import { startPktgen, type StartedPktgen, type StartPktgenOptions } from '../../loadgen/pktgen/start-pktgen.ts';
import type { Shell } from '../../shell/shell.ts';
import type { RunningDatapath } from '../datapath.ts';

/** The addressing of the local lab's two generator ports (l3fwd's routes, its next-hop MACs). */
export const LOCAL_PKTGEN_PORTS: readonly [PktgenPortConfig, PktgenPortConfig] = [
  { dstMac: '02:00:00:00:00:00', srcIp: '198.18.0.1', dstIp: '198.18.1.1' },
  { dstMac: '02:00:00:00:00:01', srcIp: '198.18.1.1', dstIp: '198.18.0.1' },
];

/**
 * On this shared VM a poller is descheduled for tens of ms at a time: packets still in the vhost rings
 * at the end of a window need as long as the local generator's drain to arrive (generator-for.ts).
 */
const LOCAL_DRAIN_MS = 1000;

export interface PktgenOnOptions {
  readonly shell: Shell;
  readonly runtime: DpdkRuntime;
  /** Where pktgen is (locate-pktgen.ts); an absent one is a ProvisionError naming the reason. */
  readonly pktgen: PktgenLocation;
  /** CPUs when the datapath does not place the generator (default [1]). */
  readonly cpus?: readonly number[];
  /** Directory for pktgen's files (latency samples); default `<runtime dir>/../pktgen`. */
  readonly workDir?: string;
  readonly role?: string;
  readonly drainMs?: number;
  readonly clock?: PktgenClock;
  readonly onExchange?: (e: LuaExchange) => void;
  /** Record mode (record-transcripts.ts): wrap the counter reader and the latency files. */
  readonly wrapCounters?: StartPktgenOptions['wrapCounters'];
  readonly wrapLatencyFiles?: StartPktgenOptions['wrapLatencyFiles'];
  /** The IMIX pcap pktgen loads at start (default imix-7-4-1 with 1 flow, start-pktgen.ts). */
  readonly imix?: StartPktgenOptions['imix'];
}

/** Start pktgen on the datapath's generator ports. */
export async function openPktgenOn(dp: RunningDatapath, o: PktgenOnOptions): Promise<StartedPktgen> {
  if (o.pktgen.kind === 'absent') throw new ProvisionError(describeLocation(o.pktgen), { where: `generator for ${dp.kind}`, hint: 'docs/hardware.md: installing pktgen' });
  const [p0, p1] = dp.generatorPorts;
  if (!p0 || !p1 || dp.generatorPorts.length !== 2) throw new ProvisionError(`pktgen drives two ports, datapath ${dp.kind} has ${dp.generatorPorts.length}`, { where: `generator for ${dp.kind}` });
  const placement = dp.generator ?? {};
  const role = o.role ?? 'pg';
  return startPktgen({
    shell: o.shell,
    runtime: o.runtime,
    pktgen: o.pktgen,
    ports: [p0, p1],
    portConfig: LOCAL_PKTGEN_PORTS,
    cpus: placement.cpus ?? o.cpus ?? [1],
    ...(placement.netns === undefined ? {} : { netns: placement.netns }),
    workDir: o.workDir ?? path.join(path.dirname(o.runtime.runtimeDir), role),
    memoryMb: 512,
    ...(placement.singleFileSegments ? { singleFileSegments: true } : {}),
    ...(placement.ringSize === undefined ? {} : { ringSize: placement.ringSize }),
    role,
    drainMs: o.drainMs ?? LOCAL_DRAIN_MS,
    ...(o.clock === undefined ? {} : { clock: o.clock }),
    ...(o.onExchange === undefined ? {} : { onExchange: o.onExchange }),
    ...(o.wrapCounters === undefined ? {} : { wrapCounters: o.wrapCounters }),
    ...(o.wrapLatencyFiles === undefined ? {} : { wrapLatencyFiles: o.wrapLatencyFiles }),
    ...(o.imix === undefined ? {} : { imix: o.imix }),
  });
}
