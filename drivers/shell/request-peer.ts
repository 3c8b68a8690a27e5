/**
 * One request/reply peer over a line stream (STYLE: "one mechanism, one piece of code"). The local
 * generator's JSON lines, the DPDK telemetry helper's JSON lines and pktgen's Lua REPL (end markers)
 * all speak through it. What differs is only how a line is read (`classify`) and which typed error the
 * owner raises; what the peer guarantees is the same for all of them:
 *
 * - a reply completes the request with its id, once; a timeout rejects only that request;
 * - when the stream ends (the process exited, the socket closed, a write failed, a fatal line) every
 *   pending request AND every later one fails with the same typed error, never a bare `Error` from a
 *   dead pipe, however the exit and the next request interleave.
 */

/** What one incoming line means. */
export type LineMeaning<R> =
  /** The reply that completes request `id`. */
  | { readonly kind: 'reply'; readonly id: number; readonly reply: R }
  /** The peer cannot go on (a fatal line without a request id): fail everything with this reason. */
  | { readonly kind: 'fatal'; readonly reason: string }
  /** Not a reply (a banner, a log line, REPL output): handed to `onOther`. */
  | { readonly kind: 'other' };

export interface RequestPeerOptions<R> {
  /** For messages: "telemetry /run/dpdk/x/dpdk_telemetry.v2 on local". */
  readonly where: string;
  /** Write one request's text to the stream; a rejection ends the peer. */
  readonly send: (text: string) => Promise<void>;
  readonly classify: (line: string) => LineMeaning<R>;
  readonly onOther?: (line: string) => void;
  /** The owner's typed error for a peer that has gone (TransportError, MeasurementError …). */
  readonly gone: (reason: string) => Error;
  /** The owner's typed error for a request that got no reply in time. */
  readonly timedOut: (request: string, timeoutMs: number) => Error;
  /** Default per-request timeout. */
  readonly timeoutMs: number;
  /** One request in flight at a time (a REPL answers in order and has no ids of its own). */
  readonly serial?: boolean;
}

interface Pending<R> {
  readonly label: string;
  resolve(reply: R): void;
  reject(err: Error): void;
}

/** A request/reply peer; feed it the incoming text, end it when the stream ends. */
export class RequestPeer<R> {
  readonly #o: RequestPeerOptions<R>;
  readonly #pending = new Map<number, Pending<R>>();
  #buffer = '';
  #nextId = 1;
  #queue: Promise<unknown> = Promise.resolve();
  #failure: Error | undefined;

  constructor(options: RequestPeerOptions<R>) {
    this.#o = options;
  }

  /** The error every request gets once the peer has ended; undefined while it is usable. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** A fresh request id (for callers that must know it before building the request text). */
  nextId(): number {
    return this.#nextId++;
  }

  /** Incoming text, in any chunking. */
  feed(chunk: string): void {
    this.#buffer += chunk;
    let nl: number;
    while ((nl = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, nl).replace(/\r$/, '');
      this.#buffer = this.#buffer.slice(nl + 1);
      this.#line(line);
    }
  }

  /** Text received but not yet ended by a newline (REPL output before a marker, for messages). */
  partial(): string {
    return this.#buffer;
  }

  /** The stream ended: every pending and later request fails with `gone(reason)`. Idempotent. */
  end(reason: string): void {
    if (this.#failure) return;
    this.#failure = this.#o.gone(reason);
    const err = this.#failure;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(err);
  }

  /**
   * Send `text` (built for request `id`, see nextId) and wait for its reply.
   * `label` names the request in timeout messages.
   */
  request(id: number, text: string, label: string, timeoutMs = this.#o.timeoutMs): Promise<R> {
    if (!this.#o.serial) return this.#exchange(id, text, label, timeoutMs);
    const run = this.#queue.then(() => this.#exchange(id, text, label, timeoutMs));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Send without waiting for a reply (an abort request); never throws. */
  notify(text: string): void {
    if (this.#failure) return;
    this.#o.send(text).catch((e: unknown) => this.end(`write failed: ${errorText(e)}`));
  }

  #exchange(id: number, text: string, label: string, timeoutMs: number): Promise<R> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.#pending.delete(id)) return;
        reject(this.#o.timedOut(label, timeoutMs));
      }, timeoutMs);
      this.#pending.set(id, {
        label,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      // A write to a pipe whose reader just died fails with EPIPE: that is the peer ending, and the
      // request fails with the peer's typed error like any other.
      this.#o.send(text).catch((e: unknown) => this.end(`write failed: ${errorText(e)}`));
    });
  }

  #line(line: string): void {
    const meaning = this.#o.classify(line);
    switch (meaning.kind) {
      case 'reply': {
        const p = this.#pending.get(meaning.id);
        if (p) {
          this.#pending.delete(meaning.id);
          p.resolve(meaning.reply);
        } else {
          this.#o.onOther?.(line); // a reply nobody waits for (timed out): kept for messages only
        }
        return;
      }
      case 'fatal':
        this.end(meaning.reason);
        return;
      case 'other':
        this.#o.onOther?.(line);
        return;
      default: {
        const never: never = meaning;
        throw new Error(`unhandled line meaning ${JSON.stringify(never)}`);
      }
    }
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
