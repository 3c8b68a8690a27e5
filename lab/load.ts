/**
 * Load a lab inventory: YAML with source positions → strict schema → one cross-reference pass →
 * runtime model. Every problem reads `file:line:col path.to.field: message` plus a hint, and all of
 * them are reported at once (InventoryError).
 */
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError } from '../core/errors.ts';
import { InventoryError, type InventoryIssue } from './inventory-error.ts';
import { buildLab, type Lab } from './model.ts';
import { labConfig, type LabConfig } from './schema.ts';
import { validateLab, type FieldPath, type PathIssue } from './validate.ts';
import { fromZodIssues } from './zod-messages.ts';

/** The embedded default inventory (the local lab on this machine). */
export const LOCAL_LAB_PATH = fileURLToPath(new URL('./local.yaml', import.meta.url));

export interface LoadOptions {
  /** Check that key, knownHosts and kubeconfig files exist (default true). */
  checkFiles?: boolean;
}

/** Load, validate and model the inventory at `path`; throws InventoryError (a ConfigError) listing every problem. */
export async function loadLab(path: string, opts: LoadOptions = {}): Promise<Lab> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read the lab inventory: ${(e as Error).message}`, {
      where: path,
      hint: `give --lab the path of an inventory file; ${relative(process.cwd(), LOCAL_LAB_PATH)} is the local lab`,
    });
  }
  const config = parseLabText(text, path, { ...opts, dir: dirname(file) });
  return buildLab(config, file, dirname(file));
}

/** Parse and validate inventory text; `displayName` is what messages call the file. */
export function parseLabText(text: string, displayName: string, opts: LoadOptions & { dir: string }): LabConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number): { line: number; col: number } => lineCounter.linePos(offset);
  const issues: InventoryIssue[] = [];

  for (const err of doc.errors) {
    const { line, col } = pos(err.pos[0]);
    issues.push({
      file: displayName,
      line,
      col,
      path: '',
      message: `YAML syntax error: ${err.message.split('\n')[0]}`,
      hint: err.code === 'DUPLICATE_KEY' ? 'each key appears once per mapping' : 'check indentation, a missing ":" or an unclosed quote around that position',
    });
  }
  if (issues.length) throw new InventoryError(issues);

  const data: unknown = doc.toJS();
  const parsed = labConfig.safeParse(data);
  let pathIssues: PathIssue[];
  if (!parsed.success) pathIssues = fromZodIssues(parsed.error.issues, labConfig, data);
  else pathIssues = validateLab(parsed.data, { dir: opts.dir, ...(opts.checkFiles === undefined ? {} : { checkFiles: opts.checkFiles }) });

  for (const pi of pathIssues) {
    const { line, col } = pos(locate(doc, pi.path, pi.atKey ?? false));
    issues.push({ file: displayName, line, col, path: formatPath(pi.path), message: pi.message, hint: pi.hint });
  }
  if (issues.length) {
    issues.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new InventoryError(issues);
  }
  if (!parsed.success) throw new Error('unreachable: schema failed without issues');
  return parsed.data;
}

/** nodes[0].shell.port */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
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
