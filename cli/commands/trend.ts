/** `wirespeed trend HISTORY`: classify each scenario's series over a folder of runs; exit 1 on a regression (nightly CI). */
import type { CommandModule } from 'yargs';
import { formatTrend } from '../../reports/trend/format.ts';
import { readHistory, trendOf, type TrendFigure } from '../../reports/trend/trend.ts';

interface TrendArgs {
  history: string;
  json: boolean;
  figure: string[];
}

export const trendCommand: CommandModule<object, TrendArgs> = {
  command: 'trend <history>',
  describe: 'classify every scenario series over a folder of runs (MDL grouping); exit 1 when the latest runs regressed',
  builder: (y) =>
    y
      .positional('history', { type: 'string', demandOption: true, describe: 'folder whose sub-folders are run directories (e.g. results/)' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .option('figure', { type: 'string', array: true, choices: ['ndr', 'pdr', 'mrr'], default: ['ndr', 'pdr', 'mrr'], describe: 'figures to follow' }),
  handler: async (argv) => {
    const h = trendOf(await readHistory(argv.history), argv.figure as TrendFigure[]);
    process.stdout.write(argv.json ? `${JSON.stringify(h, null, 2)}\n` : formatTrend(h));
    // A regression is a scenario failing its expectation: exit 1 (README exit codes).
    process.exitCode = h.regressions.length > 0 ? 1 : 0;
  },
};
