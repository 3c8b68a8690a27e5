import { test, expect } from '@playwright/test';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkFolderOrder, describeReport, folderCycles, importsOf, type ImportEdge } from './folder-order.ts';

test('the repository keeps the folder order: no wrong-direction import, no folder cycle, no stale exception', async () => {
  const report = await checkFolderOrder();
  expect(describeReport(report)).toEqual([]);
});

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'wsp-folder-order-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

test('an import from a lower folder to a higher one fails, naming the file, the line and the import', async () => {
  const root = await tree({
    'lab/model.ts': "// the lab model\nimport type { Shell } from '../drivers/shell/shell.ts';\nexport type X = Shell;\n",
    'drivers/shell/shell.ts': "import type { Lab } from '../../lab/model.ts';\nexport interface Shell { lab: Lab }\n",
    'reports/html/x.ts': "export const load = () => import('../../suites/test.ts');\n",
    'suites/test.ts': "export { parse } from '../contract/settings.ts';\nimport '../fixtures/fake.ts';\n",
    'contract/settings.ts': "export const parse = 1;\nconst s = `import x from '../cli/main.ts'`; // a string, not an import\n",
    'fixtures/fake.ts': "import { main } from '../cli/main.ts';\nimport { Shell } from '../drivers/shell/shell.ts';\n",
    'cli/main.ts': "import { parse } from '../contract/settings.ts';\nexport const main = parse;\n",
    'cli/main.test.ts': "import { main } from './main.ts';\nimport { fake } from '../fixtures/fake.ts';\n",
  });
  try {
    const report = await checkFolderOrder(root, ['cli/main.ts -> contract/gone.ts']);
    const lines = describeReport(report);
    expect(lines).toContainEqual(expect.stringMatching(/^lab\/model\.ts:2: import '\.\.\/drivers\/shell\/shell\.ts' \(drivers\/shell\/shell\.ts\): lab\/ is below drivers\//));
    // A dynamic import counts too.
    expect(lines).toContainEqual(expect.stringMatching(/^reports\/html\/x\.ts:1: import '\.\.\/\.\.\/suites\/test\.ts'.*reports\/ is below suites\//));
    // Product code may not lean on a fake; a fake may not lean on the CLI; a test may use both.
    expect(lines).toContainEqual(expect.stringMatching(/^suites\/test\.ts:2: import '\.\.\/fixtures\/fake\.ts'.*for tests and benchmarks only/));
    expect(lines).toContainEqual(expect.stringMatching(/^fixtures\/fake\.ts:1: import '\.\.\/cli\/main\.ts'.*up to contract\//));
    expect(lines.filter((l) => l.startsWith('cli/main.test.ts'))).toEqual([]);
    expect(lines.filter((l) => l.startsWith('contract/settings.ts'))).toEqual([]);
    // An exception that no longer occurs must be removed.
    expect(lines).toContainEqual(expect.stringContaining('KNOWN_VIOLATIONS lists "cli/main.ts -> contract/gone.ts", which no longer occurs'));
    expect(report.violations).toHaveLength(4);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a known violation is tolerated while it exists, and a folder cycle is found with the imports that make it', async () => {
  const root = await tree({
    'lab/model.ts': "import type { Shell } from '../drivers/shell/shell.ts';\n",
    'drivers/shell/shell.ts': "import type { Lab } from '../../lab/model.ts';\n",
  });
  try {
    const report = await checkFolderOrder(root, ['lab/model.ts -> drivers/shell/shell.ts']);
    expect(describeReport(report)).toEqual([]);
    expect(report.known.map((v) => v.edge.from)).toEqual(['lab/model.ts']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  const edge = (from: string, to: string, line = 1): ImportEdge => ({ from, to, specifier: to, line });
  const cycles = folderCycles([
    edge('lab/model.ts', 'drivers/shell/shell.ts', 5),
    edge('drivers/shell/shell.ts', 'core/errors.ts'),
    edge('drivers/x.ts', 'lab/model.ts', 3),
    // Tests are leaves: a test importing upwards makes no cycle.
    edge('core/errors.test.ts', 'lab/model.ts'),
  ]);
  expect(cycles).toHaveLength(1);
  expect(cycles[0]!.map((e) => `${e.from}:${e.line}`)).toEqual(['drivers/x.ts:3', 'lab/model.ts:5']);
});

test('imports are read from the syntax tree: type imports, re-exports and import() count; comments, strings and regexes do not', () => {
  const text = [
    "import type { A } from './a.ts';",
    "export * from '../b.ts';",
    '// import { c } from "./c.ts";',
    "const d = await import('./d.ts');",
    "const e = \"import x from './e.ts'\";",
    "import { f } from 'node:fs';",
    "const g = /import '.\\/g.ts'/;",
    "type H = import('./h.ts').H;",
  ].join('\n');
  expect(importsOf(text)).toEqual([
    { specifier: './a.ts', line: 1 },
    { specifier: '../b.ts', line: 2 },
    { specifier: './d.ts', line: 4 },
    { specifier: './h.ts', line: 8 },
  ]);
});
