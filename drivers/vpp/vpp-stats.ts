/**
 * A running VPP's counters from its stats segment (`vpp_get_stats socket-name <stats.sock> dump ...`, no
 * CLI round trip through the main thread), or from `show interface` and `show errors` where the install
 * has no vpp_get_stats. The DUT's drops are attributed by cause: rx-miss (the interface's receive ring
 * overflowed), tx-error (the transmit ring was full), no-route (IPv4 lookup found no route), other.
 */
import type { DutTrialCounters } from '../../method/trial.ts';
import type { Shell } from '../shell/shell.ts';
import { errorCounters, interfaceCounters, parseGetStatsDump, type InterfaceCounters } from './parse-get-stats.ts';
import { parseShowErrors } from './parse-show-errors.ts';
import type { VppInstall } from './locate-vpp.ts';
import type { RunningVpp } from './start-vpp.ts';

/** Everything VPP counted so far. */
export interface VppCounterSnapshot {
  /** Interfaces other than local0, by name. */
  readonly interfaces: readonly InterfaceCounters[];
  /** Error counters by `<node>/<reason>`, summed over threads, non-zero only. */
  readonly errors: ReadonlyMap<string, number>;
}

/**
 * Error counters that mean "no route". Measured on v25.06: a packet whose lookup ends on the default
 * route's drop (`ip route del` of its prefix) passes ip4-drop with no error code set, and VPP counts it
 * under error 0, `null-node/blackholed packets` (also where a blackhole route drops on purpose).
 */
const NO_ROUTE = /^null-node\/blackholed packets$/;

export interface VppStatsReader {
  snapshot(): Promise<VppCounterSnapshot>;
  /** The snapshot summed into the trial record's DUT counters (cumulative; subtract two for a trial). */
  dutCounters(): Promise<DutTrialCounters>;
}

/** Read the counters of `vpp` with the install's vpp_get_stats, or its CLI. */
export function vppStatsReader(shell: Shell, vpp: Pick<RunningVpp, 'statsSocket' | 'vppctl'>, install: Pick<VppInstall, 'vppGetStats'>): VppStatsReader {
  const snapshot = async (): Promise<VppCounterSnapshot> => {
    if (install.vppGetStats) {
      const r = await shell.run([install.vppGetStats, 'socket-name', vpp.statsSocket, 'dump', '^/if/', '^/err/'], { timeoutMs: 10_000 });
      const lines = parseGetStatsDump(r.stdout);
      return { interfaces: [...interfaceCounters(lines).values()].filter((i) => i.name !== 'local0'), errors: errorCounters(lines) };
    }
    const ifs = await vpp.vppctl.showInt();
    const errs = parseShowErrors(await vpp.vppctl.show('errors'));
    const errors = new Map<string, number>();
    for (const e of errs) if (e.count > 0) errors.set(`${e.node}/${e.reason}`, (errors.get(`${e.node}/${e.reason}`) ?? 0) + e.count);
    return {
      interfaces: ifs
        .filter((i) => i.name !== 'local0')
        .map((i) => ({
          name: i.name,
          rxPackets: i.counters['rx packets'] ?? 0,
          rxBytes: i.counters['rx bytes'] ?? 0,
          txPackets: i.counters['tx packets'] ?? 0,
          txBytes: i.counters['tx bytes'] ?? 0,
          drops: i.counters['drops'] ?? 0,
          rxMiss: i.counters['rx-miss'] ?? 0,
          txError: i.counters['tx-error'] ?? 0,
        })),
      errors,
    };
  };
  return {
    snapshot,
    async dutCounters(): Promise<DutTrialCounters> {
      return dutCountersOf(await snapshot(), install.vppGetStats ? 'vpp stats segment' : 'vpp show interface/errors');
    },
  };
}

/** Sum a snapshot into the record's DUT counters: packets in and out, drops by cause. */
export function dutCountersOf(s: VppCounterSnapshot, source: string): DutTrialCounters {
  const sum = (k: 'rxPackets' | 'txPackets' | 'drops' | 'rxMiss' | 'txError') => s.interfaces.reduce((n, i) => n + i[k], 0);
  let noRoute = 0;
  const detail: Record<string, number> = {};
  for (const [name, n] of s.errors) {
    detail[name] = n;
    if (NO_ROUTE.test(name)) noRoute += n;
  }
  // Packets VPP dropped on an interface's receive path land in its drops counter, those without a route among them.
  const other = Math.max(0, sum('drops') - noRoute);
  return {
    source,
    rxPackets: sum('rxPackets'),
    txPackets: sum('txPackets'),
    drops: { rxMiss: sum('rxMiss'), txError: sum('txError'), noRoute, other },
    detail,
  };
}
