/**
 * A run holds its lab: the lease of every part of it (each host, each Kubernetes node) from before the
 * first process starts until after the last is swept. A second run waits up to its --wait-for-lab
 * bound, printing who holds the lab, or stops with a LabBusyError (exit 3) naming the holder. A lease
 * whose holder is gone (its process, when it ran on this host) or silent (no heartbeat within
 * staleAfterS) is taken over with a warning, and the caller sweeps what that run left.
 *
 * Leases are taken in one order (by where) and all-or-none: a run that finds one part held gives back
 * what it took before waiting, so two runs never hold half a lab each.
 * The reservation is a started thing with one release verb (and `await using`), like a datapath.
 */
import { WirespeedError } from '../../core/errors.ts';
import { describeHolder, staleReason, type LeaseHolder, type LeaseSlot, type LeaseView } from './lease.ts';

/** A lab another run holds; its severity is the lab's (exit 3). */
export class LabBusyError extends WirespeedError {
  readonly severity = 'lab' as const;
  readonly holder: LeaseHolder;
  constructor(what: string, holder: LeaseHolder, ctx: { where: string; hint: string }) {
    super(what, ctx);
    this.holder = holder;
  }
}

/** A stale lease this run took over: whose it was, why it was stale. */
export interface TakenOver {
  readonly where: string;
  readonly previous: LeaseHolder;
  readonly reason: string;
}

export interface ReserveOptions {
  readonly lab: string;
  /** This run's holder record (thisHolder()). */
  readonly holder: LeaseHolder;
  /** How long to wait for a held lab (0: not at all). */
  readonly waitForLabMs: number;
  /** A lease without heartbeat this long is stale (default 60 s). */
  readonly staleAfterS?: number;
  /** Heartbeat period (default 10 s). */
  readonly heartbeatMs?: number;
  /** Poll period while waiting (default 2 s). */
  readonly pollMs?: number;
  /** Lines for people: waiting, takeovers. */
  readonly print?: (line: string) => void;
  /** Called once when a heartbeat finds the lease taken by someone else or gone. */
  readonly onLost?: (why: string) => void;
}

export interface LabReservation extends AsyncDisposable {
  readonly holder: LeaseHolder;
  /** Where each lease is held. */
  readonly where: readonly string[];
  readonly tookOver: readonly TakenOver[];
  /** Why the reservation was lost, once a heartbeat found it so. */
  lost(): string | undefined;
  /** Stop the heartbeat, give every lease back and close the stores. Idempotent. */
  release(): Promise<void>;
}

export const DEFAULT_STALE_AFTER_S = 60;
export const DEFAULT_HEARTBEAT_MS = 10_000;

interface Held {
  slot: LeaseSlot;
  view: LeaseView;
}

type TryResult = { kind: 'acquired'; held: Held; tookOver?: TakenOver } | { kind: 'held'; slot: LeaseSlot; view: LeaseView };

async function tryAcquire(slot: LeaseSlot, holder: LeaseHolder, staleAfterS: number): Promise<TryResult> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const created = await slot.create(holder);
    if (created.kind === 'created') return { kind: 'acquired', held: { slot, view: created.view } };
    const view = created.view;
    // Our own run already holds it (two lab parts on one store): share it.
    if (view.holder.runId === holder.runId && view.holder.pid === holder.pid && view.holder.host === holder.host) {
      return { kind: 'acquired', held: { slot, view } };
    }
    const reason = staleReason(view, staleAfterS);
    if (!reason) return { kind: 'held', slot, view };
    const replaced = await slot.replace(view, holder);
    if (replaced.kind === 'replaced') return { kind: 'acquired', held: { slot, view: replaced.view }, tookOver: { where: slot.where, previous: view.holder, reason } };
    // It changed under us (renewed, released, taken by a third run): look again.
  }
  throw new Error(`the lease at ${slot.where} kept changing over five attempts`);
}

/** Take every slot's lease for `opts.holder`, waiting as allowed; the slots are closed by release(). */
export async function reserveLab(slots: readonly LeaseSlot[], opts: ReserveOptions): Promise<LabReservation> {
  const staleAfterS = opts.staleAfterS ?? DEFAULT_STALE_AFTER_S;
  const heartbeatMs = opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const pollMs = opts.pollMs ?? 2000;
  const print = opts.print ?? (() => {});
  const ordered = [...slots].sort((a, b) => (a.where < b.where ? -1 : a.where > b.where ? 1 : 0));
  const started = Date.now();
  const deadline = started + opts.waitForLabMs;
  let lastNotice = 0;
  const closeAll = (): Promise<unknown> => Promise.allSettled(ordered.map((s) => s.close()));

  let held: Held[] = [];
  const tookOver: TakenOver[] = [];
  try {
    for (;;) {
      let blocked: { slot: LeaseSlot; view: LeaseView } | undefined;
      for (const slot of ordered) {
        const r = await tryAcquire(slot, opts.holder, staleAfterS);
        if (r.kind === 'held') {
          blocked = r;
          break;
        }
        held.push(r.held);
        if (r.tookOver) tookOver.push(r.tookOver);
      }
      if (!blocked) break;
      // All or none: give back what this pass took before waiting (takeovers stay recorded).
      for (const h of held.reverse()) await h.slot.release(h.view).catch(() => {});
      held = [];
      const who = `lab ${opts.lab} is held by ${describeHolder(blocked.view)}`;
      const now = Date.now();
      if (now >= deadline) {
        throw new LabBusyError(who, blocked.view.holder, {
          where: blocked.slot.where,
          hint:
            opts.waitForLabMs > 0
              ? `waited ${formatS(opts.waitForLabMs / 1000)} (--wait-for-lab); wait longer, or stop that run. A dead run's lease is taken over once it misses heartbeats for ${staleAfterS} s`
              : `wait for it to end, or queue behind it with --wait-for-lab 30m. A dead run's lease is taken over once it misses heartbeats for ${staleAfterS} s`,
        });
      }
      if (lastNotice === 0 || now - lastNotice >= 60_000) {
        print(
          lastNotice === 0
            ? `${blocked.slot.where}: ${who}; waiting up to ${formatS(opts.waitForLabMs / 1000)} for it (--wait-for-lab)`
            : `still waiting for lab ${opts.lab} (${formatS((now - started) / 1000)} of ${formatS(opts.waitForLabMs / 1000)}): ${describeHolder(blocked.view)}`,
        );
        lastNotice = now;
      }
      await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(0, deadline - now))));
    }
  } catch (err) {
    for (const h of held.reverse()) await h.slot.release(h.view).catch(() => {});
    await closeAll();
    throw err;
  }
  for (const t of tookOver) print(`warning: took over the lease of run ${t.previous.runId} at ${t.where}: ${t.reason}`);

  let lostWhy: string | undefined;
  let beating: Promise<void> | undefined;
  const beat = async (): Promise<void> => {
    for (const h of held) {
      if (lostWhy) return;
      const next: LeaseHolder = { ...opts.holder, heartbeatAt: new Date().toISOString() };
      try {
        const r = await h.slot.replace(h.view, next);
        if (r.kind === 'replaced') h.view = r.view;
        else {
          lostWhy = r.view ? `the lease at ${h.slot.where} is now held by ${describeHolder(r.view)}` : `the lease at ${h.slot.where} was removed`;
          opts.onLost?.(lostWhy);
        }
      } catch (err) {
        // A store that cannot be reached is not a lost lease: the next heartbeat tries again.
        print(`warning: heartbeat of the lab lease at ${h.slot.where} failed: ${(err as Error).message.split('\n')[0]}`);
      }
    }
  };
  const timer = setInterval(() => {
    beating ??= beat().finally(() => (beating = undefined));
  }, heartbeatMs);
  timer.unref();

  let released: Promise<void> | undefined;
  const release = (): Promise<void> =>
    (released ??= (async () => {
      clearInterval(timer);
      await beating;
      if (!lostWhy) for (const h of [...held].reverse()) await h.slot.release(h.view).catch(() => {});
      await closeAll();
    })());
  return {
    holder: opts.holder,
    where: held.map((h) => h.slot.where),
    tookOver,
    lost: () => lostWhy,
    release,
    [Symbol.asyncDispose]: release,
  };
}

function formatS(s: number): string {
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600}h`;
  if (s >= 60 && s % 60 === 0) return `${s / 60}m`;
  return `${s < 10 ? Number(s.toFixed(1)) : Math.round(s)} s`;
}
