/**
 * The on-disk spool of points the database did not take: `<run-dir>/influx-spool.lp` (line protocol,
 * appended and fsynced). `pushSpool` sends it later in batches and remembers how far it got in
 * `influx-spool.offset`, so an interrupted push resumes without sending a batch twice.
 */
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TransportError } from '../../core/errors.ts';
import { describeInflux, type InfluxConfig } from './config.ts';
import { createLineWriter, type LineWriter } from './line-writer.ts';
import { deliver } from './deliver.ts';

export const SPOOL_FILE = 'influx-spool.lp';
export const SPOOL_OFFSET_FILE = 'influx-spool.offset';

/** Append lines to the spool of a run directory and fsync. */
export async function appendSpool(runDir: string, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  const fh = await open(join(runDir, SPOOL_FILE), 'a');
  try {
    await fh.write(lines.join('\n') + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Lines waiting in a run's spool (after what an earlier push already delivered). */
export async function readSpool(runDir: string): Promise<{ lines: string[]; offset: number }> {
  const text = await readFile(join(runDir, SPOOL_FILE), 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return '';
    throw e;
  });
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const offsetText = await readFile(join(runDir, SPOOL_OFFSET_FILE), 'utf8').catch(() => '0');
  const offset = Math.min(lines.length, Math.max(0, Number.parseInt(offsetText, 10) || 0));
  return { lines: lines.slice(offset), offset };
}

export interface PushResult {
  readonly pushed: number;
  readonly remaining: number;
}

/** Send a run's spool to the database; on success the spool is removed. Throws TransportError naming what is left. */
export async function pushSpool(runDir: string, config: InfluxConfig, writer: LineWriter = createLineWriter(config)): Promise<PushResult> {
  const { lines, offset } = await readSpool(runDir);
  let done = 0;
  try {
    for (let i = 0; i < lines.length; i += config.batchSize) {
      const batch = lines.slice(i, i + config.batchSize);
      const r = await deliver(writer, batch, config);
      if (!r.ok) {
        throw new TransportError(`pushed ${done} of ${lines.length} spooled points of ${runDir}; the rest stays spooled`, {
          where: describeInflux(config),
          attempts: r.errors,
          hint: 'run `wirespeed report --push DIR` again when the database is reachable',
        });
      }
      done += batch.length;
      await writeOffset(runDir, offset + done);
    }
  } finally {
    await writer.close();
  }
  await rm(join(runDir, SPOOL_FILE), { force: true });
  await rm(join(runDir, SPOOL_OFFSET_FILE), { force: true });
  return { pushed: done, remaining: 0 };
}

async function writeOffset(runDir: string, n: number): Promise<void> {
  const tmp = join(runDir, `${SPOOL_OFFSET_FILE}.tmp`);
  await writeFile(tmp, String(n), { flush: true });
  await rename(tmp, join(runDir, SPOOL_OFFSET_FILE));
}
