/**
 * Where pktgen-dpdk is on a node, in the order setup (cli/setup.d/30-pktgen.sh) documents:
 *  1. an install tree named by WIRESPEED_PKTGEN_PREFIX (`<prefix>/bin/pktgen`): an explicit choice wins;
 *  2. `pktgen` on PATH;
 *  3. the newest build setup made from WIRESPEED_PKTGEN_SRC in the cache
 *     (`${XDG_CACHE_HOME:-$HOME/.cache}/wirespeed/pktgen/<version>-<stamp>/bin/pktgen`).
 * The answer is the binary with its version, or the reason pktgen is absent: every pktgen test and
 * scenario skips with that reason. It runs through a Shell, so it looks on the generator node.
 */
import { posix as path } from 'node:path';
import type { Shell } from '../../shell/shell.ts';
import { checkSupported, parsePktgenVersion, pktgenFeatures, type PktgenVersion } from './pktgen-version.ts';

export type PktgenSource = 'WIRESPEED_PKTGEN_PREFIX' | 'PATH' | 'cache';

export type PktgenLocation =
  | { readonly kind: 'found'; readonly binary: string; readonly version: PktgenVersion; readonly source: PktgenSource }
  | { readonly kind: 'absent'; readonly reason: string };

export interface LocateOptions {
  /** Environment of the lookup (default process.env): WIRESPEED_PKTGEN_PREFIX, XDG_CACHE_HOME, HOME. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The cache directory setup builds into. */
export function pktgenCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  const base = env['XDG_CACHE_HOME'] || path.join(env['HOME'] || '/root', '.cache');
  return path.join(base, 'wirespeed', 'pktgen');
}

const HOW_TO = 'build it with `WIRESPEED_PKTGEN_SRC=/path/to/Pktgen-DPDK npm run setup` (23.06.1 builds against Debian 12\'s DPDK 22.11; docs/hardware.md)';

/** Find pktgen on the node of `shell`. Never throws for a missing or unusable pktgen: that is an answer. */
export async function locatePktgen(shell: Shell, o: LocateOptions = {}): Promise<PktgenLocation> {
  const env = o.env ?? process.env;
  const prefix = env['WIRESPEED_PKTGEN_PREFIX'];
  if (prefix) {
    const binary = path.join(prefix, 'bin', 'pktgen');
    if (!(await isExecutable(shell, binary))) {
      return { kind: 'absent', reason: `WIRESPEED_PKTGEN_PREFIX=${prefix} has no executable bin/pktgen on ${shell.name}: point it at a pktgen install prefix, or unset it` };
    }
    return describe(shell, binary, 'WIRESPEED_PKTGEN_PREFIX');
  }
  const onPath = await shell.exec(['sh', '-c', 'command -v pktgen'], { timeoutMs: 10_000, ...(env['PATH'] ? { env: { PATH: env['PATH'] } } : {}) });
  const pathBinary = onPath.stdout.trim();
  if (onPath.exitCode === 0 && pathBinary.startsWith('/')) return describe(shell, pathBinary, 'PATH');

  const cache = pktgenCacheDir(env);
  // A build is renamed into place only when complete, so every bin/pktgen found here is whole.
  const found = await shell.exec(['find', cache, '-mindepth', '3', '-maxdepth', '3', '-path', '*/bin/pktgen', '-perm', '-u+x'], { timeoutMs: 10_000 });
  const builds = found.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((binary) => ({ binary, dir: path.basename(path.dirname(path.dirname(binary))) }))
    .filter((b) => /^\d+\.\d+\.\d+-[0-9a-f]+$/.test(b.dir))
    .sort((a, b) => compareDirs(b.dir, a.dir));
  const newest = builds[0];
  if (newest) return describe(shell, newest.binary, 'cache');
  return { kind: 'absent', reason: `pktgen-dpdk is not installed on ${shell.name} (not on PATH, WIRESPEED_PKTGEN_PREFIX unset, no build in ${cache}): ${HOW_TO}` };
}

/**
 * Find pktgen on another node (the bare-metal generator node): the same lookup, in the node's own
 * environment (its HOME, cache directory, PATH and WIRESPEED_PKTGEN_PREFIX, as its shell sees them),
 * not this machine's.
 */
export async function locatePktgenOnNode(shell: Shell): Promise<PktgenLocation> {
  const names = ['HOME', 'XDG_CACHE_HOME', 'WIRESPEED_PKTGEN_PREFIX', 'PATH'] as const;
  const r = await shell.exec(['sh', '-c', `printf '%s\\n' ${names.map((n) => `"\${${n}-}"`).join(' ')}`], { timeoutMs: 10_000 });
  const values = r.exitCode === 0 ? r.stdout.split('\n') : [];
  const env: Record<string, string | undefined> = {};
  names.forEach((n, i) => {
    const v = values[i];
    if (v) env[n] = v;
  });
  return locatePktgen(shell, { env });
}

/** The version and Lua support of a binary, from its strings (running it needs EAL, hugepages and a terminal). */
async function describe(shell: Shell, binary: string, source: PktgenSource): Promise<PktgenLocation> {
  // The version string is compiled in as "Pktgen <version>" (app/pktgen-version.h); the Lua library
  // registers "Pktgen_Version" only when built with -Denable_lua=true, which the socket needs.
  const r = await shell.exec(['grep', '-a', '-o', '-E', '-e', 'Pktgen [0-9]+\\.[0-9]+\\.[0-9]+', '-e', 'Pktgen_Version', binary], { timeoutMs: 30_000 });
  const hits = new Set(r.stdout.split('\n').filter(Boolean));
  const versionText = [...hits].find((h) => h.startsWith('Pktgen '));
  if (!versionText) return { kind: 'absent', reason: `${binary} (${source}) shows no "Pktgen <version>" string: is it pktgen-dpdk?` };
  const version = parsePktgenVersion(versionText);
  if (!hits.has('Pktgen_Version')) {
    return { kind: 'absent', reason: `${binary} (${source}, pktgen ${version.text}) was built without Lua: rebuild with meson -Denable_lua=true (or ${HOW_TO})` };
  }
  try {
    checkSupported(pktgenFeatures(version), binary);
  } catch (e) {
    return { kind: 'absent', reason: `${binary} (${source}): ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
  return { kind: 'found', binary, version, source };
}

async function isExecutable(shell: Shell, file: string): Promise<boolean> {
  const r = await shell.exec(['test', '-x', file], { timeoutMs: 10_000 });
  return r.exitCode === 0;
}

/** Order cache directories `<version>-<stamp>` by version. */
function compareDirs(a: string, b: string): number {
  const va = parsePktgenVersion(a);
  const vb = parsePktgenVersion(b);
  return va.major - vb.major || va.minor - vb.minor || va.patch - vb.patch || a.localeCompare(b);
}

/** One line for logs and skip reasons: "pktgen 23.06.1 (/root/.cache/…/bin/pktgen, cache)". */
export function describeLocation(l: PktgenLocation): string {
  return l.kind === 'found' ? `pktgen ${l.version.text} (${l.binary}, ${l.source})` : `pktgen absent: ${l.reason}`;
}
