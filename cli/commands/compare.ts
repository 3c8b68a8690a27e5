/** `wirespeed compare DIR_A DIR_B`: per scenario the change of B against A with its CI, significance and verdict. */
import type { CommandModule } from 'yargs';
import { compareRuns } from '../../reports/compare/compare.ts';
import { formatComparison } from '../../reports/compare/format.ts';
import { runView } from '../../reports/model/run-view.ts';
import { readRun } from '../../reports/store/jsonl.ts';

interface CompareArgs {
  a: string;
  b: string;
  json: boolean;
  alpha: number;
  'fail-on-worse': boolean;
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare <a> <b>',
  describe: "compare run B (candidate) with run A (baseline): delta, 95 % CI, Welch's p-value, verdict per scenario",
  builder: (y) =>
    y
      .positional('a', { type: 'string', demandOption: true, describe: 'baseline run directory' })
      .positional('b', { type: 'string', demandOption: true, describe: 'candidate run directory' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .option('alpha', { type: 'number', default: 0.05, describe: 'significance level of the t-test' })
      .option('fail-on-worse', { type: 'boolean', default: false, describe: 'exit 1 when a scenario is worse' }),
  handler: async (argv) => {
    const [a, b] = await Promise.all([readRun(argv.a), readRun(argv.b)]);
    const c = compareRuns(runView(a), runView(b), { alpha: argv.alpha });
    process.stdout.write(argv.json ? `${JSON.stringify(c, null, 2)}\n` : formatComparison(c));
    if (argv['fail-on-worse'] && c.counts.worse > 0) process.exitCode = 1;
  },
};
