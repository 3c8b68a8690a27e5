import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { parseLuaTable } from './lua-table.ts';
import { normalizePortStats } from './port-stats.ts';

const fx = (name: string) => readFileSync(new URL(`../../../fixtures/pktgen/${name}`, import.meta.url), 'utf8');

test('flat portStats (<= 25.08, serialize() rendering)', () => {
  const s = normalizePortStats(parseLuaTable(fx('portStats-flat-25.08.txt')));
  expect(s.shape).toBe('flat');
  expect(s.ports.get(0)).toEqual({ ipackets: 9999999, opackets: 10000000, ibytes: 639999936, obytes: 640000000, ierrors: 0, oerrors: 0, rxNombuf: 0, imissed: 0 });
  expect(s.ports.get(1)!.imissed).toBe(12);
});

test('nested portStats (26.02 dump, no commas, call echoed before it)', () => {
  const s = normalizePortStats(parseLuaTable(fx('portStats-nested-26.02.txt')));
  expect(s.shape).toBe('nested');
  expect([...s.ports.keys()]).toEqual([0, 1]);
  expect(s.ports.get(0)).toMatchObject({ ipackets: 100, opackets: 200, oerrors: 1 });
  expect(s.ports.get(1)).toMatchObject({ ipackets: 200, imissed: 3 });
});

test('missing counters and mixed shapes are errors', () => {
  expect(() => normalizePortStats(parseLuaTable('{[0]={["ipackets"]=1},["n"]=1}'))).toThrow(/a number for port 0 opackets/);
  expect(() => normalizePortStats(parseLuaTable('{["n"]=0}'))).toThrow(/at least one port/);
  expect(() => parseLuaTable('{[0] = {["ipackets"] = nil}}')).toThrow(/a number, string, boolean or table/);
  expect(() => parseLuaTable('table: 0x55d0c0a0')).toThrow(/pktgen Lua table/);
});
