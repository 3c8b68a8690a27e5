/**
 * pktgen-dpdk's command line: EAL arguments (drivers/dpdk/eal.ts), `--`, then pktgen's own options with the
 * `-m` port/lcore matrix. The first lcore is pktgen's display/main lcore and must not appear in `-m`.
 */
import { ConfigError } from '../../../core/errors.ts';
import { ealArgs, type EalSpec } from '../../dpdk/eal.ts';

export interface PktgenArgvSpec {
  readonly binary: string;
  /** EAL spec; its lcores are [display, then the polling CPUs]. */
  readonly eal: EalSpec;
  /** Number of ports (in EAL probe order: the order of allowPci / vdevs). */
  readonly ports: number;
  /** TCP port of the Lua socket (pktgen binds all interfaces; default 22022). */
  readonly socketPort?: number;
  readonly promiscuous?: boolean;
  /** Extra pktgen options appended after ours. */
  readonly extra?: readonly string[];
}

/**
 * The `-m` matrix for lcore ids 1..n split over ports: with two or more lcores per port, the first half
 * receives and the second half transmits (`[1:2].0`); with one, it does both (`1.0`).
 */
export function portMatrix(pollingLcores: number, ports: number): string {
  if (ports < 1) throw new ConfigError('pktgen needs at least one port');
  if (pollingLcores < ports)
    throw new ConfigError(`pktgen needs at least one polling lcore per port: ${pollingLcores} lcore(s) for ${ports} port(s)`, {
      hint: 'give the tg node more CPUs (cpus.tg in the inventory): one display lcore plus one or two per port',
    });
  const per = Math.floor(pollingLcores / ports);
  const list = (ids: number[]) => (ids.length === 1 ? `${ids[0]}` : ids.every((v, i) => i === 0 || v === ids[i - 1]! + 1) ? `${ids[0]}-${ids[ids.length - 1]}` : ids.join('/'));
  const parts: string[] = [];
  for (let p = 0; p < ports; p++) {
    const ids = Array.from({ length: per }, (_, i) => 1 + p * per + i);
    if (ids.length === 1) parts.push(`${ids[0]}.${p}`);
    else {
      const half = Math.floor(ids.length / 2);
      parts.push(`[${list(ids.slice(0, half))}:${list(ids.slice(half))}].${p}`);
    }
  }
  return parts.join(',');
}

/** Full argv: binary, EAL args, `--`, `-G`/`-g`, `-P`, `-m <matrix>`. */
export function pktgenArgv(spec: PktgenArgvSpec): string[] {
  const polling = spec.eal.lcores.length - 1;
  if ((spec.eal.mainLcore ?? 0) !== 0) throw new ConfigError('pktgen: the main (display) lcore must be lcore 0, the first of the list');
  return [
    spec.binary,
    ...ealArgs(spec.eal),
    '--',
    ...(spec.promiscuous === false ? [] : ['-P']),
    ...(spec.socketPort === undefined || spec.socketPort === 22022 ? ['-G'] : ['-g', `localhost:${spec.socketPort}`]),
    '-m',
    portMatrix(polling, spec.ports),
    ...(spec.extra ?? []),
  ];
}

/** pktgen's argv spec for the tg node of an inventory: `cpus.tg` (first = display lcore), its linked PCI ports. */
export function pktgenSpecForNode(o: {
  readonly node: { readonly name: string; readonly cpus: { readonly tg: readonly number[] } };
  readonly pci: readonly string[];
  readonly runId: string;
  readonly binary?: string;
  readonly memoryMb?: number;
  readonly socketPort?: number;
}): PktgenArgvSpec {
  const cpus = o.node.cpus.tg;
  if (cpus.length < 1 + o.pci.length)
    throw new ConfigError(`node ${o.node.name}: pktgen needs ${1 + o.pci.length} CPUs in cpus.tg (one display lcore + one per port), has ${cpus.length}`, {
      where: `node ${o.node.name}`,
      hint: 'list more CPUs in cpus.tg, e.g. "2-6" for 2 ports with rx/tx lcores',
    });
  return {
    binary: o.binary ?? 'pktgen',
    eal: { filePrefix: `wsp-${o.runId}-tg`, lcores: [...cpus], memoryMb: o.memoryMb ?? 2048, noPci: false, vdevs: [], allowPci: [...o.pci] },
    ports: o.pci.length,
    ...(o.socketPort === undefined ? {} : { socketPort: o.socketPort }),
  };
}
