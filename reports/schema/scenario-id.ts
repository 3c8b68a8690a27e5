/**
 * CSIT-style scenario ids (STYLE "Names are the matrix"): `1n-local-2p-memif-l3fwd-64b-ndrpdr` is
 * <nodes>n-<nic>-<ports>p-<datapath>-<dut>-<frame>-<test>. The parts become test tags and InfluxDB tags.
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
  /** ndrpdr, mrr, latency, failover-dut-restart, ... */
  readonly test: string;
}

const PART = /^[a-z0-9][a-z0-9-]*$/;
// Longest datapath names first so "vhost-user-ovs" wins over "vhost-user".
const DATAPATH_ALT = [...DATAPATHS].sort((a, b) => b.length - a.length).join('|');
const ID = new RegExp(`^(\\d+)n-([a-z0-9][a-z0-9-]*?)-(\\d+)p-(${DATAPATH_ALT})-([a-z0-9][a-z0-9-]*?)-(\\d+b|imix[a-z0-9-]*?)-([a-z][a-z0-9-]*)$`);

/** Build the id from its parts; throws ConfigError on a part that would make the id ambiguous. */
export function formatScenarioId(p: ScenarioIdParts): string {
  for (const [k, v] of [['nic', p.nic], ['dut', p.dut], ['frame', p.frame], ['test', p.test]] as const) {
    if (!PART.test(v)) throw new ConfigError(`scenario id part ${k} "${v}" must be lower-case letters, digits and "-"`);
  }
  const id = `${p.nodes}n-${p.nic}-${p.ports}p-${p.datapath}-${p.dut}-${p.frame}-${p.test}`;
  parseScenarioId(id); // round-trip check
  return id;
}

/** Split an id into its parts; throws ConfigError saying which layout was expected. */
export function parseScenarioId(id: string): ScenarioIdParts {
  const m = ID.exec(id);
  if (!m) {
    throw new ConfigError(`scenario id "${id}" does not follow <nodes>n-<nic>-<ports>p-<datapath>-<dut>-<frame>-<test>`, {
      hint: `e.g. 1n-local-2p-memif-l3fwd-64b-ndrpdr; datapath is one of ${DATAPATHS.join(', ')}; frame is like 64b or imix`,
    });
  }
  const [, nodes, nic, ports, datapath, dut, frame, test] = m as unknown as [string, string, string, string, DatapathKind, string, string, string];
  return { nodes: Number(nodes), nic, ports: Number(ports), datapath, dut, frame, test };
}

/** Tags of a scenario (test tags and InfluxDB tags): "1n", "local", "2p", "memif", "l3fwd", "64b", "ndrpdr". */
export function scenarioTags(id: string): string[] {
  const p = parseScenarioId(id);
  return [`${p.nodes}n`, p.nic, `${p.ports}p`, p.datapath, p.dut, p.frame, p.test];
}
