/**
 * A client for pktgen's Lua socket (TCP 22022). The socket is a bare Lua REPL: one client at a time, no
 * prompt, no reply delimiter. So each request is ONE line wrapped in pcall that prints our own end marker
 * with a request number; the reply is everything before that marker. A Lua syntax error in the line
 * prints no marker at all: that surfaces as a TimeoutError carrying what pktgen printed.
 */
import { Socket, connect } from 'node:net';
import { TimeoutError, TransportError } from '../../../core/errors.ts';

export interface LuaReply {
  readonly ok: boolean;
  /** Printed output before the marker. */
  readonly output: string;
  /** The Lua error message when ok is false. */
  readonly error?: string;
}

export interface LuaClientOptions {
  readonly host: string;
  readonly port: number;
  /** Connection attempts while pktgen starts (default 30, every 500 ms). */
  readonly connectAttempts?: number;
  readonly retryDelayMs?: number;
  readonly requestTimeoutMs?: number;
}

const MARK = '@@WSP';

/** Wrap a Lua chunk (no newlines) so it prints `@@WSP-OK <id>` or `@@WSP-ERR <id> <message>` when done. */
export function wrapRequest(id: number, body: string): string {
  if (/[\r\n]/.test(body)) throw new Error('a pktgen Lua request must be one line');
  return `local ok,e=pcall(function() ${body} end); print(ok and "${MARK}-OK ${id}" or ("${MARK}-ERR ${id} "..tostring(e)))\n`;
}

export class PktgenLuaClient {
  readonly #socket: Socket;
  readonly #where: string;
  readonly #timeoutMs: number;
  #buffer = '';
  #nextId = 1;
  #queue: Promise<unknown> = Promise.resolve();
  #waiter: (() => void) | undefined;
  #closed: Error | undefined;

  private constructor(socket: Socket, where: string, timeoutMs: number) {
    this.#socket = socket;
    this.#where = where;
    this.#timeoutMs = timeoutMs;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.#buffer += d;
      this.#waiter?.();
    });
    const gone = (e?: Error) => {
      this.#closed ??= e ?? new Error('connection closed by pktgen');
      this.#waiter?.();
    };
    socket.on('close', () => gone());
    socket.on('error', (e) => gone(e));
  }

  /** Connect, retrying while pktgen is still starting; TransportError lists every attempt. */
  static async connect(opts: LuaClientOptions): Promise<PktgenLuaClient> {
    const where = `pktgen Lua socket ${opts.host}:${opts.port}`;
    const attempts: string[] = [];
    const max = opts.connectAttempts ?? 30;
    for (let i = 0; i < max; i++) {
      try {
        const s = await new Promise<Socket>((resolve, reject) => {
          const sock = connect({ host: opts.host, port: opts.port });
          sock.once('connect', () => {
            sock.removeAllListeners('error');
            resolve(sock);
          });
          sock.once('error', reject);
        });
        s.setNoDelay(true);
        return new PktgenLuaClient(s, where, opts.requestTimeoutMs ?? 30_000);
      } catch (e) {
        attempts.push(e instanceof Error ? e.message : String(e));
        if (i + 1 < max) await new Promise((r) => setTimeout(r, opts.retryDelayMs ?? 500));
      }
    }
    throw new TransportError(`cannot connect to ${where}`, {
      where,
      attempts,
      hint: 'is pktgen built with -Denable_lua=true and started with -G (or -g)? versions 24.05.1-24.07.0 have no socket',
    });
  }

  /** Run one Lua chunk; requests are serialised (the REPL serves one at a time anyway). */
  request(body: string, timeoutMs = this.#timeoutMs): Promise<LuaReply> {
    const run = this.#queue.then(() => this.#send(body, timeoutMs));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Like request, but a Lua error becomes a TransportError naming the chunk. */
  async call(body: string, timeoutMs?: number): Promise<string> {
    const r = await this.request(body, timeoutMs);
    if (!r.ok) throw new TransportError(`pktgen Lua error: ${r.error}`, { where: this.#where, hint: `request was: ${body.slice(0, 300)}` });
    return r.output;
  }

  async close(): Promise<void> {
    if (this.#socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.#socket.once('close', () => resolve());
      this.#socket.end();
      setTimeout(() => {
        this.#socket.destroy();
        resolve();
      }, 1000).unref();
    });
  }

  async #send(body: string, timeoutMs: number): Promise<LuaReply> {
    if (this.#closed) throw new TransportError(`${this.#where} is closed: ${this.#closed.message}`, { where: this.#where });
    const id = this.#nextId++;
    this.#socket.write(wrapRequest(id, body));
    const re = new RegExp(`(?:^|\\n)${MARK}-(OK|ERR) ${id}(?: ([^\\n]*))?\\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = re.exec(this.#buffer);
      if (m) {
        const output = this.#buffer.slice(0, m.index);
        this.#buffer = this.#buffer.slice(m.index + m[0].length);
        return m[1] === 'OK' ? { ok: true, output } : { ok: false, output, error: m[2] ?? '' };
      }
      const closed = this.#closed as Error | undefined; // set by the socket listeners while we wait
      if (closed) throw new TransportError(`${this.#where} closed while waiting for a reply: ${closed.message}`, { where: this.#where, hint: `pktgen printed: ${this.#buffer.slice(-500)}` });
      const left = deadline - Date.now();
      if (left <= 0) {
        const got = this.#buffer;
        this.#buffer = '';
        throw new TimeoutError(`no end marker from ${this.#where}`, timeoutMs, {
          where: this.#where,
          hint: `a Lua syntax error prints no marker; pktgen printed: ${JSON.stringify(got.slice(-500))}`,
        });
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
  }
}
