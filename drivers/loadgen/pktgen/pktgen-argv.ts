/**
 * pktgen-dpdk's command line: EAL arguments (drivers/dpdk/eal.ts), `--`, then pktgen's own options:
 * `-g <host>:<port>` for the Lua socket and the `-m` port/lcore matrix. Lcore 0 is pktgen's main
 * (display, CLI, stats timer) lcore and must not appear in `-m`; `--lcores` maps lcores to CPUs, so
 * main and workers can share the generator's CPUs.
 */
import { ConfigError } from '../../../core/errors.ts';
import { ealArgs, type EalSpec, type LcoreCpus } from '../../dpdk/eal.ts';
import type { PktgenFeatures } from './pktgen-version.ts';

export const DEFAULT_SOCKET_PORT = 22022;

export interface PktgenArgvSpec {
  readonly binary: string;
  /** EAL spec; lcore 0 is the main lcore, lcores 1… the workers of `matrix`. */
  readonly eal: EalSpec;
  /** The `-m` matrix. */
  readonly matrix: string;
  /** The Lua socket: pktgen listens on `host` (wirespeed's patched build; stock pktgen on every address). */
  readonly socket: { readonly host: string; readonly port: number };
  /** `-P`: promiscuous (NICs; virtio_user has no promiscuous control). */
  readonly promiscuous?: boolean;
  /** Extra pktgen options appended after ours. */
  readonly extra?: readonly string[];
}

/** Lcores and `-m` matrix for `ports` ports. */
export interface PktgenLcores {
  /** CPUs of lcore 0 (main), 1, 2 … */
  readonly lcores: readonly LcoreCpus[];
  readonly matrix: string;
}

/**
 * Lcores for pktgen on `cpus` (the generator's CPUs: the first runs the main lcore, all of them the
 * workers; on the local lab one CPU runs everything). With at least two worker CPUs per port a port
 * gets a receive and a transmit lcore (`[1:2].0`); else one lcore per port; when there are fewer CPUs
 * than ports, versions that take port lists (≤ 24.05.0) serve every port from one lcore (`1.[0-1]`),
 * newer ones get one lcore per port on the same CPUs.
 */
export function pktgenLcores(cpus: readonly number[], ports: number, features: Pick<PktgenFeatures, 'matrixPortLists'>): PktgenLcores {
  if (ports < 1) throw new ConfigError('pktgen needs at least one port');
  const main = cpus[0];
  if (main === undefined) throw new ConfigError('pktgen needs at least one CPU', { hint: 'give the generator node CPUs (cpus.tg in the inventory)' });
  // Workers: every CPU but the main one's, or the main one's when it is the only CPU.
  const workers = cpus.length > 1 ? cpus.slice(1) : [main];
  const lcores: LcoreCpus[] = [main];
  const parts: string[] = [];
  const add = (cpu: number): number => {
    lcores.push(cpu);
    return lcores.length - 1;
  };
  if (workers.length >= 2 * ports) {
    const per = Math.floor(workers.length / ports);
    for (let p = 0; p < ports; p++) {
      const mine = workers.slice(p * per, (p + 1) * per).map(add);
      const half = Math.floor(mine.length / 2);
      parts.push(`[${lcoreList(mine.slice(0, half))}:${lcoreList(mine.slice(half))}].${p}`);
    }
  } else if (workers.length >= ports || !features.matrixPortLists) {
    for (let p = 0; p < ports; p++) parts.push(`${add(workers[p % workers.length]!)}.${p}`);
  } else {
    const id = add(workers[0]!);
    parts.push(ports === 1 ? `${id}.0` : `${id}.[0-${ports - 1}]`);
  }
  return { lcores, matrix: parts.join(',') };
}

/** "1", "1-3", "1/3" for lcore ids. */
function lcoreList(ids: readonly number[]): string {
  if (ids.length === 1) return String(ids[0]);
  const contiguous = ids.every((v, i) => i === 0 || v === ids[i - 1]! + 1);
  return contiguous ? `${ids[0]}-${ids[ids.length - 1]}` : ids.join('/');
}

/** Full argv: binary, EAL args, `--`, `-P`, `-g host:port`, `-m <matrix>`. */
export function pktgenArgv(spec: PktgenArgvSpec): string[] {
  if ((spec.eal.mainLcore ?? 0) !== 0) throw new ConfigError('pktgen: the main lcore must be lcore 0, the first of the list');
  if (!/^[A-Za-z0-9.:-]+$/.test(spec.socket.host)) throw new ConfigError(`pktgen socket host ${JSON.stringify(spec.socket.host)} is not a host name or address`);
  return [
    spec.binary,
    ...ealArgs(spec.eal),
    '--',
    ...(spec.promiscuous ? ['-P'] : []),
    '-g',
    `${spec.socket.host}:${spec.socket.port}`,
    '-m',
    spec.matrix,
    ...(spec.extra ?? []),
  ];
}
