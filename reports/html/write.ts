/** Write the report files of a run directory: report.html, junit.xml and summary.md. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderJunit } from '../ci/junit.ts';
import { renderMarkdown } from '../ci/markdown.ts';
import { runView, type RunView } from '../model/run-view.ts';
import { readRun } from '../store/jsonl.ts';
import { renderHtmlReport } from './report.ts';

export interface WrittenReport {
  readonly view: RunView;
  readonly html: string;
  readonly junit: string;
  readonly markdown: string;
}

/** Read a run directory and write its reports (into `outDir`, default the run directory). */
export async function writeReports(runDir: string, options: { outDir?: string; harnessVersion?: string } = {}): Promise<WrittenReport> {
  const view = runView(await readRun(runDir));
  const out = options.outDir ?? view.dir;
  await mkdir(out, { recursive: true });
  const files = {
    html: join(out, 'report.html'),
    junit: join(out, 'junit.xml'),
    markdown: join(out, 'summary.md'),
  };
  await atomicWrite(files.html, renderHtmlReport(view, { generatedAt: new Date(), ...(options.harnessVersion ? { harnessVersion: options.harnessVersion } : {}) }));
  await atomicWrite(files.junit, renderJunit(view));
  await atomicWrite(files.markdown, renderMarkdown(view));
  return { view, ...files };
}

/** Write then rename, so a reader never sees half a report. */
async function atomicWrite(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}
