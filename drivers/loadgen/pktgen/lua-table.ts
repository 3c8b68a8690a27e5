/**
 * A reader for Lua table literals as pktgen's `serialize()`/`prints()` and `port_stats_dump.lua` print them:
 * `{ [0] = { ["ipackets"] = 1, ... }, ["n"] = 2 }`. Separators (`,` or `;`) are optional because the
 * 26.02 dump prints one field per line without commas. Values: integers, floats, strings, booleans, tables.
 */
import { outputFormatError } from '../../host/output-format-error.ts';

export type LuaValue = number | string | boolean | LuaTable;
export interface LuaTable {
  [key: string]: LuaValue;
}

/** Parse one Lua table literal (optionally `name = {...}` or `return {...}`). */
export function parseLuaTable(text: string, tool = 'pktgen Lua table'): LuaTable {
  let pos = 0;
  const fail = (expected: string): never => {
    const line = text.slice(0, pos).split('\n').length;
    throw outputFormatError(tool, expected, text.slice(pos, pos + 40), line);
  };
  const ws = (): void => {
    for (;;) {
      const m = /^(\s+|--[^\n]*)/.exec(text.slice(pos));
      if (!m) return;
      pos += m[0].length;
    }
  };
  const value = (): LuaValue => {
    ws();
    const rest = text.slice(pos);
    if (rest.startsWith('{')) return table();
    let m: RegExpExecArray | null;
    if ((m = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/.exec(rest))) {
      pos += m[0].length;
      return Number(m[0]);
    }
    if ((m = /^"((?:[^"\\]|\\.)*)"/.exec(rest))) {
      pos += m[0].length;
      return m[1]!.replace(/\\(.)/g, '$1');
    }
    if ((m = /^(true|false)\b/.exec(rest))) {
      pos += m[0].length;
      return m[0] === 'true';
    }
    return fail('a number, string, boolean or table');
  };
  const table = (): LuaTable => {
    if (text[pos] !== '{') fail("'{'");
    pos++;
    const t: LuaTable = {};
    let nextIndex = 1;
    for (;;) {
      ws();
      if (text[pos] === '}') {
        pos++;
        return t;
      }
      let key: string;
      const rest = text.slice(pos);
      let m: RegExpExecArray | null;
      if ((m = /^\[\s*(-?\d+)\s*\]\s*=/.exec(rest)) || (m = /^\[\s*"((?:[^"\\]|\\.)*)"\s*\]\s*=/.exec(rest)) || (m = /^([A-Za-z_]\w*)\s*=/.exec(rest))) {
        key = m[1]!;
        pos += m[0].length;
      } else {
        key = String(nextIndex++);
      }
      t[key] = value();
      ws();
      if (text[pos] === ',' || text[pos] === ';') pos++;
    }
  };
  ws();
  const pre = /^(?:return\s+|[A-Za-z_][\w.]*(?:\([^)]*\))?\s*=\s*|[A-Za-z_][\w.]*\([^)]*\)\s*)/.exec(text.slice(pos));
  if (pre && text.slice(pos + pre[0].length).trimStart().startsWith('{')) pos += pre[0].length;
  ws();
  const t = table();
  ws();
  if (pos < text.length) fail('end of input after the table');
  return t;
}
