import { test, expect } from '@playwright/test';
import { existsSync, rmSync } from 'node:fs';
import { localShell } from './local.ts';
import { quote, quoteArg } from './quote.ts';

const canary = `/tmp/wsp-quote-canary-${process.pid}`;

const hostile = [
  `$(touch ${canary})`,
  `\`touch ${canary}\``,
  `'; touch ${canary}; echo '`,
  `"; touch ${canary}; echo "`,
  `a\nb\ntouch ${canary}`,
  `x; touch ${canary}`,
  `x && touch ${canary} || touch ${canary}`,
  `| touch ${canary}`,
  `> ${canary}`,
  '*',
  '/etc/*',
  '?',
  '[a-z]',
  '~root',
  '$HOME',
  '${HOME}',
  '\\',
  "it's",
  "''",
  '"',
  '',
  ' leading and trailing ',
  '\t',
  '!',
  '#comment',
  'ünïcødé ✓',
  '-n',
  '--x=1',
];

test.afterEach(() => rmSync(canary, { force: true }));

test('plain arguments stay readable, everything else is single-quoted', () => {
  expect(quote(['ip', 'link', 'set', 'dev', 'p0', 'up'])).toBe('ip link set dev p0 up');
  expect(quote(['echo', 'a b'])).toBe("echo 'a b'");
  expect(quoteArg("it's")).toBe(`'it'\\''s'`);
  expect(quoteArg('')).toBe("''");
  expect(quoteArg('$(x)')).toBe("'$(x)'");
});

test('hostile strings pass through sh -c byte-identical and never execute', async () => {
  const sh = localShell();
  // printf '%s\0' prints each argument exactly, NUL-separated, so we can compare byte for byte.
  const script = quote(['printf', '%s\\0', ...hostile]);
  const r = await sh.run(['sh', '-c', script]);
  expect(r.stdout.split('\0').slice(0, -1)).toEqual(hostile);
  expect(existsSync(canary)).toBe(false);
});

test('each hostile string alone as a command word is data, not code', async () => {
  const sh = localShell();
  for (const h of hostile) {
    const r = await sh.exec({ script: `set -- ${quote([h])}; printf %s "$1"` });
    expect(r.stdout, `for ${JSON.stringify(h)}`).toBe(h);
  }
  expect(existsSync(canary)).toBe(false);
});
