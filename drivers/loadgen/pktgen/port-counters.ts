/**
 * pktgen's port counters as DPDK counts them, read LIVE from the telemetry socket of pktgen's own
 * process (`/ethdev/stats,N`). pktgen's Lua `portStats` is no use for a trial: it returns a snapshot its
 * stats timer takes once a second (app/pktgen-stats.c), so a read after stop is up to a second old, and
 * the start of sending (pktgen rebuilds its whole packet pool on every start: seconds on a shared CPU)
 * cannot be seen in it at all.
 */
import type { TelemetryClient } from '../../dpdk/telemetry.ts';

export interface PortCounters {
  readonly ipackets: number;
  readonly opackets: number;
  /** Packets the port failed to send (DPDK oerrors); pktgen itself retries a full ring. */
  readonly oerrors: number;
  /** Packets the port dropped on receive: no descriptor (imissed) or no buffer (rx_nombuf). */
  readonly rxDropped: number;
  /** Bytes sent (FCS not counted): what frame sizes went out, e.g. an IMIX's mean. */
  readonly obytes?: number | undefined;
}

/** Port id → counters. */
export type PortCountersByPort = ReadonlyMap<number, PortCounters>;

/** Where the session reads counters: live, any number of times. */
export interface PortCounterReader {
  read(ports: readonly number[]): Promise<PortCountersByPort>;
}

/** Counters from a DPDK telemetry client of pktgen's process. */
export function telemetryCounters(t: Pick<TelemetryClient, 'ethdevStats'>): PortCounterReader {
  return {
    async read(ports) {
      const stats = await Promise.all(ports.map((p) => t.ethdevStats(p)));
      return new Map(
        ports.map((p, i) => {
          const s = stats[i]!;
          return [p, { ipackets: s.ipackets, opackets: s.opackets, oerrors: s.oerrors, rxDropped: s.imissed + s.rx_nombuf, obytes: s.obytes }] as const;
        }),
      );
    },
  };
}
