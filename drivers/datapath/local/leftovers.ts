/**
 * What a run left on this machine: DPDK hugepage files and runtime directories of its prefixes,
 * its network namespaces, socket files, and processes still alive. Used by tests and the benchmark
 * to prove teardown, and to tell a user what to remove after a hard crash.
 */
import { runTagOf } from '../../dpdk/runtime.ts';
import type { Shell } from '../../shell/shell.ts';

export interface LeftoverQuery {
  readonly shell: Shell;
  readonly runId: string;
  /** Directories whose remaining entries count as left over (socket dir, runtime dir). */
  readonly dirs?: readonly string[];
  /** PIDs that must be gone. */
  readonly pids?: readonly number[];
  readonly hugepageDir?: string;
}

/** Everything of the run that is still there, one human-readable line each; empty when clean. */
export async function runLeftovers(q: LeftoverQuery): Promise<string[]> {
  const tag = `wsp-${runTagOf(q.runId)}-`;
  const found: string[] = [];
  const hp = await q.shell.exec(['find', q.hugepageDir ?? '/dev/hugepages', '-maxdepth', '1', '-name', `${tag}*`], { timeoutMs: 10_000 });
  for (const f of hp.stdout.split('\n').filter(Boolean)) found.push(`hugepage file ${f}`);
  const ns = await q.shell.exec(['ip', 'netns', 'list'], { timeoutMs: 10_000 });
  for (const line of ns.stdout.split('\n')) {
    const name = line.split(' ')[0];
    if (name && name.startsWith(tag)) found.push(`network namespace ${name}`);
  }
  for (const dir of q.dirs ?? []) {
    const r = await q.shell.exec(['find', dir, '-mindepth', '1'], { timeoutMs: 10_000 });
    if (r.exitCode === 0) for (const f of r.stdout.split('\n').filter(Boolean)) found.push(`file ${f}`);
  }
  for (const pid of q.pids ?? []) {
    const r = await q.shell.exec(['kill', '-0', String(pid)], { timeoutMs: 10_000 });
    if (r.exitCode === 0) found.push(`process ${pid}`);
  }
  return found;
}
