/**
 * A YAML document checked against a strict schema, with every problem placed at its `file:line:col` and
 * field path (DTS's config style). Lab inventories and certification profiles both load through here, so
 * their messages read the same. All problems are reported at once, in file order.
 */
import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { shownValue } from '../core/terminal-text.ts';
import type { FieldPath, PathIssue } from './validate.ts';
import { checkYamlBounds } from './yaml-bounds.ts';
import { fromZodIssues } from './zod-messages.ts';

/** Issues spelled out in the message; `issues` keeps them all. A broken generator can make 100,000. */
export const MAX_LISTED_ISSUES = 50;

/** One problem of a YAML source: where, which field, what, and what to do. */
export interface SourceIssue {
  file: string;
  line: number;
  col: number;
  /** Field path as people read it: nodes[1].shell.key ('' for the document itself). */
  path: string;
  message: string;
  hint: string;
}

/** `file:line:col path: message`, the first line of every problem. */
export function formatIssue(i: SourceIssue): string {
  return `${i.file}:${i.line}:${i.col}${i.path ? ` ${i.path}` : ''}: ${i.message}`;
}

/** A YAML source that does not load; `message` lists every issue (first line `file:line:col path: message`). */
export class YamlSourceError extends ConfigError {
  readonly issues: readonly SourceIssue[];
  constructor(issues: readonly SourceIssue[]) {
    const [first, ...rest] = issues;
    if (!first) throw new TypeError(`${new.target.name} needs at least one issue`);
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

export interface YamlSchemaOptions<T> {
  /** Checks across fields of a schema-valid document (names unique, references resolve). */
  readonly crossCheck?: (data: T) => PathIssue[];
  /** The docs page schema hints point at (default docs/lab.md). */
  readonly docPage?: string;
  /** What the document nests, for the hint when it nests too deeply ("an inventory nests about 7 levels (nodes, nics, ports …)"). */
  readonly nesting?: string;
  /** Applied to the data before the schema sees it (inventories drop their `x-` anchor keys). */
  readonly prepare?: (data: unknown) => unknown;
}

/**
 * Parse `text` and validate it against `schema`. Returns the data, or every problem with its position
 * (YAML syntax first; then schema problems, or, when the schema passes, the cross-checks).
 */
export function parseYamlWithSchema<T>(
  text: string,
  displayName: string,
  schema: z.ZodType<T>,
  opts: YamlSchemaOptions<T> = {},
): { ok: true; data: T } | { ok: false; issues: SourceIssue[] } {
  const lineCounter = new LineCounter();
  // merge: YAML 1.1 merge keys (`<<: *anchor`), which inventories written for Ansible use.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const pos = (offset: number): { line: number; col: number } => lineCounter.linePos(offset);
  const issues: SourceIssue[] = [];
  const documentIssue = (offset: number, message: string, hint: string): { ok: false; issues: SourceIssue[] } => {
    const { line, col } = pos(offset);
    return { ok: false, issues: [{ file: displayName, line, col, path: '', message, hint }] };
  };

  for (const err of doc.errors) {
    const { line, col } = pos(err.pos[0]);
    const first = err.message.split('\n')[0] ?? '';
    // The parser recurses per nesting level; a file nested thousands deep overflows it.
    const tooDeep = /call stack/i.test(first);
    issues.push({
      file: displayName,
      line,
      col,
      path: '',
      message: tooDeep ? 'YAML syntax error: values are nested too deeply to read' : `YAML syntax error: ${first}`,
      hint: tooDeep
        ? `${opts.nesting ?? 'the document nests a few levels'}: check the brackets around that position`
        : err.code === 'DUPLICATE_KEY'
          ? 'each key appears once per mapping'
          : 'check indentation, a missing ":" or an unclosed quote around that position',
    });
  }
  if (issues.length) return { ok: false, issues };

  const bounds = checkYamlBounds(doc);
  if (bounds) return documentIssue(bounds.offset, bounds.message, bounds.hint);

  let data: unknown;
  try {
    // Expansion is bounded above, so the library's own alias budget (100 uses of an anchor) is lifted.
    data = doc.toJS({ maxAliasCount: -1 });
  } catch (e) {
    return documentIssue(0, `the YAML document cannot be turned into data: ${shownValue((e as Error).message, 200)}`, 'check anchors, aliases and tags in the file');
  }
  const parsed = schema.safeParse(opts.prepare ? opts.prepare(data) : data);
  const pathIssues: PathIssue[] = parsed.success
    ? (opts.crossCheck?.(parsed.data) ?? [])
    : fromZodIssues(parsed.error.issues, schema, data, opts.docPage);

  for (const pi of pathIssues) {
    const { line, col } = pos(locate(doc, pi.path, pi.atKey ?? false));
    issues.push({ file: displayName, line, col, path: formatPath(pi.path), message: pi.message, hint: pi.hint });
  }
  if (issues.length) {
    issues.sort((a, b) => a.line - b.line || a.col - b.col);
    return { ok: false, issues };
  }
  if (!parsed.success) throw new Error('unreachable: schema failed without issues');
  return { ok: true, data: parsed.data };
}

/** nodes[0].shell.port */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    // A key that is not a plain word (an unknown key from the file) is shown quoted and escaped.
    else if (!/^[A-Za-z0-9_-]{1,64}$/.test(p)) out += `[${shownValue(p, 40)}]`;
    else out += out ? `.${p}` : p;
  }
  return out;
}

/** Offset of the field at `path`: its value (or key), else the nearest enclosing node that exists. */
function locate(doc: Document, path: FieldPath, atKey: boolean): number {
  if (atKey && path.length > 0) {
    const parent = doc.getIn(path.slice(0, -1), true);
    if (isMap(parent)) {
      const last = path[path.length - 1];
      const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === last);
      if (pair && isNode(pair.key) && pair.key.range) return pair.key.range[0];
    }
  }
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return 0;
}
