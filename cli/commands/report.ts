/** `wirespeed report DIR`: write report.html, junit.xml and summary.md of a run; `--push` sends its points to InfluxDB. */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { CommandModule } from 'yargs';
import { ConfigError } from '../../core/errors.ts';
import { describeInflux, INFLUX_ENV, resolveInfluxConfig } from '../../reports/influx/config.ts';
import { pushRun } from '../../reports/influx/push.ts';
import { renderMarkdown } from '../../reports/ci/markdown.ts';
import { writeReports } from '../../reports/html/write.ts';
import { influxOptions, type InfluxArgs } from './influx-options.ts';

interface ReportArgs extends InfluxArgs {
  dir: string;
  out: string | undefined;
  push: boolean;
  all: boolean;
  open: boolean;
  json: boolean;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <dir>',
  describe: 'write the HTML report, JUnit XML and markdown summary of a run directory (also of a partial run)',
  builder: (y) =>
    influxOptions(
      y
        .positional('dir', { type: 'string', demandOption: true, describe: 'run directory (results/<run-id>)' })
        .option('out', { type: 'string', describe: 'write the reports here instead of the run directory' })
        .option('push', { type: 'boolean', default: false, describe: `send points spooled while the database was unreachable (needs --influx-url or ${INFLUX_ENV.url})` })
        .option('all', { type: 'boolean', default: false, describe: 'with --push: send every point of the run, not only the spool (overwrites, never duplicates)' })
        .option('open', { type: 'boolean', default: false, describe: 'open report.html in the desktop browser (xdg-open)' })
        .option('json', { type: 'boolean', default: false, describe: 'print the written paths and counts as JSON' }),
    ),
  handler: async (argv) => {
    const written = await writeReports(argv.dir, argv.out === undefined ? {} : { outDir: argv.out });
    let pushed: { pushed: number; mode: string; target: string } | undefined;
    if (argv.push) {
      const config = resolveInfluxConfig(argv);
      if (!config) throw new ConfigError('--push needs an InfluxDB', { hint: `give --influx-url (or ${INFLUX_ENV.url}) and a bucket or db` });
      const r = await pushRun(written.view.dir, config, { all: argv.all });
      pushed = { pushed: r.pushed, mode: r.mode, target: describeInflux(config) };
    }
    const v = written.view;
    if (argv.json) {
      const counts = { passed: 0, failed: 0, skipped: 0 };
      for (const r of v.results) counts[r.status]++;
      process.stdout.write(
        `${JSON.stringify({ runId: v.runId, partial: v.partial, counts, unfinished: v.unfinished, unreadable: v.errors.length, html: written.html, junit: written.junit, markdown: written.markdown, ...(pushed ? { pushed } : {}) })}\n`,
      );
    } else {
      process.stdout.write(renderMarkdown(v));
      process.stdout.write(`\nreport:  ${written.html}\njunit:   ${written.junit}\nsummary: ${written.markdown}\n`);
      if (pushed) process.stdout.write(`pushed ${pushed.pushed} points (${pushed.mode === 'all' ? 'all records' : 'spool'}) to ${pushed.target}\n`);
      for (const e of v.errors) process.stderr.write(`warning: ${e.message.split('\n')[0]}\n`);
    }
    if (argv.open) openInBrowser(written.html);
  },
};

function openInBrowser(file: string): void {
  const url = pathToFileURL(file).href;
  const child = spawn('xdg-open', [url], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`cannot start xdg-open: open ${url} yourself\n`));
  child.unref();
}
