/**
 * Every pktgen Lua call the driver made in the recorded sessions, against what each version's
 * app/lpktgenlib.c registers (fixtures/pktgen/pktgen-<version>-lua-api.json, extracted from upstream's
 * source by fixtures/pktgen/extract-lua-api.ts): the versions wirespeed cannot build here run the same
 * Lua, or the version table (pktgen-version.ts) says what they lack.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import type { LuaApiFacts } from '../../../fixtures/pktgen/extract-lua-api.ts';
import { parsePktgenVersion, pktgenFeatures } from './pktgen-version.ts';
import { readTranscript } from './transcript.ts';

const dir = fileURLToPath(new URL('../../../fixtures/pktgen/', import.meta.url));
const files = readdirSync(dir);
const apis = files.filter((f) => f.endsWith('-lua-api.json')).map((f) => JSON.parse(readFileSync(dir + f, 'utf8')) as LuaApiFacts);
const bodies = files.filter((f) => /^pktgen-.*\.jsonl$/.test(f)).flatMap((f) => readTranscript(dir + f).exchanges.map((e) => e.body));

/** `pktgen.<name>(<args>)` calls with their argument count (the driver's bodies: literal args, no nesting but a table). */
function calls(body: string): { name: string; args: string[] }[] {
  const out: { name: string; args: string[] }[] = [];
  for (const m of body.matchAll(/pktgen\.((?:range\.)?[A-Za-z_]+)\(((?:[^()"]|"(?:[^"\\]|\\.)*")*)\)/g)) {
    const args = [...m[2]!.matchAll(/"(?:[^"\\]|\\.)*"|[^,\s][^,]*/g)].map((a) => a[0].trim());
    out.push({ name: m[1]!, args });
  }
  return out;
}

test('the facts cover the versions of the table and the recordings have calls to check', () => {
  expect(apis.map((a) => a.pktgen).sort()).toEqual(expect.arrayContaining(['23.03.0', '23.06.1', '24.10.3', '25.08.2', '26.02.4']));
  expect(apis.every((a) => a.source === 'upstream-source' && a.made.includes('app/lpktgenlib.c'))).toBe(true);
  expect(bodies.flatMap(calls).length).toBeGreaterThan(20);
});

for (const api of apis) {
  test(`pktgen ${api.pktgen}: every call of the recorded sessions exists with that many arguments`, () => {
    const f = pktgenFeatures(parsePktgenVersion(api.pktgen));
    const problems: string[] = [];
    for (const c of bodies.flatMap(calls)) {
      if (c.name === 'info') continue;
      const arity = api.functions[c.name];
      // What the version table already says the session will not ask of this version.
      if (c.name === 'latency' && c.args.length === 3 && !f.latencyRate) continue;
      if (arity === undefined) problems.push(`pktgen.${c.name} is not registered`);
      else if (arity.length > 0 && !arity.includes(c.args.length)) problems.push(`pktgen.${c.name} with ${c.args.length} arguments (takes ${arity.join(' or ')})`);
      if (c.name === 'set' && !api.setWhat.includes(JSON.parse(c.args[1] ?? '""') as string)) problems.push(`pktgen.set ${c.args[1]}`);
    }
    expect([...new Set(problems)]).toEqual([]);
  });
}
