/**
 * Start pktgen-dpdk on the generator node (through its Shell) and open a session on its Lua socket.
 *  - pktgen needs a terminal (without one it exits 255: "scrn_constructor: tcgetattr failed"):
 *    it runs under `script`, which gives it a pty;
 *  - its Lua socket runs any Lua (and so any command) it is sent: pktgen runs in a network namespace
 *    of wirespeed's own with only loopback, or the one the datapath placed the generator in, and
 *    listens on that namespace's 127.0.0.1 (`-g`; a stock pktgen binds every address of the
 *    namespace, still nothing outside it). wirespeed reaches it through lua-relay.py started in the
 *    same namespace: locally a pipe, on a bare-metal generator node the SSH channel;
 *  - whatever way the session ends (close, a failed start, pktgen crashing), its processes are
 *    stopped by pid, its hugepage files and runtime directory removed, and its namespace deleted.
 */
import { posix as path } from 'node:path';
import { ProvisionError, trimOutput } from '../../../core/errors.ts';
import { Teardown } from '../../../core/teardown.ts';
import type { DpdkRuntime } from '../../dpdk/runtime.ts';
import { openTelemetry } from '../../dpdk/telemetry.ts';
import { createNetns, netnsShell, type Netns } from '../../shell/netns.ts';
import { quote } from '../../shell/quote.ts';
import type { Shell, SpawnedProcess } from '../../shell/shell.ts';
import type { GeneratorPort } from '../traffic-generator.ts';
import type { PktgenClock } from './clock.ts';
import type { PktgenLocation } from './locate-pktgen.ts';
import type { LuaExchange } from './lua-client.ts';
import { IMIX_7_4_1, type TrafficProfile } from '../../../method/trial.ts';
import { imixPcap, imixSequence, pcapMeanFrameBytes } from './imix-pcap.ts';
import { relayedClient } from './lua-relay.ts';
import { telemetryCounters, type PortCounterReader } from './port-counters.ts';
import { DEFAULT_SOCKET_PORT, pktgenArgv, pktgenLcores } from './pktgen-argv.ts';
import { PktgenSession, type LatencyFiles, type PktgenPortConfig } from './pktgen-session.ts';
import { pktgenFeatures } from './pktgen-version.ts';

export interface StartPktgenOptions {
  /** Shell of the generator node. */
  readonly shell: Shell;
  readonly runtime: DpdkRuntime;
  /** The binary and version (locate-pktgen.ts). */
  readonly pktgen: Extract<PktgenLocation, { kind: 'found' }>;
  /** Ports in topology order (p0, p1). */
  readonly ports: readonly [GeneratorPort, GeneratorPort];
  readonly portConfig: readonly [PktgenPortConfig, PktgenPortConfig];
  /** Generator CPUs: the first runs the main lcore; workers on all of them (the first alone when it is the only one). */
  readonly cpus: readonly number[];
  /** A network namespace the generator must run in (veth); default one of pktgen's own. */
  readonly netns?: string;
  /** Directory on the generator node for pktgen's latency sampler files; created and removed here. */
  readonly workDir: string;
  readonly memoryMb?: number;
  readonly singleFileSegments?: boolean;
  /** Descriptors per RX/TX queue (pktgen --rxd/--txd). */
  readonly ringSize?: number;
  readonly socketPort?: number;
  readonly role?: string;
  /** EAL start, port setup and link-up (default 60 s). */
  readonly startTimeoutMs?: number;
  readonly drainMs?: number;
  readonly clock?: PktgenClock;
  /** Record mode: every Lua exchange. */
  readonly onExchange?: (e: LuaExchange) => void;
  /** Record mode: wraps the counter reader. */
  readonly wrapCounters?: (r: PortCounterReader) => PortCounterReader;
  /** Record mode: wraps the latency files. */
  readonly wrapLatencyFiles?: (f: LatencyFiles) => LatencyFiles;
  /** Runs last when the session ends (the caller's own cleanup, e.g. its runtime directory). */
  readonly afterClose?: () => Promise<void>;
  /** The IMIX pktgen can send, written as a pcap per port and loaded at start (default IMIX_7_4_1, 1 flow); false: none. */
  readonly imix?: PktgenImix | false;
}

/** An IMIX for pktgen's start: the mix, its flows, and why not another flow count when they were capped. */
export interface PktgenImix {
  readonly profile: Extract<TrafficProfile, { kind: 'imix' }>;
  readonly flows: number;
  readonly otherFlows?: string;
}

/** The IMIX every pktgen wirespeed starts can send (the suites' IMIX profile, one flow). */
export const DEFAULT_PKTGEN_IMIX: PktgenImix = { profile: IMIX_7_4_1 as Extract<TrafficProfile, { kind: 'imix' }>, flows: 1 };

/**
 * The buffers pktgen 23.x gives a pcap per port before its pool grows with the pcap (app/pktgen-pcap.c
 * repeats a small pcap up to MAX_MBUFS_PER_PORT, (1024 + 2048) x 8 in app/pktgen-constants.h).
 */
export const PKTGEN_PCAP_FRAMES = 24_576;

/**
 * The suites' IMIX for a run with `flows` flows per direction: one pass through the mix per flow, each
 * flow its own UDP source port. Up to PKTGEN_PCAP_FRAMES frames that costs pktgen nothing more than one
 * flow; beyond, its pool would grow by a buffer per frame (65536 flows: about 1.4 GB per port), so the
 * pcap keeps one flow and IMIX scenarios with more flows skip, saying this.
 */
export function pktgenImixFor(flows = 1): PktgenImix {
  const perFlow = imixSequence(DEFAULT_PKTGEN_IMIX.profile).length;
  const most = Math.floor(PKTGEN_PCAP_FRAMES / perFlow);
  if (flows <= most) return { ...DEFAULT_PKTGEN_IMIX, flows };
  return {
    ...DEFAULT_PKTGEN_IMIX,
    otherFlows: `${flows} flows of ${perFlow} frames would not fit the ${PKTGEN_PCAP_FRAMES} buffers pktgen gives a pcap per port (at most ${most} flows); the pcap holds 1 flow`,
  };
}

/** A running pktgen with its session; closing the session stops and cleans up everything. */
export interface StartedPktgen {
  readonly session: PktgenSession;
  readonly argv: readonly string[];
  readonly prefix: string;
  readonly netns: string;
  /** Last lines of pktgen's terminal. */
  log(): string;
}

/** Spawn pktgen, connect through the relay, open the session. On any failure everything is cleaned up. */
export async function startPktgen(o: StartPktgenOptions): Promise<StartedPktgen> {
  const prefix = o.runtime.prefix(o.role ?? 'pg');
  const where = `pktgen ${o.pktgen.version.text} (${prefix}) on ${o.shell.name}`;
  const features = pktgenFeatures(o.pktgen.version);
  const { lcores, matrix } = pktgenLcores(o.cpus, o.ports.length, features);
  const vdevs = o.ports.flatMap((p) => (p.kind === 'vdev' ? [p.vdev] : []));
  const pcis = o.ports.flatMap((p) => (p.kind === 'pci' ? [p.pci] : []));
  const port = o.socketPort ?? DEFAULT_SOCKET_PORT;
  const imix = o.imix === false ? undefined : (o.imix ?? DEFAULT_PKTGEN_IMIX);
  const pcaps = imix ? o.ports.map((_, i) => path.join(o.workDir, `imix-p${i}.pcap`)) : [];
  const argv = pktgenArgv({
    binary: o.pktgen.binary,
    eal: {
      filePrefix: prefix,
      lcores,
      memoryMb: o.memoryMb ?? 512,
      noPci: pcis.length === 0,
      vdevs,
      allowPci: pcis,
      singleFileSegments: o.singleFileSegments ?? vdevs.some((v) => v.startsWith('net_virtio_user')),
    },
    matrix,
    socket: { host: '127.0.0.1', port },
    promiscuous: pcis.length > 0,
    extra: [...(o.ringSize === undefined ? [] : [`--rxd=${o.ringSize}`, `--txd=${o.ringSize}`]), ...pcaps.flatMap((f, i) => ['-s', `${i}:${f}`])],
  });

  const teardown = new Teardown(where, `check \`ip netns list\`, \`ls /dev/hugepages/${prefix}*\` and processes with --file-prefix=${prefix}`);
  const cleanup = (): Promise<void> => teardown.run();

  if (o.afterClose) teardown.add('caller cleanup', o.afterClose);
  let pktgen: SpawnedProcess | undefined;
  let relay: SpawnedProcess | undefined;
  try {
    let ns: Netns | undefined;
    let nsName = o.netns;
    if (nsName === undefined) {
      nsName = `${prefix}`; // the run tag is in the prefix: leftovers of a crashed run are recognisable
      ns = await createNetns(o.shell, nsName);
      const made = ns;
      teardown.add(`network namespace ${nsName}`, () => made.remove());
    }
    const inNs = netnsShell(o.shell, nsName);
    await o.shell.run(['mkdir', '-p', o.workDir], { timeoutMs: 10_000 });
    teardown.add(`work directory ${o.workDir}`, () => o.shell.run(['rm', '-rf', '--', o.workDir], { timeoutMs: 10_000 }));
    // The IMIX as pktgen sends one: a pcap per port, addressed like the port's single-mode packets.
    if (imix) for (const [i, file] of pcaps.entries()) await o.shell.writeFile(file, imixPcap(imix.profile, o.portConfig[i]!, `02:00:00:00:7${i}:00`, imix.flows));
    await o.runtime.prepare();
    await o.runtime.cleanupPrefix(prefix); // a crashed earlier session leaves hugepage files EAL would reuse
    teardown.add(`hugepage files and runtime directory of ${prefix}`, () => o.runtime.cleanupPrefix(prefix));
    // Whatever is left of this prefix's processes (pktgen outlives `script` when that is killed hard).
    teardown.add(`processes of ${prefix}`, () => killByPrefix(o.shell, prefix));

    // `script -qfec CMD /dev/null`: a pty for pktgen, its exit code passed on, nothing logged to a file.
    pktgen = await inNs.spawn(['script', '-qfec', quote(argv), '/dev/null'], { env: o.runtime.env(), cwd: o.workDir, ringBytes: 64 * 1024 });
    const proc = pktgen;
    teardown.add(`pktgen (pid ${proc.pid})`, () => proc.kill(3000));

    const startTimeoutMs = o.startTimeoutMs ?? 60_000;
    const relayed = await relayedClient(inNs, {
      host: '127.0.0.1',
      port,
      waitMs: startTimeoutMs,
      where: `pktgen Lua socket 127.0.0.1:${port} in netns ${nsName} on ${o.shell.name}`,
      ...(o.onExchange === undefined ? {} : { onExchange: o.onExchange }),
    });
    relay = relayed.relay;
    const client = relayed.client;
    teardown.add(`Lua relay (pid ${relay.pid})`, () => relayed.close());

    const died = proc.wait().then((e): never => {
      throw new ProvisionError(`pktgen exited before its Lua socket came up (${e.signal ?? `exit ${e.exitCode}`})`, {
        where,
        hint: `its terminal ended with:\n${tail(proc.output())}`,
      });
    });
    died.catch(() => undefined);
    await Promise.race([client.connected(), died]);
    // pktgen is up (it listens only once its ports are): its telemetry socket exists by now.
    const telemetry = await openTelemetry(o.shell, o.runtime.telemetrySocket(prefix), { waitMs: 5000, label: 'pktgen' });
    teardown.add('pktgen telemetry client', () => telemetry.close());
    const counters = telemetryCounters(telemetry);
    const session = await Promise.race([
      PktgenSession.open({
        client,
        counters: o.wrapCounters ? o.wrapCounters(counters) : counters,
        ports: o.portConfig,
        ...(o.drainMs === undefined ? {} : { drainMs: o.drainMs }),
        ...(o.clock === undefined ? {} : { clock: o.clock }),
        ...(imix ? { imix: { name: imix.profile.name, flows: imix.flows, frameBytes: pcapMeanFrameBytes(imix.profile), ...(imix.otherFlows === undefined ? {} : { otherFlows: imix.otherFlows }) } } : {}),
        latencyFiles: (o.wrapLatencyFiles ?? ((f) => f))({
          path: (p, trial) => path.join(o.workDir, `latency-t${trial}-p${p}.txt`),
          read: (file) => o.shell.readFile(file),
          remove: async (files) => void (await o.shell.run(['rm', '-f', '--', ...files], { timeoutMs: 10_000 })),
        }),
        onClose: cleanup,
      }),
      died,
    ]);
    return { session, argv, prefix, netns: nsName, log: () => tail(proc.output()) };
  } catch (e) {
    const log = pktgen ? tail(pktgen.output()) : '';
    await cleanup().catch(() => undefined);
    if (e instanceof ProvisionError || !log) throw e;
    throw new ProvisionError(`${e instanceof Error ? e.message : String(e)}`, { where, hint: `pktgen's terminal ended with:\n${log}`, cause: e });
  }
}

/** Kill (by pid) every process of this run whose command line carries the file prefix. */
async function killByPrefix(shell: Shell, prefix: string): Promise<void> {
  const r = await shell.exec(['pgrep', '-f', '--', `--file-prefix=${prefix}( |$)`], { timeoutMs: 10_000 });
  const pids = r.stdout.split('\n').filter((l) => /^\d+$/.test(l));
  if (pids.length > 0) await shell.exec(['kill', '-KILL', ...pids], { timeoutMs: 10_000 });
}

/** pktgen's terminal output, without its screen drawing, last lines only. */
export function tail(output: string): string {
  // eslint-disable-next-line no-control-regex
  const text = output.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]|\r/g, '');
  return trimOutput(text, 20);
}
