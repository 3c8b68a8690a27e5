/**
 * The folder-order check (docs/architecture.md): a folder imports only from folders before it in
 *
 *   core < lab < method < drivers < reports < contract < suites < certify < cli
 *
 * and no two folders import each other, directly or round a cycle. It reads every TypeScript import of the
 * repo from its syntax tree (`import`, `import type`, `export … from`, `import()`), resolves the relative ones and names each
 * offending file, line and import. `npm test` runs it (tools/folder-order.test.ts); by hand:
 * `npx tsx tools/folder-order.ts`.
 *
 * Two folders sit outside the order: `fixtures/` holds test data and fakes (it may import the product
 * folders up to contract/, never suites/ or cli/, and only tests, benchmarks and the exceptions below may
 * import it), and `tools/` (this check) imports nothing of ours. Tests (`*.test.ts`) obey their folder's
 * order like any file and may also import fixtures/; nothing imports a test.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const FOLDER_ORDER = ['core', 'lab', 'method', 'drivers', 'reports', 'contract', 'suites', 'certify', 'cli'] as const;
export type Folder = (typeof FOLDER_ORDER)[number];

/** The highest folder fixtures/ may import from: fakes replay drivers and build records, never run suites. */
const FIXTURES_CEILING: Folder = 'contract';

/**
 * Imports of fixtures/ by product code that are there on purpose, each with its reason. Everything else
 * that imports fixtures/ must be a test or a benchmark.
 */
export const FIXTURE_USERS: Readonly<Record<string, string>> = {
  'suites/fixtures/kube-session.ts':
    'starts the fake cluster of fixtures/kube when the lab kubeconfig asks for it: no cluster runs on dev machines',
};

/**
 * Wrong-direction imports that are known and being moved. Empty since lab/ stopped opening shells (issue 11):
 * keep it so. The check fails on any other, and on an entry here that no longer occurs, so this list only
 * shrinks. Keys are "from -> to", repo-relative.
 */
export const KNOWN_VIOLATIONS: readonly string[] = [];

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** One import of one file, resolved to a repo-relative path. */
export interface ImportEdge {
  /** Importing file, repo-relative with `/`. */
  readonly from: string;
  /** Imported file, repo-relative with `/` (may lie outside the checked folders). */
  readonly to: string;
  /** As written: `../drivers/shell/ssh.ts`. */
  readonly specifier: string;
  /** 1-based line of the import. */
  readonly line: number;
}

export interface Violation {
  readonly edge: ImportEdge;
  /** Why it is not allowed, and what to do. */
  readonly reason: string;
}

export interface FolderOrderReport {
  readonly violations: readonly Violation[];
  /** Known violations (KNOWN_VIOLATIONS) that were found, so still to fix. */
  readonly known: readonly Violation[];
  /** KNOWN_VIOLATIONS entries that no longer occur: remove them from the list. */
  readonly stale: readonly string[];
  /** Folder cycles, each as the folders in order and one import per step. */
  readonly cycles: readonly (readonly ImportEdge[])[];
}

const SOURCE = /\.(ts|mts|js|mjs)$/;
const SKIP_DIRS = new Set(['node_modules', 'build', 'test-results', 'results']);

/**
 * The relative imports of one source text, read from its syntax tree (so comments, strings and regular
 * expressions never count): `import`, `import type`, `export … from`, `import()` and `import('x').T` types.
 */
export function importsOf(text: string, fileName = 'x.ts'): { specifier: string; line: number }[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, fileName.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS);
  const found: { specifier: string; line: number }[] = [];
  const add = (node: ts.Node | undefined): void => {
    if (node === undefined || !ts.isStringLiteralLike(node) || !node.text.startsWith('.')) return;
    found.push({ specifier: node.text, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** Every relative import of every source file under `root`'s checked folders. */
export async function collectImports(root: string = REPO_ROOT): Promise<ImportEdge[]> {
  const edges: ImportEdge[] = [];
  for (const top of [...FOLDER_ORDER, 'fixtures', 'tools']) {
    for (const file of await sourceFiles(join(root, top))) {
      const from = toRepoPath(root, file);
      for (const imp of importsOf(await readFile(file, 'utf8'), file)) {
        edges.push({ from, to: toRepoPath(root, normalize(join(dirname(file), imp.specifier))), specifier: imp.specifier, line: imp.line });
      }
    }
  }
  return edges;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory() && !SKIP_DIRS.has(e.name)) out.push(...(await sourceFiles(path)));
    else if (e.isFile() && SOURCE.test(e.name) && !e.name.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

function toRepoPath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

const topOf = (path: string): string => path.split('/')[0] ?? '';
const isTest = (path: string): boolean => /\.test\.ts$/.test(path);
const isBench = (path: string): boolean => path.split('/').includes('bench') || path.endsWith('-bench.ts');
const rank = (folder: string): number => (FOLDER_ORDER as readonly string[]).indexOf(folder);

/** Why one import breaks the rules, or undefined when it is allowed. */
export function ruleBroken(edge: ImportEdge): string | undefined {
  const a = topOf(edge.from);
  const b = topOf(edge.to);
  if (isTest(edge.to) || (isBench(edge.to) && !isBench(edge.from))) return 'imports a test or a benchmark: move what both need into a module beside the code';
  if (a === b) return undefined;
  if (a === 'tools') return 'tools/ imports nothing of the product: it checks it from outside';
  if (b === 'fixtures') {
    if (a === 'fixtures' || isTest(edge.from) || isBench(edge.from) || edge.from in FIXTURE_USERS) return undefined;
    return 'fixtures/ (test data and fakes) is for tests and benchmarks only: product code must not depend on a fake';
  }
  if (a === 'fixtures') {
    if (rank(b) < 0) return `fixtures/ may import the product folders, not ${b}/`;
    if (rank(b) > rank(FIXTURES_CEILING)) return `fixtures/ may import folders up to ${FIXTURES_CEILING}/, not ${b}/: a fake must not depend on the suites or the CLI`;
    return undefined;
  }
  if (rank(a) < 0 || rank(b) < 0) return rank(b) < 0 && b !== '' ? `imports outside the checked folders (${b}/)` : undefined;
  if (rank(b) > rank(a)) {
    return `${a}/ is below ${b}/ (order: ${FOLDER_ORDER.join(' < ')}): move the shared piece down to ${a}/ or below, or the importing code up`;
  }
  return undefined;
}

const key = (e: ImportEdge): string => `${e.from} -> ${e.to}`;

/** Folder cycles among the imports of product files (tests and benchmarks are leaves: nothing imports them). */
export function folderCycles(edges: readonly ImportEdge[]): ImportEdge[][] {
  const example = new Map<string, ImportEdge>();
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    const a = topOf(e.from);
    const b = topOf(e.to);
    if (a === b || isTest(e.from) || isBench(e.from)) continue;
    if (!next.has(a)) next.set(a, new Set());
    next.get(a)!.add(b);
    if (!example.has(`${a}>${b}`)) example.set(`${a}>${b}`, e);
  }
  // Tarjan's strongly connected components: every component of two or more folders is a cycle.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const cycles: ImportEdge[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) !== idx.get(v)) return;
    const comp: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      on.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1) cycles.push(cycleThrough(comp, next, example));
  };
  for (const v of [...next.keys()].sort()) if (!idx.has(v)) visit(v);
  return cycles;
}

/** One concrete round trip inside a strongly connected set of folders, as imports. */
function cycleThrough(comp: string[], next: Map<string, Set<string>>, example: Map<string, ImportEdge>): ImportEdge[] {
  const inComp = new Set(comp);
  const start = [...comp].sort()[0]!;
  // Breadth-first from start back to start within the component.
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of next.get(v) ?? []) {
      if (!inComp.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(prev.get(path[0]!)!);
        path.push(start);
        return path.slice(1).map((to, i) => example.get(`${path[i]}>${to}`)!);
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [];
}

/** Check every import of the repo at `root`. */
export async function checkFolderOrder(root: string = REPO_ROOT, known: readonly string[] = KNOWN_VIOLATIONS): Promise<FolderOrderReport> {
  const edges = await collectImports(root);
  const violations: Violation[] = [];
  const knownFound: Violation[] = [];
  for (const edge of edges) {
    const reason = ruleBroken(edge);
    if (reason === undefined) continue;
    (known.includes(key(edge)) ? knownFound : violations).push({ edge, reason });
  }
  const found = new Set(knownFound.map((v) => key(v.edge)));
  // A known violation is reported as such; the cycle check looks at what is left.
  const cycles = folderCycles(edges.filter((e) => !found.has(key(e))));
  return { violations, known: knownFound, stale: known.filter((k) => !found.has(k)), cycles };
}

/** The report as lines a person can act on; empty when all is well. */
export function describeReport(r: FolderOrderReport): string[] {
  const out: string[] = [];
  for (const v of r.violations) out.push(`${v.edge.from}:${v.edge.line}: import '${v.edge.specifier}' (${v.edge.to}): ${v.reason}`);
  for (const s of r.stale) out.push(`tools/folder-order.ts: KNOWN_VIOLATIONS lists "${s}", which no longer occurs: remove the entry`);
  for (const c of r.cycles) {
    const folders = [topOf(c[0]!.from), ...c.map((e) => topOf(e.to))].join(' -> ');
    out.push(`folder cycle ${folders}: ${c.map((e) => `${e.from}:${e.line} imports '${e.specifier}'`).join('; ')}`);
  }
  return out;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const report = await checkFolderOrder();
  const lines = describeReport(report);
  for (const l of lines) console.error(l);
  if (report.known.length) console.error(`(${report.known.length} known violation(s) still to move, listed in tools/folder-order.ts)`);
  process.exitCode = lines.length ? 1 : 0;
  if (!lines.length) console.log(`folder order ok: ${FOLDER_ORDER.join(' < ')}`);
}
