/** Shared by every Shell: turn a bad ExecResult into the CommandFailedError that `run` throws. */
import { CommandFailedError } from '../../core/errors.ts';
import type { Command, ExecResult } from './shell.ts';
import { commandText } from './quote.ts';

/** Throw CommandFailedError (host, command, exit meaning, trimmed stderr) unless the command exited 0 in time. */
export function checkResult(host: string, cmd: Command, result: ExecResult, timeoutMs?: number): ExecResult {
  if (result.exitCode === 0 && !result.timedOut) return result;
  const hint = result.timedOut
    ? `it was killed after ${timeoutMs ?? '?'} ms; raise the timeout or find out why it hangs`
    : result.exitCode === 127
      ? 'the program is not installed on that node (or not in PATH): run `wirespeed lab check`'
      : undefined;
  throw new CommandFailedError({
    host,
    command: commandText(cmd),
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.timedOut ? `${result.stderr}\n(timed out after ${timeoutMs ?? '?'} ms)`.trim() : result.stderr,
    ...(hint === undefined ? {} : { hint }),
  });
}
