/**
 * Sends one batch of line protocol, once (the sink does retries and spooling): v2 through
 * @influxdata/influxdb-client's WriteApi, v1 as a POST to /write?db= with the same lines.
 * Errors are TransportErrors with the secrets removed.
 */
import { HttpError, InfluxDB, type WriteApi } from '@influxdata/influxdb-client';
import { TransportError } from '../../core/errors.ts';
import { describeInflux, redact, type InfluxConfig } from './config.ts';

export interface LineWriter {
  /** Deliver the lines or throw a TransportError (secret-free). `retryable` says whether trying again can help. */
  write(lines: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** A delivery failure; `retryable` is false for 4xx answers other than 408/429 (the data or the auth is wrong). */
export class InfluxWriteError extends TransportError {
  readonly retryable: boolean;
  readonly status: number | undefined;
  constructor(what: string, status: number | undefined, retryable: boolean, where: string) {
    super(what, {
      where,
      hint: retryable ? 'the points are kept and retried; push later with `wirespeed report --push DIR`' : 'check the URL, database/bucket and credentials',
    });
    this.retryable = retryable;
    this.status = status;
  }
}

export function createLineWriter(c: InfluxConfig): LineWriter {
  return c.api === 'v1' ? new V1Writer(c) : new V2Writer(c);
}

class V2Writer implements LineWriter {
  readonly #api: WriteApi;
  constructor(private readonly c: InfluxConfig) {
    const client = new InfluxDB({ url: c.url, timeout: c.timeoutMs, ...(c.token === undefined ? {} : { token: c.token }) });
    this.#api = client.getWriteApi(c.org ?? '', c.bucket ?? '', 'ms', {
      // The sink batches, retries and spools; the library sends each batch once, when flushed.
      batchSize: 1_000_000,
      flushInterval: 0,
      maxRetries: 0,
      maxBufferLines: 1_000_000,
      // Returning a rejected promise makes flush() reject with the error instead of logging and dropping.
      writeFailed: (error: Error) => Promise.reject(error),
    });
  }

  async write(lines: readonly string[]): Promise<void> {
    this.#api.writeRecords([...lines]);
    try {
      await this.#api.flush();
    } catch (err) {
      throw toWriteError(err, this.c);
    }
  }

  async close(): Promise<void> {
    await this.#api.close().catch(() => {});
  }
}

class V1Writer implements LineWriter {
  constructor(private readonly c: InfluxConfig) {}

  async write(lines: readonly string[]): Promise<void> {
    const url = `${this.c.url}/write?${new URLSearchParams({ db: this.c.db ?? '', precision: 'ms' })}`;
    const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
    if (this.c.username !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${this.c.username}:${this.c.password ?? ''}`).toString('base64')}`;
    } else if (this.c.token !== undefined) {
      headers.authorization = `Token ${this.c.token}`;
    }
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers, body: lines.join('\n'), signal: AbortSignal.timeout(this.c.timeoutMs) });
    } catch (err) {
      throw toWriteError(err, this.c);
    }
    if (res.status === 204 || res.status === 200) {
      await res.body?.cancel();
      return;
    }
    const body = (await res.text().catch(() => '')).slice(0, 300);
    throw new InfluxWriteError(redact(`write refused: HTTP ${res.status} ${body.trim()}`, this.c), res.status, retryableStatus(res.status), describeInflux(this.c));
  }

  async close(): Promise<void> {}
}

function retryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

function toWriteError(err: unknown, c: InfluxConfig): InfluxWriteError {
  const where = describeInflux(c);
  if (err instanceof HttpError) {
    return new InfluxWriteError(redact(`write refused: HTTP ${err.statusCode} ${err.body ?? err.message}`.slice(0, 400), c), err.statusCode, retryableStatus(err.statusCode), where);
  }
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  const text = e.name === 'TimeoutError' || e.name === 'RequestTimedOutError' ? `no answer within ${c.timeoutMs} ms` : `${code ? `${code}: ` : ''}${e.cause?.message ?? e.message ?? String(err)}`;
  return new InfluxWriteError(redact(`cannot write: ${text}`, c), undefined, true, where);
}
