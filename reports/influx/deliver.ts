/** One batch, a bounded number of attempts with doubling delays; never throws. */
import type { InfluxConfig } from './config.ts';
import { InfluxWriteError, type LineWriter } from './line-writer.ts';

export type DeliverResult = { ok: true } | { ok: false; errors: string[] };

export async function deliver(
  writer: LineWriter,
  lines: readonly string[],
  c: Pick<InfluxConfig, 'attempts' | 'retryDelayMs'>,
): Promise<DeliverResult> {
  const errors: string[] = [];
  for (let attempt = 1; attempt <= c.attempts; attempt++) {
    try {
      await writer.write(lines);
      return { ok: true };
    } catch (err) {
      errors.push(err instanceof InfluxWriteError ? err.what : String(err));
      // A refused batch (bad data, bad credentials) will not pass by waiting.
      if (err instanceof InfluxWriteError && !err.retryable) break;
      if (attempt < c.attempts) await sleep(c.retryDelayMs * 2 ** (attempt - 1));
    }
  }
  return { ok: false, errors };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
