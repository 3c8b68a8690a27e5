/**
 * A per-run DPDK runtime: every DPDK process of a run gets a file prefix derived from the run id and
 * its role, and keeps its runtime files (telemetry and multi-process sockets, config) under the run
 * directory instead of /var/run/dpdk, via EAL's `RUNTIME_DIRECTORY`. Cleaning up a prefix removes its
 * hugepage files (EAL leaves them behind, also after a clean exit) and its runtime directory.
 */
import { createHash } from 'node:crypto';
import { posix as path } from 'node:path';
import { CommandFailedError, ConfigError } from '../../core/errors.ts';
import type { Shell } from '../shell/shell.ts';
import { FILE_PREFIX_PATTERN } from './eal.ts';

/** Longest AF_UNIX socket path (sun_path is 108 bytes with the terminating NUL). */
export const MAX_SOCKET_PATH = 107;
export const DEFAULT_HUGEPAGE_DIR = '/dev/hugepages';

export interface DpdkRuntimeOptions {
  readonly shell: Shell;
  /** The run's directory (e.g. results/<run-id>); the runtime directory goes under it. */
  readonly runDir: string;
  readonly runId: string;
  /** Where hugetlbfs is mounted (default /dev/hugepages). */
  readonly hugepageDir?: string;
}

export interface DpdkRuntime {
  readonly runId: string;
  /** `RUNTIME_DIRECTORY` of every DPDK process of the run: `<runDir>/rt`. */
  readonly runtimeDir: string;
  readonly hugepageDir: string;
  /** Environment to start a DPDK process with (sets RUNTIME_DIRECTORY). */
  env(): Record<string, string>;
  /** File prefix for a role (`gen`, `dut`): `wsp-<run>-<role>`; the same role always gives the same prefix. */
  prefix(role: string): string;
  /** `<runtimeDir>/dpdk/<prefix>`: the runtime files of one process. */
  prefixDir(prefix: string): string;
  /** The DPDK telemetry socket of a process with this prefix. */
  telemetrySocket(prefix: string): string;
  /** Create the runtime directory (EAL creates only the levels below it). */
  prepare(): Promise<void>;
  /** What a prefix has left on disk: hugepage files and its runtime directory, as paths. */
  leftovers(prefix: string): Promise<string[]>;
  /** Remove a prefix's hugepage files and runtime directory. Call it once the process has exited. */
  cleanupPrefix(prefix: string): Promise<void>;
  /** Clean up every prefix handed out, then remove the runtime directory. */
  cleanup(): Promise<void>;
}

/** A DPDK runtime for one run. Throws ConfigError when the run dir makes socket paths too long. */
export function createDpdkRuntime(opts: DpdkRuntimeOptions): DpdkRuntime {
  const { shell } = opts;
  const runtimeDir = path.resolve(opts.runDir, 'rt');
  const hugepageDir = opts.hugepageDir ?? DEFAULT_HUGEPAGE_DIR;
  const runTag = runTagOf(opts.runId);
  const handedOut = new Set<string>();
  const where = `DPDK runtime of run ${opts.runId} on ${shell.name}`;

  const checkPrefix = (prefix: string): void => {
    if (!FILE_PREFIX_PATTERN.test(prefix)) {
      throw new ConfigError(`file prefix ${JSON.stringify(prefix)} is not usable`, {
        where,
        hint: 'use 1-64 letters, digits, "-" or "_" (it becomes file names and a glob)',
      });
    }
  };
  const prefixDir = (prefix: string): string => {
    checkPrefix(prefix);
    return path.join(runtimeDir, 'dpdk', prefix);
  };
  const telemetrySocket = (prefix: string): string => path.join(prefixDir(prefix), 'dpdk_telemetry.v2');

  const exec = async (argv: string[]): Promise<string> => {
    const r = await shell.exec(argv, { timeoutMs: 15_000 });
    if (r.exitCode !== 0) {
      throw new CommandFailedError({
        host: shell.name,
        command: argv.join(' '),
        exitCode: r.exitCode,
        signal: r.signal,
        stdout: r.stdout,
        stderr: r.stderr,
        hint: 'check permissions on the hugepage mount and the run directory',
      });
    }
    return r.stdout;
  };
  const hugepageFiles = async (prefix: string): Promise<string[]> => {
    checkPrefix(prefix);
    // find -name with a checked prefix needs no shell, so nothing here is shell-quoted.
    const out = await exec(['find', hugepageDir, '-maxdepth', '1', '-name', `${prefix}map_*`]);
    return out.split('\n').filter((l) => l.length > 0);
  };

  const runtime: DpdkRuntime = {
    runId: opts.runId,
    runtimeDir,
    hugepageDir,
    env: () => ({ RUNTIME_DIRECTORY: runtimeDir }),
    prefix(role: string): string {
      if (!/^[a-z0-9][a-z0-9-]{0,15}$/.test(role)) {
        throw new ConfigError(`DPDK role ${JSON.stringify(role)} is not usable in a file prefix`, {
          where,
          hint: 'use 1-16 lowercase letters, digits or "-", e.g. "gen", "dut"',
        });
      }
      const prefix = `wsp-${runTag}-${role}`;
      const socket = telemetrySocket(prefix);
      if (socket.length > MAX_SOCKET_PATH) {
        throw new ConfigError(`the telemetry socket path would be ${socket.length} characters, above the ${MAX_SOCKET_PATH} a unix socket allows: ${socket}`, {
          where,
          hint: 'use a shorter run directory',
        });
      }
      handedOut.add(prefix);
      return prefix;
    },
    prefixDir,
    telemetrySocket,
    async prepare(): Promise<void> {
      await exec(['mkdir', '-p', runtimeDir]);
    },
    async leftovers(prefix: string): Promise<string[]> {
      const files = await hugepageFiles(prefix);
      const dir = prefixDir(prefix);
      const r = await shell.exec(['test', '-e', dir], { timeoutMs: 15_000 });
      return r.exitCode === 0 ? [...files, dir] : files;
    },
    async cleanupPrefix(prefix: string): Promise<void> {
      checkPrefix(prefix);
      await exec(['find', hugepageDir, '-maxdepth', '1', '-name', `${prefix}map_*`, '-delete']);
      await exec(['rm', '-rf', '--', prefixDir(prefix)]);
    },
    async cleanup(): Promise<void> {
      const errors: unknown[] = [];
      for (const prefix of handedOut) {
        try {
          await runtime.cleanupPrefix(prefix);
        } catch (err) {
          errors.push(err);
        }
      }
      await exec(['rm', '-rf', '--', runtimeDir]);
      if (errors.length > 0) throw errors[0];
    },
  };
  return runtime;
}

/** A short, file-name-safe tag for a run id: itself when short and clean, else a readable head plus a hash. */
export function runTagOf(runId: string): string {
  const clean = runId.toLowerCase().replace(/[^a-z0-9]+/g, '');
  if (clean.length > 0 && clean.length <= 20 && clean === runId.toLowerCase()) return clean;
  const hash = createHash('sha256').update(runId).digest('hex').slice(0, 8);
  return `${clean.slice(0, 12)}${hash}`;
}
