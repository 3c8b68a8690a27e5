/**
 * What each pktgen-dpdk version offers the driver, read from upstream's source at its tags
 * (github.com/pktgen/Pktgen-DPDK; docs/hardware.md has the table for users):
 *  - the Lua socket: `lua_start_socket()` is missing from app/pktgen-main.c in 24.05.1 … 24.07.0;
 *  - portStats: `portStats(pl, "port"|"rate")` with flat counters up to 25.08, `portStats(pl)` with
 *    `{curr=…, sizes=…, qstats=…}` from 26.02 (app/lpktgenlib.c);
 *  - pktStats (min/avg/max latency): up to 25.08, removed in 26.02. The latency sampler
 *    (`latsampler_params`, `latsampler`: one sample per stamped packet, written to a file) is in every
 *    version from 23.03, so latency histograms do not depend on pktStats;
 *  - `pktgen.latency(pl, "rate", us)`: from 23.06; 23.03 takes two arguments only (enable/disable), so its
 *    stamp rate stays at the default 100 a second;
 *  - `-m`: a port list after the lcores (`1.[0-1]`: one lcore serves both ports) up to 24.05.0; from
 *    24.05.1 (app/l2p.c) one port per lcore ("Err: lcore N already in use"), so two ports need two
 *    lcores, which `--lcores` may still put on one CPU.
 *  - DPDK: 23.06.1 and older build against DPDK 22.11; 23.10 and later need DPDK 23.11.
 * The version string pktgen reports (`pktgen.info.Pktgen_Version`) is "Pktgen 23.06.1".
 */
import { ProvisionError } from '../../../core/errors.ts';

export interface PktgenVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** "23.06.1" */
  readonly text: string;
}

/** Parse "Pktgen 23.06.1", "23.06.1" or "pktgen-24.10.3"; ProvisionError when there is no version in it. */
export function parsePktgenVersion(text: string): PktgenVersion {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!m) {
    throw new ProvisionError(`cannot read a pktgen version from ${JSON.stringify(text.slice(0, 80))}`, {
      where: 'pktgen version',
      hint: 'pktgen.info.Pktgen_Version should read like "Pktgen 23.06.1"',
    });
  }
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return { major, minor, patch, text: `${m[1]}.${m[2]}.${m[3]}` };
}

/** -1, 0, 1 as a is older, equal, newer than b. */
export function compareVersions(a: PktgenVersion, b: PktgenVersion): number {
  return Math.sign(a.major - b.major || a.minor - b.minor || a.patch - b.patch);
}

const v = (text: string) => parsePktgenVersion(text);
const between = (x: PktgenVersion, lo: string, hi: string) => compareVersions(x, v(lo)) >= 0 && compareVersions(x, v(hi)) <= 0;
const atLeast = (x: PktgenVersion, lo: string) => compareVersions(x, v(lo)) >= 0;

/** The shape of `portStats`. */
export type PortStatsApi = 'flat' | 'nested';

export interface PktgenFeatures {
  readonly version: PktgenVersion;
  /** Why the Lua socket is missing, or null when the version has one. */
  readonly noSocket: string | null;
  readonly portStats: PortStatsApi;
  /** `pktStats(pl)` with `latency = {min_us, avg_us, max_us, num_pkts …}`. */
  readonly pktStats: boolean;
  /** `pktgen.latency(pl, "rate", us)` sets the stamp rate (23.06 and later). */
  readonly latencyRate: boolean;
  /** `-m` takes a port list (`1.[0-1]`): one lcore may serve several ports. */
  readonly matrixPortLists: boolean;
}

/** The features of a version (upstream facts, see the header). */
export function pktgenFeatures(version: PktgenVersion): PktgenFeatures {
  return {
    version,
    noSocket: between(version, '24.05.1', '24.07.0')
      ? `pktgen ${version.text} has no Lua socket (removed in 24.05.1, back in 24.07.1): use 24.07.1 or later, or 24.05.0 and earlier`
      : null,
    portStats: atLeast(version, '26.02.0') ? 'nested' : 'flat',
    pktStats: !atLeast(version, '26.02.0'),
    latencyRate: atLeast(version, '23.06.0'),
    matrixPortLists: !atLeast(version, '24.05.1'),
  };
}

/** The oldest version the driver is tested against (the Lua API it uses exists from here on). */
export const OLDEST_SUPPORTED = '23.03.0';

/** Throws ProvisionError for a version the driver cannot drive. */
export function checkSupported(f: PktgenFeatures, where: string): void {
  if (f.noSocket) throw new ProvisionError(f.noSocket, { where, hint: 'the driver talks to pktgen only over its Lua socket' });
  if (!atLeast(f.version, OLDEST_SUPPORTED)) {
    throw new ProvisionError(`pktgen ${f.version.text} is older than ${OLDEST_SUPPORTED}, the oldest version wirespeed drives`, {
      where,
      hint: 'build 23.06.1 (WIRESPEED_PKTGEN_SRC=… npm run setup) or install a newer pktgen',
    });
  }
}
