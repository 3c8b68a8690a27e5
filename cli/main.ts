/**
 * The `wirespeed` command. Each subcommand lives in cli/commands/<name>.ts and exports a yargs CommandModule.
 * Errors print their message (what, where, hint) and exit with the code of their severity (README).
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { exitCodeOf, WirespeedError } from '../core/errors.ts';
import { redactSecrets } from '../core/redact.ts';
import { terminalSafe } from '../core/terminal-text.ts';
import { commands } from './commands/index.ts';

async function main(): Promise<void> {
  let parser = yargs(hideBin(process.argv))
    .scriptName('wirespeed')
    .strict()
    .demandCommand(1, 'name a command: see --help')
    .recommendCommands()
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    });
  for (const c of commands) parser = parser.command(c);
  await parser.parseAsync();
}

class UsageError extends Error {}

try {
  await main();
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`wirespeed: ${terminalSafe(redactSecrets(err.message))}\nRun 'wirespeed --help' for usage.\n`);
    process.exitCode = 2;
  } else if (err instanceof WirespeedError) {
    // The last line of defence: no credential reaches the terminal, and control characters from
    // inventory fields or remote output are shown, not obeyed.
    process.stderr.write(`wirespeed: ${err.name}: ${terminalSafe(redactSecrets(err.message))}\n`);
    process.exitCode = exitCodeOf(err);
  } else {
    process.stderr.write(`wirespeed: internal error (a bug, please report it):\n${terminalSafe(redactSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err)))}\n`);
    process.exitCode = exitCodeOf(err);
  }
}
