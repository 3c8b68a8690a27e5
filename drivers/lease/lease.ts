/**
 * A lease on one part of a lab (a host, a Kubernetes node): who holds it and how fresh its heartbeat is.
 * A run holds the lease of every part of its lab for its whole length, so that a second run waits or
 * stops instead of sharing CPUs, hugepages and ports with it. Stores (a file on the host, a
 * coordination.k8s.io Lease) offer create-if-absent and compare-and-swap; the policy (waiting, stale
 * takeover, heartbeats) is drivers/lease/reserve.ts.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Who holds a lease: the run and the process that runs it. */
export interface LeaseHolder {
  readonly runId: string;
  readonly lab: string;
  /** Host name of the machine running the wirespeed CLI that holds it. */
  readonly host: string;
  readonly pid: number;
  /** Start time of that process (field 22 of /proc/<pid>/stat), so that a reused pid is not taken for it. */
  readonly pidStart?: string;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  /** The holder's run directory on its host (its sockets and runtime files are swept from there). */
  readonly runDir?: string;
}

/** A lease as read from its store. */
export interface LeaseView {
  readonly holder: LeaseHolder;
  /** Seconds since the last heartbeat, by the store's clock (the node's, the API server's). */
  readonly ageS: number;
  /** Opaque version for compare-and-swap (file content, resourceVersion). */
  readonly version: string;
  /** The holder's own staleness bound when the store keeps one (a Lease's leaseDurationSeconds). */
  readonly staleAfterS?: number;
}

export type CreateResult = { readonly kind: 'created'; readonly view: LeaseView } | { readonly kind: 'held'; readonly view: LeaseView };
export type ReplaceResult = { readonly kind: 'replaced'; readonly view: LeaseView } | { readonly kind: 'changed'; readonly view: LeaseView | undefined };

/** One lease in its store. Every operation is atomic in the store. */
export interface LeaseSlot {
  /** For messages: "this machine", "node dut (root@10.0.0.2:22)", "Lease default/wirespeed-node-w0". */
  readonly where: string;
  /** The lease as it is, or undefined when nobody holds it. */
  read(): Promise<LeaseView | undefined>;
  /** Create the lease for `holder` unless one exists; else report the one there. */
  create(holder: LeaseHolder): Promise<CreateResult>;
  /** Replace the lease when it is still `expected` (takeover, heartbeat); else report what is there. */
  replace(expected: LeaseView, holder: LeaseHolder): Promise<ReplaceResult>;
  /** Remove the lease when it is still `expected`; leaves anyone else's alone. */
  release(expected: LeaseView): Promise<void>;
  /** Close connections the slot opened. */
  close(): Promise<void>;
}

/** Start time of a process in clock ticks since boot, or undefined when it is not running (or not Linux). */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The holder record of this process for run `runId`. */
export function thisHolder(runId: string, lab: string, runDir: string | undefined, now = new Date()): LeaseHolder {
  const pidStart = processStart(process.pid);
  return {
    runId,
    lab,
    host: hostname(),
    pid: process.pid,
    ...(pidStart === undefined ? {} : { pidStart }),
    startedAt: now.toISOString(),
    heartbeatAt: now.toISOString(),
    ...(runDir === undefined ? {} : { runDir }),
  };
}

/**
 * Why a lease may be taken over, or undefined while its holder looks alive: on this host its process is
 * gone (or its pid now belongs to another process); anywhere, no heartbeat for `staleAfterS`.
 */
export function staleReason(view: LeaseView, staleAfterS: number, here = hostname()): string | undefined {
  const h = view.holder;
  if (h.host === here) {
    const start = processStart(h.pid);
    if (start === undefined) return `its process ${h.pid} on ${h.host} is gone`;
    if (h.pidStart !== undefined && start !== h.pidStart) return `its process ${h.pid} on ${h.host} is gone (the pid now belongs to another process)`;
  }
  const bound = view.staleAfterS ?? staleAfterS;
  if (view.ageS > bound) return `no heartbeat for ${Math.round(view.ageS)} s (stale after ${bound} s)`;
  return undefined;
}

/** "run X (pid 123 on host h, since 20:10:03Z, heartbeat 4 s ago)". */
export function describeHolder(view: LeaseView): string {
  const h = view.holder;
  return `run ${h.runId} of lab ${h.lab} (pid ${h.pid} on host ${h.host}, since ${h.startedAt}, heartbeat ${Math.round(view.ageS)} s ago)`;
}

/** Parse a holder written by thisHolder(); undefined when it is not one. */
export function parseHolder(value: unknown): LeaseHolder | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const runId = str('runId');
  const lab = str('lab');
  const host = str('host');
  const startedAt = str('startedAt');
  const heartbeatAt = str('heartbeatAt');
  const pid = v['pid'];
  if (!runId || !lab || !host || !startedAt || !heartbeatAt || typeof pid !== 'number' || !Number.isInteger(pid)) return undefined;
  const pidStart = str('pidStart');
  const runDir = str('runDir');
  return { runId, lab, host, pid, ...(pidStart === undefined ? {} : { pidStart }), startedAt, heartbeatAt, ...(runDir === undefined ? {} : { runDir }) };
}
