/** `wirespeed report --push`: deliver a run's spool, or with `all` every point of its records (idempotent). */
import { TransportError } from '../../core/errors.ts';
import { readRun } from '../store/jsonl.ts';
import { describeInflux, type InfluxConfig } from './config.ts';
import { deliver } from './deliver.ts';
import { createLineWriter, type LineWriter } from './line-writer.ts';
import { recordToPoints, runTagsOf, toLineProtocol, type RunTags } from './points.ts';
import { pushSpool, type PushResult } from './spool.ts';

export async function pushRun(runDir: string, config: InfluxConfig, options: { all?: boolean; writer?: LineWriter } = {}): Promise<PushResult & { mode: 'spool' | 'all' }> {
  if (!options.all) return { ...(await pushSpool(runDir, config, options.writer)), mode: 'spool' };
  const run = await readRun(runDir);
  let tags: RunTags | undefined;
  const lines: string[] = [];
  for (const r of run.records) {
    if (r.kind === 'run-start') tags = runTagsOf(r);
    lines.push(...recordToPoints(r, tags).map(toLineProtocol));
  }
  const writer = options.writer ?? createLineWriter(config);
  let done = 0;
  try {
    for (let i = 0; i < lines.length; i += config.batchSize) {
      const batch = lines.slice(i, i + config.batchSize);
      const res = await deliver(writer, batch, config);
      if (!res.ok) {
        throw new TransportError(`pushed ${done} of ${lines.length} points of ${runDir}`, {
          where: describeInflux(config),
          attempts: res.errors,
          hint: 'points carry their original timestamps: pushing again overwrites, it does not duplicate',
        });
      }
      done += batch.length;
    }
  } finally {
    await writer.close();
  }
  return { pushed: done, remaining: 0, mode: 'all' };
}
