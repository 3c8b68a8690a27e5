/**
 * The JSONL record store: `results/<run-id>/records.jsonl`, one validated record per line, appended and
 * fsynced before append() resolves, so a run killed half-way keeps everything already measured.
 * After the file, each record goes to the sinks (InfluxDB, ...), whose failures never fail the run.
 */
import { mkdir, open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.ts';
import { parseRecord, safeParseRecord } from '../schema/parse-record.ts';
import { SCHEMA_VERSION, type RecordDraft, type RunRecord } from '../schema/record.ts';
import type { ResultSink } from './sink.ts';

export const RECORDS_FILE = 'records.jsonl';

export interface RecordStore {
  readonly runId: string;
  /** The run directory, `results/<run-id>`. */
  readonly dir: string;
  /** Validate, append and fsync one record, then hand it to the sinks. Throws ConfigError on an invalid record. */
  append(record: RunRecord): Promise<void>;
  /** Fill in schemaVersion, runId and `at` (now), then append. */
  write(draft: RecordDraft): Promise<RunRecord>;
  /** Close the file and the sinks (bounded by the sinks' own timeouts). Idempotent. */
  close(): Promise<void>;
}

export interface OpenRunOptions {
  /** Parent of run directories; default "results". */
  readonly resultsDir?: string;
  readonly sinks?: readonly ResultSink[];
  /** Called with a sink's problem (message free of secrets); default: ignored (see sink.status()). */
  readonly onSinkError?: (sink: string, message: string) => void;
}

/** Open (create or append to) the store of a run in `<resultsDir>/<runId>/records.jsonl`. */
export async function openRunStore(runId: string, options: OpenRunOptions = {}): Promise<RecordStore> {
  const dir = join(options.resultsDir ?? 'results', runId);
  await mkdir(dir, { recursive: true });
  const fh = await open(join(dir, RECORDS_FILE), 'a');
  return new JsonlRecordStore(runId, dir, fh, options.sinks ?? [], options.onSinkError ?? (() => {}));
}

class JsonlRecordStore implements RecordStore {
  #tail: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    readonly runId: string,
    readonly dir: string,
    private readonly fh: FileHandle,
    private readonly sinks: readonly ResultSink[],
    private readonly onSinkError: (sink: string, message: string) => void,
  ) {}

  append(record: RunRecord): Promise<void> {
    // Validate before anything is written: a bad record must not reach the file or a sink.
    const valid = parseRecord(record, { where: join(this.dir, RECORDS_FILE) });
    if (valid.runId !== this.runId) {
      throw new ConfigError(`record runId "${valid.runId}" does not match the store's run "${this.runId}"`, {
        where: join(this.dir, RECORDS_FILE),
        hint: 'write records of one run into its own store',
      });
    }
    if (this.#closed) throw new ConfigError(`record store of run ${this.runId} is closed`, { hint: 'append before close()' });
    // Appends are serialized so lines never interleave and order on disk is call order.
    const next = this.#tail.then(async () => {
      await this.fh.write(JSON.stringify(valid) + '\n');
      await this.fh.sync();
      for (const sink of this.sinks) {
        try {
          await sink.write(valid);
        } catch (err) {
          this.onSinkError(sink.name, err instanceof Error ? err.message : String(err));
        }
      }
    });
    this.#tail = next.catch(() => {});
    return next;
  }

  async write(draft: RecordDraft): Promise<RunRecord> {
    const record = { ...draft, schemaVersion: SCHEMA_VERSION, runId: this.runId, at: new Date().toISOString() } as RunRecord;
    await this.append(record);
    return record;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail;
    await this.fh.close();
    for (const sink of this.sinks) {
      try {
        await sink.close();
      } catch (err) {
        this.onSinkError(sink.name, err instanceof Error ? err.message : String(err));
      }
    }
  }
}

export interface RecordError {
  /** 1-based line in records.jsonl. */
  readonly line: number;
  readonly message: string;
}

export interface RunRead {
  readonly dir: string;
  readonly runId: string | undefined;
  readonly records: RunRecord[];
  /** True when the run has no run-end record (killed, crashed or still running). */
  readonly partial: boolean;
  /** Lines that could not be read (a line cut by a crash, a corrupt record); the rest is still returned. */
  readonly errors: RecordError[];
}

/** Read a run directory (or a records.jsonl path); tolerant of a cut last line, strict per record. */
export async function readRun(dirOrFile: string): Promise<RunRead> {
  let file = dirOrFile;
  let dir = dirOrFile;
  const st = await stat(dirOrFile).catch(() => null);
  if (!st) {
    throw new ConfigError(`no run at ${dirOrFile}`, { hint: 'give a run directory such as results/<run-id> (it holds records.jsonl)' });
  }
  if (st.isDirectory()) file = join(dirOrFile, RECORDS_FILE);
  else dir = join(dirOrFile, '..');
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new ConfigError(`cannot read ${file}: ${err.code ?? err.message}`, {
      hint: 'a run directory holds records.jsonl written by `wirespeed run`',
    });
  });
  const records: RunRecord[] = [];
  const errors: RecordError[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      const cut = i === lines.length - 1; // no newline after it: the writer died mid-line
      errors.push({ line: i + 1, message: `${where}: ${cut ? 'last line is cut short (the run was killed while writing it)' : 'not valid JSON'}` });
      return;
    }
    const r = safeParseRecord(value, { where });
    if (r.ok) records.push(r.record);
    else errors.push({ line: i + 1, message: r.message });
  });
  const runId = records[0]?.runId;
  const partial = !records.some((r) => r.kind === 'run-end');
  return { dir, runId, records, partial, errors };
}
