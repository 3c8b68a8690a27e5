/**
 * A client for pktgen's Lua socket, over any byte stream (the relay's stdin/stdout, lua-relay.py).
 * The socket is a bare Lua REPL (lib/lua/lua_socket.c): one client at a time, no prompt, no reply
 * delimiter; only the io library's default files reach the socket (print() and Lua error messages go
 * to pktgen's terminal), and a line that does not compile is answered with nothing at all. So each
 * request is ONE line that compiles the body with load(), runs it under pcall and writes its own end
 * marker with the request id through io.write: the reply is what the body wrote before the marker, a
 * Lua error (compile or run time) comes back in the marker. The request/reply mechanics (ids, serial
 * requests, timeouts, a stream that ends) are the shared RequestPeer's.
 */
import { TimeoutError, TransportError } from '../../../core/errors.ts';
import { RequestPeer, type LineMeaning } from '../../shell/request-peer.ts';

export interface LuaReply {
  readonly ok: boolean;
  /** Exactly what the body wrote with io.write. */
  readonly output: string;
  /** The Lua error message when ok is false (newlines turned into spaces). */
  readonly error?: string;
}

/** One request and its reply, with the client's clock at send and reply (record mode keeps these). */
export interface LuaExchange extends LuaReply {
  readonly id: number;
  readonly body: string;
  readonly sentMs: number;
  readonly repliedMs: number;
}

export interface LuaClientOptions {
  /** For messages: "pktgen Lua socket 127.0.0.1:22022 in netns wsp-x-pg on local". */
  readonly where: string;
  /** Write to the stream (the relay's stdin). */
  readonly write: (text: string) => Promise<void>;
  /** Default per-request timeout (default 30 s). */
  readonly timeoutMs?: number;
  /** Called after every completed request (record mode). */
  readonly onExchange?: (e: LuaExchange) => void;
  /** Clock for exchange times (default performance.now). */
  readonly now?: () => number;
}

const MARK = '@@WSP';
const MARKER = /^@@WSP-(OK|ERR) (\d+)(?: (.*))?$/;
const RELAY = /^@@WSP-RELAY (connected|error)(?: (.*))?$/;

/** A Lua string literal for any text: the request stays one line whatever the body holds. */
export function luaString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (c < 0x20 || c === 0x7f) out += `\\${String(c).padStart(3, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The one line sent for request `id`: compile, run under pcall, write the end marker. */
export function wrapRequest(id: number, body: string): string {
  return (
    `local f,e=load(${luaString(body)},"=wsp") local ok=f~=nil if ok then ok,e=pcall(f) end ` +
    `io.write(ok and "\\n${MARK}-OK ${id}\\n" or ("\\n${MARK}-ERR ${id} "..string.gsub(tostring(e),"%c"," ").."\\n")) io.flush()\n`
  );
}

export class PktgenLuaClient {
  readonly where: string;
  readonly #peer: RequestPeer<LuaReply>;
  readonly #o: LuaClientOptions;
  readonly #now: () => number;
  /** Lines written since the last end marker: the output of the request in flight. */
  #lines: string[] = [];
  #relay: { resolve: () => void; reject: (e: Error) => void; promise: Promise<void> };
  /** REPL output nobody asked for (a late reply after a timeout), kept for messages. */
  readonly #stray: string[] = [];

  constructor(o: LuaClientOptions) {
    this.#o = o;
    this.where = o.where;
    this.#now = o.now ?? (() => performance.now());
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => undefined);
    this.#relay = { resolve, reject, promise };
    this.#peer = new RequestPeer<LuaReply>({
      where: o.where,
      timeoutMs: o.timeoutMs ?? 30_000,
      serial: true, // the REPL answers one line at a time and has no ids of its own
      send: o.write,
      classify: (line) => this.#classify(line),
      onOther: (line) => {
        if (!MARKER.test(line)) return; // output lines are collected by #classify
        this.#stray.push(line);
        if (this.#stray.length > 20) this.#stray.shift();
      },
      gone: (reason) =>
        new TransportError(`${o.where} is gone: ${reason}`, {
          where: o.where,
          hint: `pktgen or its relay ended; last output: ${JSON.stringify(this.#tail())}`,
        }),
      timedOut: (request, ms) =>
        new TimeoutError(`no reply from ${o.where} to ${request}`, ms, {
          where: o.where,
          hint: `pktgen hangs or its stats thread is starved; output so far: ${JSON.stringify(this.#tail())}`,
        }),
    });
  }

  /** Resolves when the relay has connected to pktgen's socket; rejects with the relay's reason. */
  connected(): Promise<void> {
    return this.#relay.promise;
  }

  /** Incoming text from the stream, in any chunking. */
  feed(chunk: string): void {
    this.#peer.feed(chunk);
  }

  /** The stream ended: every pending and later request fails. */
  end(reason: string): void {
    this.#relay.reject(new TransportError(`${this.where}: the relay ended before it connected: ${reason}`, { where: this.where }));
    this.#peer.end(reason);
  }

  /** The error every request gets once the stream has ended. */
  get failure(): Error | undefined {
    return this.#peer.failure;
  }

  /** Run one Lua chunk (any number of lines); resolves with what it wrote, or its Lua error. */
  async request(body: string, timeoutMs?: number): Promise<LuaReply> {
    const id = this.#peer.nextId();
    const sentMs = this.#now();
    const label = `request ${id} (${body.length > 120 ? `${body.slice(0, 120)}…` : body})`;
    const reply = await this.#peer.request(id, wrapRequest(id, body), label, timeoutMs);
    this.#o.onExchange?.({ id, body, sentMs, repliedMs: this.#now(), ...reply });
    return reply;
  }

  /** Like request, but a Lua error is a TransportError naming the chunk. */
  async call(body: string, timeoutMs?: number): Promise<string> {
    const r = await this.request(body, timeoutMs);
    if (!r.ok) {
      throw new TransportError(`pktgen refused a request: ${r.error ?? 'unknown Lua error'}`, {
        where: this.where,
        hint: `the request was: ${body.slice(0, 300)}`,
      });
    }
    return r.output;
  }

  #classify(line: string): LineMeaning<LuaReply> {
    const relay = RELAY.exec(line);
    if (relay) {
      if (relay[1] === 'connected') {
        this.#relay.resolve();
        return { kind: 'other' };
      }
      const reason = `the relay could not reach pktgen's socket: ${relay[2] ?? ''}`;
      this.#relay.reject(new TransportError(reason, { where: this.where, hint: 'is pktgen running with -g on that address, and built with Lua?' }));
      return { kind: 'fatal', reason };
    }
    const m = MARKER.exec(line);
    if (!m) {
      this.#lines.push(line);
      return { kind: 'other' };
    }
    // The marker starts with a newline of its own: the body's output is everything before it.
    const output = this.#lines.join('\n');
    this.#lines = [];
    const ok = m[1] === 'OK';
    return { kind: 'reply', id: Number(m[2]), reply: ok ? { ok, output } : { ok, output, error: m[3] ?? '' } };
  }

  #tail(): string {
    return [...this.#stray, ...this.#lines].join('\n').slice(-500);
  }
}
