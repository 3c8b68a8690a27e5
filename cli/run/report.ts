/**
 * The reports at the end of a run (reports/html: report.html, junit.xml, summary.md), and the summary
 * printed to the terminal. Kept apart so the run command does not depend on the report's internals.
 */
import { readFile } from 'node:fs/promises';
import { writeReports } from '../../reports/html/write.ts';

/** Write the run's reports; returns the HTML report's path and the markdown summary. */
export async function writeReport(outDir: string, harnessVersion?: string): Promise<{ html: string; markdown: string; junit: string }> {
  const w = await writeReports(outDir, harnessVersion === undefined ? {} : { harnessVersion });
  return { html: w.html, markdown: w.markdown, junit: w.junit };
}

/** The markdown summary's text (for printing), or undefined. */
export async function readSummaryText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}
