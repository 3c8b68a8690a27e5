/** Every subcommand, in the order `--help` lists them. */
import type { CommandModule } from 'yargs';
import { labCommand } from './lab.ts';
import { runCommand } from './run.ts';
import { reportCommand } from './report.ts';
import { compareCommand } from './compare.ts';
import { trendCommand } from './trend.ts';
import { certifyCommand } from './certify.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yargs modules differ in their argv types
export const commands: CommandModule<any, any>[] = [labCommand, runCommand, certifyCommand, reportCommand, compareCommand, trendCommand];
