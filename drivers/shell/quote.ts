/**
 * Shell-text helpers for Commands. The quoting itself is core/shell-quote.ts (re-exported here), so that
 * lab/ can quote the commands it prints in hints without importing a driver.
 */
import { quote } from '../../core/shell-quote.ts';
import type { Command } from './shell.ts';

export { quote, quoteArg } from '../../core/shell-quote.ts';

/** The shell text of a Command: an argv array quoted, an explicit script as written. */
export function commandText(cmd: Command): string {
  return isScript(cmd) ? cmd.script : quote(cmd);
}

/** True when the command is an explicit script rather than an argv array. */
export function isScript(cmd: Command): cmd is { readonly script: string } {
  return !Array.isArray(cmd);
}

/** `env K=V … ` prefix (quoted) for shells that cannot pass an environment themselves. */
export function envPrefix(env: Readonly<Record<string, string>> | undefined): string[] {
  if (!env) return [];
  const entries = Object.entries(env);
  if (entries.length === 0) return [];
  for (const [k] of entries) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new TypeError(`environment variable name ${JSON.stringify(k)} is not valid`);
  }
  return ['env', ...entries.map(([k, v]) => `${k}=${v}`)];
}
