/** Validation of run records with messages that name the offending field (`trial.lossRatio: ...`). */
import type { z } from 'zod';
import { ConfigError } from '../../core/errors.ts';
import { READABLE_SCHEMA_VERSIONS, RECORD_KINDS, runRecordSchema, SCHEMA_VERSION, type RunRecord } from './record.ts';

/** Where a record came from, for messages: "results/r1/records.jsonl:12". */
export interface RecordOrigin {
  readonly where?: string;
}

/** Validate one record; throws ConfigError naming the field, the kind and the record's origin. */
export function parseRecord(value: unknown, origin: RecordOrigin = {}): RunRecord {
  const problem = checkEnvelope(value);
  if (problem) throw new ConfigError(problem.what, { ...whereOf(origin), hint: problem.hint });
  value = upgrade(value as Record<string, unknown>);
  const parsed = runRecordSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const kind = (value as { kind: string }).kind;
  const lines = parsed.error.issues.slice(0, 5).map((i) => `  ${formatPath(i.path)}: ${describeIssue(i, value)}`);
  const more = parsed.error.issues.length > 5 ? `\n  (+${parsed.error.issues.length - 5} more)` : '';
  throw new ConfigError(`invalid '${kind}' record:\n${lines.join('\n')}${more}`, {
    ...whereOf(origin),
    hint: `the record does not match schemaVersion ${SCHEMA_VERSION} (reports/schema/record.ts); fix the code that wrote it`,
  });
}

/** Like parseRecord, but returns the message instead of throwing. */
export function safeParseRecord(
  value: unknown,
  origin: RecordOrigin = {},
): { ok: true; record: RunRecord } | { ok: false; message: string } {
  try {
    return { ok: true, record: parseRecord(value, origin) };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, message: err.message };
    throw err;
  }
}

/** An older record in today's shape (see READABLE_SCHEMA_VERSIONS); the input is not changed. */
function upgrade(v: Record<string, unknown>): Record<string, unknown> {
  if (v.schemaVersion === SCHEMA_VERSION) return v;
  // 1 -> 2: a v1 trial counted loss against attempted packets.
  const trial = v.trial as Record<string, unknown> | undefined;
  if (v.kind !== 'trial' || typeof trial !== 'object' || trial === null) return { ...v, schemaVersion: SCHEMA_VERSION };
  const withRequested = (t: Record<string, unknown>) => ('requested' in t ? t : { ...t, requested: t.attempted });
  const directions = Array.isArray(trial.directions) ? trial.directions.map((d) => (typeof d === 'object' && d !== null ? withRequested(d as Record<string, unknown>) : d)) : trial.directions;
  return { ...v, schemaVersion: SCHEMA_VERSION, trial: { ...withRequested(trial), directions } };
}

function whereOf(origin: RecordOrigin): { where?: string } {
  return origin.where === undefined ? {} : { where: origin.where };
}

/** Checks the fields that decide how to read the rest, so their errors come first and plainly. */
function checkEnvelope(value: unknown): { what: string; hint: string } | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { what: `a record must be a JSON object, got ${describeValue(value)}`, hint: 'each line of records.jsonl holds one object' };
  }
  const v = value as Record<string, unknown>;
  if (!('schemaVersion' in v)) {
    return { what: 'record has no schemaVersion', hint: `records written by this wirespeed have schemaVersion ${SCHEMA_VERSION}` };
  }
  if (typeof v.schemaVersion !== 'number' || !READABLE_SCHEMA_VERSIONS.includes(v.schemaVersion)) {
    const newer = typeof v.schemaVersion === 'number' && v.schemaVersion > SCHEMA_VERSION;
    return {
      what: `schemaVersion ${JSON.stringify(v.schemaVersion)} is not supported (this wirespeed reads ${READABLE_SCHEMA_VERSIONS.join(', ')})`,
      hint: newer ? 'the record was written by a newer wirespeed: upgrade to read it' : 'the file is not a wirespeed record file or is corrupt',
    };
  }
  if (typeof v.kind !== 'string' || !(RECORD_KINDS as readonly string[]).includes(v.kind)) {
    return {
      what: `kind: ${'kind' in v ? `unknown record kind ${JSON.stringify(v.kind)}` : 'missing'}`,
      hint: `kind must be one of ${RECORD_KINDS.join(', ')}`,
    };
  }
  return null;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(record)';
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  const text = issue.message.replace(/^Invalid input: /, '').replace(/^Invalid option: /, '');
  if (issue.code !== 'custom' && issue.path.length > 0 && valueAt(input, issue.path) === undefined) return `missing (${text.replace(/, received undefined$/, '')})`;
  return text;
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v = input;
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}
