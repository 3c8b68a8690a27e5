/**
 * The one quoting helper (STYLE): argv → a POSIX shell string in which every argument is data.
 * Anything not made only of plainly safe characters is single-quoted; a single quote inside becomes '\''.
 * Single quotes are the only POSIX quoting in which nothing ($, `, \, !, newline) is special.
 */
import type { Command } from './shell.ts';

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quote one argument for a POSIX shell. */
export function quoteArg(arg: string): string {
  if (arg === '') return "''";
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Quote an argv array into one POSIX shell command line; every element passes through as data. */
export function quote(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}

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
