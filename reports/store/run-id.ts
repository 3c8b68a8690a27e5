/** Run ids name result directories and tag InfluxDB points: sortable by time, unique, safe in paths. */
import { randomBytes } from 'node:crypto';

/** A new run id such as `20261122T040512Z-3fa9c1`. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
