/**
 * CSIT-style scenario ids (STYLE "Names are the matrix"): `1n-local-2p-memif-l3fwd-64b-ndrpdr` is
 * <nodes>n-<nic>-<ports>p-<datapath>-<dut>-<frame>[-<T>t<C>c]-<test>. The parts become test tags and InfluxDB
 * tags. The thread-core part is CSIT's: T DUT threads (lcores) on C physical cores, written after the frame
 * as CSIT does (`64b-2t2c-…`); wirespeed puts one lcore on each core, so it writes `2t2c` and `4t4c`. An
 * id without it is one thread on one core (`1t1c`): the ids of every single-core run stay as they were.
 */
import { ConfigError } from '../../core/errors.ts';
import { DATAPATHS, type DatapathKind } from '../../lab/schema.ts';

export interface ScenarioIdParts {
  readonly nodes: number;
  /** NIC model or 'local' / 'virtual' on the local lab. */
  readonly nic: string;
  readonly ports: number;
  readonly datapath: DatapathKind;
  /** l3fwd, testpmd-io, vpp, ... */
  readonly dut: string;
  /** 64b, 1518b, imix */
  readonly frame: string;
  /** DUT threads and physical cores (`2t2c`); absent: one thread on one core. */
  readonly threadsCores?: { readonly threads: number; readonly cores: number };
  /** ndrpdr, mrr, latency, failover-dut-restart, ... */
  readonly test: string;
}

const PART = /^[a-z0-9][a-z0-9-]*$/;
// Longest datapath names first so "vhost-user-ovs" wins over "vhost-user".
const DATAPATH_ALT = [...DATAPATHS].sort((a, b) => b.length - a.length).join('|');
const ID = new RegExp(`^(\\d+)n-([a-z0-9][a-z0-9-]*?)-(\\d+)p-(${DATAPATH_ALT})-([a-z0-9][a-z0-9-]*?)-(\\d+b|imix[a-z0-9-]*?)(?:-(\\d+)t(\\d+)c)?-([a-z][a-z0-9-]*)$`);

/** CSIT's thread-core tag: `2t2c`; undefined for one thread on one core (ids leave it out). */
export function threadsCoresTag(tc: ScenarioIdParts['threadsCores']): string | undefined {
  return tc === undefined || (tc.threads === 1 && tc.cores === 1) ? undefined : `${tc.threads}t${tc.cores}c`;
}

/** The thread-core part of `dutCores` lcores, one per physical core (wirespeed's placement): 2 -> 2t2c. */
export function dutCoresPart(dutCores: number): ScenarioIdParts['threadsCores'] {
  return dutCores === 1 ? undefined : { threads: dutCores, cores: dutCores };
}

/** Build the id from its parts; throws ConfigError on a part that would make the id ambiguous. */
export function formatScenarioId(p: ScenarioIdParts): string {
  for (const [k, v] of [['nic', p.nic], ['dut', p.dut], ['frame', p.frame], ['test', p.test]] as const) {
    if (!PART.test(v)) throw new ConfigError(`scenario id part ${k} "${v}" must be lower-case letters, digits and "-"`);
  }
  const tc = p.threadsCores;
  if (tc !== undefined && !(Number.isInteger(tc.threads) && Number.isInteger(tc.cores) && tc.cores >= 1 && tc.threads >= tc.cores)) {
    throw new ConfigError(`scenario id threads/cores ${tc.threads}t${tc.cores}c: both must be whole numbers, at least one thread per core`);
  }
  const tag = threadsCoresTag(tc);
  const id = `${p.nodes}n-${p.nic}-${p.ports}p-${p.datapath}-${p.dut}-${p.frame}${tag === undefined ? '' : `-${tag}`}-${p.test}`;
  parseScenarioId(id); // round-trip check
  return id;
}

/** Split an id into its parts; throws ConfigError saying which layout was expected. */
export function parseScenarioId(id: string): ScenarioIdParts {
  const m = ID.exec(id);
  if (!m) {
    throw new ConfigError(`scenario id "${id}" does not follow <nodes>n-<nic>-<ports>p-<datapath>-<dut>-<frame>[-<T>t<C>c]-<test>`, {
      hint: `e.g. 1n-local-2p-memif-l3fwd-64b-ndrpdr or 2n-x710-2p-pf-l3fwd-64b-2t2c-ndrpdr; datapath is one of ${DATAPATHS.join(', ')}; frame is like 64b or imix`,
    });
  }
  const [, nodes, nic, ports, datapath, dut, frame, threads, cores, test] = m as unknown as [string, string, string, string, DatapathKind, string, string, string | undefined, string | undefined, string];
  const tc = threads === undefined || cores === undefined || (threads === '1' && cores === '1') ? {} : { threadsCores: { threads: Number(threads), cores: Number(cores) } };
  return { nodes: Number(nodes), nic, ports: Number(ports), datapath, dut, frame, ...tc, test };
}

/** Tags of a scenario (test tags and InfluxDB tags): "1n", "local", "2p", "memif", "l3fwd", "64b", ["2t2c",] "ndrpdr". */
export function scenarioTags(id: string): string[] {
  const p = parseScenarioId(id);
  const tag = threadsCoresTag(p.threadsCores);
  return [`${p.nodes}n`, p.nic, `${p.ports}p`, p.datapath, p.dut, p.frame, ...(tag === undefined ? [] : [tag]), p.test];
}
