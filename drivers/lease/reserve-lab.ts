/**
 * What a run does to hold its lab: take the lease of every part (drivers/lease/reserve.ts) and, for each
 * stale lease it took over, sweep what that dead run left on the part (its processes, namespaces,
 * hugepage files, DPDK runtime directories and sockets on a host; its labelled objects in a cluster),
 * recording each thing removed. The reservation owns `lab` (its shells) and closes it on release.
 */
import type { Lab } from '../../lab/model.ts';
import { sweepLines, sweepRunOn, type SweepTarget } from '../host/sweep-run.ts';
import { Cluster } from '../kubernetes/cluster.ts';
import { localShell } from '../shell/local.ts';
import { nodeShells, type NodeShells } from '../shell/node-shells.ts';
import { labLeaseSlots } from './lab-slots.ts';
import { thisHolder, type LeaseHolder } from './lease.ts';
import { DEFAULT_STALE_AFTER_S, reserveLab, type LabReservation, type TakenOver } from './reserve.ts';

export interface RunReservationOptions {
  readonly runId: string;
  /** The run directory (absolute): other runs sweep its sockets from there if this one dies. */
  readonly runDir: string;
  readonly waitForLabMs: number;
  readonly staleAfterS?: number;
  readonly heartbeatMs?: number;
  /** Lease directory on hosts (default /run/wirespeed). */
  readonly leaseDir?: string;
  readonly print?: (line: string) => void;
  readonly onLost?: (why: string) => void;
}

/** A stale lease taken over, with what its run left and this run removed. */
export interface Takeover extends TakenOver {
  readonly swept: readonly string[];
  /** Set when sweeping failed: what is left is named in it. */
  readonly sweepError?: string;
}

export interface RunReservation extends AsyncDisposable {
  readonly reservation: LabReservation;
  readonly takeovers: readonly Takeover[];
  release(): Promise<void>;
}

/** Hold `lab` for run `runId`; sweeps after takeovers are done before this returns. */
export async function reserveRunLab(lab: Lab, opts: RunReservationOptions): Promise<RunReservation> {
  const print = opts.print ?? (() => {});
  const staleAfterS = opts.staleAfterS ?? DEFAULT_STALE_AFTER_S;
  // The reservation's own shells to the lab's hosts (lease files, sweeps); closed by its release.
  const shells = nodeShells(lab);
  let reservation: LabReservation;
  try {
    const slots = await labLeaseSlots(lab, shells, { staleAfterS, ...(opts.leaseDir === undefined ? {} : { dir: opts.leaseDir }) });
    reservation = await reserveLab(slots, {
      lab: lab.name,
      holder: thisHolder(opts.runId, lab.name, opts.runDir),
      waitForLabMs: opts.waitForLabMs,
      staleAfterS,
      ...(opts.heartbeatMs === undefined ? {} : { heartbeatMs: opts.heartbeatMs }),
      print,
      ...(opts.onLost === undefined ? {} : { onLost: opts.onLost }),
    });
  } catch (err) {
    await shells.close();
    throw err;
  }
  const takeovers: Takeover[] = [];
  const sweptClusterRuns = new Set<string>();
  for (const t of reservation.tookOver) {
    try {
      const swept = await sweepPart(lab, shells, t, sweptClusterRuns);
      takeovers.push({ ...t, swept });
      print(`swept what run ${t.previous.runId} left at ${t.where}: ${swept.length ? swept.join('; ') : 'nothing'}`);
    } catch (err) {
      const why = (err as Error).message.split('\n')[0] ?? String(err);
      takeovers.push({ ...t, swept: [], sweepError: why });
      print(`warning: could not sweep what run ${t.previous.runId} left at ${t.where}: ${why}`);
    }
  }
  let released: Promise<void> | undefined;
  const release = (): Promise<void> => (released ??= reservation.release().finally(() => shells.close()));
  return { reservation, takeovers, release, [Symbol.asyncDispose]: release };
}

async function sweepPart(lab: Lab, shells: NodeShells, t: TakenOver, clusterRuns: Set<string>): Promise<string[]> {
  const previous = t.previous;
  const target = { runId: previous.runId, ...(previous.runDir === undefined ? {} : { runDir: previous.runDir }) };
  switch (lab.kind) {
    case 'local':
      return sweepLines(await sweepRunOn(localShell(), target));
    case 'baremetal': {
      // The part's nodes are named in `where`; they share one host, so one node's shell reaches it.
      const node = lab.nodes.find((n) => t.where.endsWith(`(${n.host})`));
      if (!node) return [];
      return sweepLines(await sweepRunOn(await shells.of(node), target));
    }
    case 'kubernetes': {
      if (t.where === 'this machine') return sweepLines(await sweepRunOn(localShell(), target));
      if (!lab.cluster || clusterRuns.has(previous.runId)) return [];
      clusterRuns.add(previous.runId);
      // wirespeed deletes cluster objects by the uids a run recorded, never by label: name what is left.
      const left = await (await Cluster.fromLab(lab.cluster, previous.runId)).leftovers();
      if (left.length) {
        throw new Error(
          `${left.length} object(s) of run ${previous.runId} remain in the cluster (${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''}); ` +
            `their uids are in ${previous.runDir ?? 'its run directory'}/kubernetes-objects.jsonl`,
        );
      }
      return [];
    }
    default: {
      const never: never = lab.kind;
      throw new Error(`unhandled lab kind ${String(never)}`);
    }
  }
}

/**
 * Sweep run `target.runId` on every host of `lab` (this machine for local and fake-cluster labs, each
 * bare-metal host over its shell); lines name the host. For the watchdog of a CLI that died.
 */
export async function sweepRunEverywhere(lab: Lab, target: SweepTarget): Promise<string[]> {
  await using shells = nodeShells(lab);
  const out: string[] = [];
  const local = sweepLines(await sweepRunOn(localShell(), target));
  out.push(...local.map((l) => `this machine: ${l}`));
  if (lab.kind === 'baremetal') {
    const seen = new Set<string>();
    for (const node of lab.nodes) {
      if (seen.has(node.host) || node.host === 'local') continue;
      seen.add(node.host);
      const lines = sweepLines(await sweepRunOn(await shells.of(node), { runId: target.runId }));
      out.push(...lines.map((l) => `${node.name} (${node.host}): ${l}`));
    }
  }
  return out;
}

/** Give back the leases `holder` (a run whose CLI died) still holds on `lab`; returns where. */
export async function releaseLeasesOf(lab: Lab, holder: Pick<LeaseHolder, 'runId' | 'pid' | 'host'>, opts: { leaseDir?: string; staleAfterS?: number } = {}): Promise<string[]> {
  await using shells = nodeShells(lab);
  const slots = await labLeaseSlots(lab, shells, { staleAfterS: opts.staleAfterS ?? DEFAULT_STALE_AFTER_S, ...(opts.leaseDir === undefined ? {} : { dir: opts.leaseDir }) });
  const released: string[] = [];
  try {
    for (const slot of slots) {
      const view = await slot.read();
      if (!view || view.holder.runId !== holder.runId || view.holder.pid !== holder.pid || view.holder.host !== holder.host) continue;
      await slot.release(view);
      released.push(slot.where);
    }
  } finally {
    await Promise.allSettled(slots.map((s) => s.close()));
  }
  return released;
}
