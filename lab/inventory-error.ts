/** The error of a broken inventory: every problem with its file:line:col, field path, message and hint. */
import { ConfigError } from '../core/errors.ts';

export interface InventoryIssue {
  file: string;
  line: number;
  col: number;
  /** Field path as people read it: nodes[1].shell.key ('' for the document itself). */
  path: string;
  message: string;
  hint: string;
}

/** `file:line:col path: message`, the first line of every inventory problem. */
export function formatIssue(i: InventoryIssue): string {
  return `${i.file}:${i.line}:${i.col}${i.path ? ` ${i.path}` : ''}: ${i.message}`;
}

/** Issues spelled out in the message; `issues` keeps them all. A broken generator can make 100,000. */
export const MAX_LISTED_ISSUES = 50;

/** A lab inventory that does not load; `message` lists every issue (first line `file:line:col path: message`). */
export class InventoryError extends ConfigError {
  readonly issues: readonly InventoryIssue[];
  constructor(issues: readonly InventoryIssue[]) {
    const [first, ...rest] = issues;
    if (!first) throw new TypeError('InventoryError needs at least one issue');
    const firstWhere = `${first.file}:${first.line}:${first.col}${first.path ? ` ${first.path}` : ''}`;
    const listed = rest.slice(0, MAX_LISTED_ISSUES - 1);
    const unlisted = rest.length - listed.length;
    const more =
      listed.map((i) => `\n${formatIssue(i)}\n  hint: ${i.hint}`).join('') +
      (unlisted > 0 ? `\n… and ${unlisted} more problem${unlisted === 1 ? '' : 's'} after line ${listed.at(-1)?.line ?? first.line} (fix these first)` : '');
    // The first issue's hint goes right under it, then the others, each with its own hint.
    super(first.message + (more ? `\n  hint: ${first.hint}${more}` : ''), {
      where: firstWhere,
      ...(more ? {} : { hint: first.hint }),
    });
    this.issues = issues;
  }
}
