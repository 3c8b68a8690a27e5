/**
 * The one quoting helper (STYLE): argv → a POSIX shell string in which every argument is data.
 * Anything not made only of plainly safe characters is single-quoted; a single quote inside becomes '\''.
 * Single quotes are the only POSIX quoting in which nothing ($, `, \, !, newline) is special.
 * It lives in core/ because hints anywhere (lab/ included) print commands built from inventory values;
 * drivers/shell/quote.ts re-exports it beside the helpers that need the Shell types.
 */

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
