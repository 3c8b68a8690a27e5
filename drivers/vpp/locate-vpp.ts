/**
 * Where this machine's VPP is, with its version, or why there is none (the skip reason of every VPP
 * test and scenario). In order: an install or build tree in WIRESPEED_VPP_PREFIX; the build that
 * cli/setup.d/40-vpp.sh made from WIRESPEED_VPP_SRC in the cache; `vpp` and `vppctl` on PATH; any
 * complete build in the cache (what a fresh clone, CI's included, finds without a variable).
 * It reads the file system only: nothing runs, so asking is cheap and safe in any test.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export const VPP_ENV = {
  prefix: 'WIRESPEED_VPP_PREFIX',
  src: 'WIRESPEED_VPP_SRC',
} as const;

/** A VPP this machine can run. */
export interface VppInstall {
  readonly vpp: string;
  readonly vppctl: string;
  /** The stats segment client, where the install has one. */
  readonly vppGetStats: string | undefined;
  /** Release as its libraries name it, e.g. "25.06" (the running VPP's `show version` is exact). */
  readonly version: string;
  /** The folder holding bin/ and lib/. */
  readonly prefix: string;
  readonly source: 'prefix' | 'path' | 'cache';
}

export type VppLocation = { readonly install: VppInstall } | { readonly absent: string };

export interface LocateOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Default ${XDG_CACHE_HOME:-$HOME/.cache}/wirespeed/vpp. */
  readonly cacheDir?: string;
}

/** The cache folder setup builds VPP into (shared by every clone on this machine). */
export function vppCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CACHE_HOME'] || join(env['HOME'] || homedir(), '.cache');
  return join(base, 'wirespeed', 'vpp');
}

const HOW_TO_GET =
  'build it once with `WIRESPEED_VPP_SRC=<VPP source tree> WIRESPEED_VPP_VERSION=v25.06 npm run setup` ' +
  '(about 20 min on 2 cores), or point WIRESPEED_VPP_PREFIX at an install (docs/local-lab.md, "VPP")';

/** Find VPP; never throws for an absent one (the reason says what was looked at and what to do). */
export function locateVpp(o: LocateOptions = {}): VppLocation {
  const env = o.env ?? process.env;
  const cacheDir = o.cacheDir ?? vppCacheDir(env);
  const prefix = env[VPP_ENV.prefix];
  if (prefix) {
    const inst = installAt(prefix, 'prefix');
    return inst ? { install: inst } : { absent: `${VPP_ENV.prefix}=${prefix} holds no bin/vpp and bin/vppctl with VPP's libraries (lib/**/libvppinfra.so.<version>)` };
  }
  const cached = newestCached(cacheDir);
  if (env[VPP_ENV.src] && cached) return { install: cached };
  const onPath = fromPath(env['PATH'] ?? '');
  if (onPath) return { install: onPath };
  if (cached) return { install: cached };
  return { absent: `VPP not found: no vpp and vppctl on PATH, ${VPP_ENV.prefix} unset, no complete build in ${cacheDir}; ${HOW_TO_GET}` };
}

function fromPath(pathVar: string): VppInstall | undefined {
  for (const dir of pathVar.split(delimiter).filter(Boolean)) {
    const vpp = join(dir, 'vpp');
    if (!isFile(vpp) || !isFile(join(dir, 'vppctl'))) continue;
    // /usr/bin/vpp -> /usr: the libraries sit beside bin/ as in any install.
    return installAt(dirname(dirname(realpathSync(vpp))), 'path');
  }
  return undefined;
}

/** Complete builds (setup writes wirespeed-vpp.env last), newest first. */
function newestCached(cacheDir: string): VppInstall | undefined {
  let entries: string[];
  try {
    entries = readdirSync(cacheDir);
  } catch {
    return undefined;
  }
  const complete = entries
    .filter((e) => !e.startsWith('.'))
    .map((e) => ({ dir: join(cacheDir, e), marker: join(cacheDir, e, 'wirespeed-vpp.env') }))
    .filter((e) => isFile(e.marker))
    .sort((a, b) => statSync(b.marker).mtimeMs - statSync(a.marker).mtimeMs);
  for (const e of complete) {
    const inst = installAt(e.dir, 'cache');
    if (inst) return inst;
  }
  return undefined;
}

function installAt(prefix: string, source: VppInstall['source']): VppInstall | undefined {
  const vpp = join(prefix, 'bin', 'vpp');
  const vppctl = join(prefix, 'bin', 'vppctl');
  if (!isFile(vpp) || !isFile(vppctl)) return undefined;
  const version = libraryVersion(prefix);
  if (version === undefined) return undefined;
  const getStats = join(prefix, 'bin', 'vpp_get_stats');
  return { vpp, vppctl, vppGetStats: isFile(getStats) ? getStats : undefined, version, prefix, source };
}

/** VPP names its libraries by release: lib/<triplet>/libvppinfra.so.25.06 (install and build trees alike). */
function libraryVersion(prefix: string): string | undefined {
  const lib = join(prefix, 'lib');
  const dirs = [lib, ...subdirs(lib)];
  for (const d of dirs) {
    for (const f of safeReaddir(d)) {
      const m = /^libvppinfra\.so\.(\d+\.\d+(?:\.\d+)?)$/.exec(f);
      if (m) return m[1]!;
    }
  }
  return undefined;
}

function subdirs(dir: string): string[] {
  return safeReaddir(dir)
    .map((e) => join(dir, e))
    .filter((p) => {
      try {
        return statSync(p).isDirectory();
      } catch {
        return false;
      }
    });
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isFile(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The settings setup recorded beside a cached build (version string, stamp, source), for records. */
export function cachedBuildInfo(inst: VppInstall): Readonly<Record<string, string>> {
  if (inst.source !== 'cache') return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(join(inst.prefix, 'wirespeed-vpp.env'), 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}
