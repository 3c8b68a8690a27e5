/**
 * Schema issues rewritten for people: what is wrong with the field, and a hint (the allowed keys or
 * values, the closest spelling, the command that prints the right value).
 */
import type { z } from 'zod';
import { shownValue } from '../core/terminal-text.ts';
import type { FieldPath, PathIssue } from './validate.ts';

const FORMAT_HINTS: Record<string, string> = {
  pci: 'use the full address with domain as `lspci -D` prints it on the node',
  mac: 'as `ip link show` prints it, lower-case',
  pciId: '`lspci -nn` shows [vendor:device] at the end of each device line',
  tg: 'write CPUs as the kernel does, e.g. "2-5,8"; `lscpu -e` lists the node\'s CPUs',
  dut: 'write CPUs as the kernel does, e.g. "2-5,8"; `lscpu -e` lists the node\'s CPUs',
  isolated: 'copy it from the isolcpus= of the node\'s /proc/cmdline',
  links: "write each link as 'node.port <-> node.port' with names from nodes and their ports",
  hostKeySha256: 'run `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the host and copy the SHA256:… part',
  name: 'names end up in file names, namespaces and tags: lower-case letters, digits and -, starting with a letter',
  netns: 'names end up in file names, namespaces and tags: lower-case letters, digits and -, starting with a letter',
  namespace: 'a Kubernetes namespace is a DNS label: lower-case letters, digits and -',
};

/** Hints for numbers out of range, by field name. */
const RANGE_HINTS: Record<string, string> = {
  count: 'count is the number of hugepages the lab needs on this node; leave hugepages out when it needs none',
  numaNode: 'NUMA nodes are numbered from 0: `cat /sys/bus/pci/devices/<pci>/numa_node` on the node',
  port: 'a TCP port: 1 to 65535 (ssh listens on 22)',
  keepaliveIntervalMs: 'milliseconds, at most an hour; the default 10000 suits most labs',
  connectTimeoutMs: 'milliseconds, at most an hour; the default 10000 suits most labs',
  retries: 'extra connection attempts after the first, 0 to 10',
};

function lastKey(path: FieldPath): string {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === 'string') return path[i] as string;
  return '';
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null (an empty value)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `string ${shownValue(v)}`;
  return `${typeof v} ${String(v)}`;
}

function article(expected: string): string {
  const names: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', number: 'a number', boolean: 'true or false' };
  return names[expected] ?? expected;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate within a small edit distance, if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  // The distance table is word × candidate: a megabyte-long value is no typo of a 10-letter key.
  if (word.length > 64) return undefined;
  let best: string | undefined;
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
}
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The object keys the schema allows at `path` (following the data through discriminated unions). */
export function allowedKeys(schema: z.ZodType, path: FieldPath, data: unknown): string[] {
  let s: z.ZodType | undefined = schema;
  let d: unknown = data;
  const unwrap = (): void => {
    for (let def = defOf(s!); def.innerType && ['optional', 'default', 'nullable', 'prefault'].includes(def.type); def = defOf(s!)) s = def.innerType;
    const def = defOf(s!);
    if (def.type === 'union' && def.options) {
      const disc = def.discriminator;
      const value = disc && d && typeof d === 'object' ? (d as Record<string, unknown>)[disc] : undefined;
      s = def.options.find((o) => {
        const sh = defOf(o).shape;
        const lit = sh && disc ? defOf(sh[disc]!) : undefined;
        return (lit as { values?: unknown[] } | undefined)?.values?.includes(value);
      }) ?? def.options[0];
    }
  };
  for (const step of path) {
    unwrap();
    const def = defOf(s!);
    if (def.type === 'object' && typeof step === 'string') s = def.shape?.[step];
    else if (def.type === 'array' && typeof step === 'number') s = def.element;
    else return [];
    if (!s) return [];
    d = d && typeof d === 'object' ? (d as Record<string | number, unknown>)[step] : undefined;
  }
  unwrap();
  const def = defOf(s);
  return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

function valueAt(data: unknown, path: FieldPath): unknown {
  let d = data;
  for (const step of path) d = d && typeof d === 'object' ? (d as Record<string | number, unknown>)[step] : undefined;
  return d;
}

/** Turn zod issues into path issues with readable messages and hints. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType, data: unknown, docPage = 'docs/lab.md'): PathIssue[] {
  const out: PathIssue[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const input = valueAt(data, path);
    const key = lastKey(path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = allowedKeys(schema, path, data);
        for (const k of issue.keys) {
          const near = closest(k, allowed);
          out.push({
            path: [...path, k],
            atKey: true,
            message: `unknown key ${shownValue(k)}`,
            hint:
              k === '<<'
                ? `merge keys (<<) are not part of YAML 1.2: alias the whole mapping (*name) or write the keys out; keys allowed here: ${allowed.join(', ')}`
                : `${near ? `did you mean "${near}"? ` : ''}keys allowed here: ${allowed.join(', ')}`,
          });
        }
        break;
      }
      case 'invalid_type':
        if (input === undefined) {
          out.push({
            path,
            message: `missing required field "${key}"`,
            hint: `add ${key}: (${docPage} lists every field)`,
          });
        } else {
          out.push({
            path,
            message: `expected ${article(issue.expected)}, got ${describe(input)}`,
            hint: issue.expected === 'number' ? 'write numbers without quotes' : `${docPage} shows the type of every field`,
          });
        }
        break;
      case 'invalid_value': {
        const values = issue.values.map(String);
        const near = typeof input === 'string' ? closest(input, values) : undefined;
        out.push({
          path,
          message: `${describe(input)} is not one of: ${values.join(', ')}`,
          hint: near ? `did you mean "${near}"?` : `use one of: ${values.join(', ')}`,
        });
        break;
      }
      case 'invalid_union': {
        const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
        if (options.length) {
          const near = typeof input === 'string' ? closest(input, options) : undefined;
          out.push({
            path,
            message: input === undefined ? `missing required field "${key}" (one of: ${options.join(', ')})` : `${describe(input)} is not one of: ${options.join(', ')}`,
            hint: near ? `did you mean "${near}"?` : `use one of: ${options.join(', ')}`,
          });
        } else out.push({ path, message: issue.message, hint: `${docPage} shows the accepted forms` });
        break;
      }
      case 'invalid_format':
        out.push({
          path,
          message: `${issue.message}, got ${describe(input)}`,
          hint: FORMAT_HINTS[key] ?? `${docPage} shows the expected form`,
        });
        break;
      case 'too_small':
        out.push({
          path,
          message:
            issue.origin === 'array'
              ? `needs at least ${issue.minimum} entr${Number(issue.minimum) === 1 ? 'y' : 'ies'}`
              : issue.origin === 'string'
                ? 'must not be empty'
                : issue.inclusive === false
                  ? `must be more than ${issue.minimum}, got ${describe(input)}`
                  : `must be at least ${issue.minimum}, got ${describe(input)}`,
          hint: RANGE_HINTS[key] ?? `${docPage} describes the field`,
        });
        break;
      case 'too_big':
        out.push({
          path,
          message:
            issue.origin === 'array'
              ? `has more than ${issue.maximum} entries`
              : issue.origin === 'string'
                ? `must be at most ${issue.maximum} characters, got ${describe(input)}`
                : issue.inclusive === false
                  ? `must be less than ${issue.maximum}, got ${describe(input)}`
                  : `must be at most ${issue.maximum}, got ${describe(input)}`,
          hint: RANGE_HINTS[key] ?? `${docPage} describes the field`,
        });
        break;
      default:
        out.push({ path, message: issue.message, hint: `${docPage} describes the field` });
    }
  }
  return out;
}
