/**
 * A run as the reports see it: records grouped by kind and scenario, the latest result per scenario and
 * repeat, and what a partial run was doing when it stopped. Pure: built from readRun()'s output.
 */
import type { FailureRecord, GeneratorSelfTestRecord, ResultRecord, RunEndRecord, RunRecord, RunStartRecord, SkipRecord, TrialRecord } from '../schema/record.ts';
import type { RecordError, RunRead } from '../store/jsonl.ts';

/** A scenario that did not run, and why: from a `skip` record, or a result with status skipped. */
export interface SkipEntry {
  readonly scenarioId?: string;
  /** Test title, or the scenario id when only a result record says it was skipped. */
  readonly test: string;
  readonly project?: string;
  readonly datapath?: string;
  readonly reason: string;
  readonly capability?: string;
}

/** A test that failed before its scenario had a result (from a `failure` record). */
export interface FailureEntry {
  readonly scenarioId?: string;
  readonly test: string;
  readonly project: string;
  readonly datapath?: string;
  readonly error: string;
  readonly errorClass?: string;
}

export interface RunView {
  readonly dir: string;
  readonly runId: string;
  readonly partial: boolean;
  readonly errors: readonly RecordError[];
  readonly start: RunStartRecord | undefined;
  readonly end: RunEndRecord | undefined;
  /** One result per scenario (repeats of a scenario merged by `resultsByScenario`), in record order. */
  readonly results: readonly ResultRecord[];
  /** Every result record of a scenario (repeats), keyed by scenario id. */
  readonly resultsByScenario: ReadonlyMap<string, readonly ResultRecord[]>;
  readonly trialsByScenario: ReadonlyMap<string, readonly TrialRecord[]>;
  readonly selfTests: readonly GeneratorSelfTestRecord[];
  /** Every skipped scenario with its reason: the one count summary, JUnit and HTML all report. */
  readonly skips: readonly SkipEntry[];
  /** Tests that failed without a result record: counted as failed beside the failed results. */
  readonly failures: readonly FailureEntry[];
  /** Scenarios with trials but no result: running when the run stopped. */
  readonly unfinished: readonly string[];
  /** Time of the last record. */
  readonly lastAt: string | undefined;
}

export function runView(read: RunRead): RunView {
  return viewOf(read.records, { dir: read.dir, partial: read.partial, errors: read.errors });
}

export function viewOf(records: readonly RunRecord[], meta: { dir: string; partial: boolean; errors: readonly RecordError[] }): RunView {
  let start: RunStartRecord | undefined;
  let end: RunEndRecord | undefined;
  const resultsByScenario = new Map<string, ResultRecord[]>();
  const trialsByScenario = new Map<string, TrialRecord[]>();
  const selfTests: GeneratorSelfTestRecord[] = [];
  const skipRecords: SkipRecord[] = [];
  const failureRecords: FailureRecord[] = [];
  for (const r of records) {
    switch (r.kind) {
      case 'run-start':
        start ??= r;
        break;
      case 'run-end':
        end = r;
        break;
      case 'trial':
        push(trialsByScenario, r.scenarioId, r);
        break;
      case 'result':
        push(resultsByScenario, r.scenarioId, r);
        break;
      case 'generator-selftest':
        selfTests.push(r);
        break;
      case 'skip':
        skipRecords.push(r);
        break;
      case 'failure':
        failureRecords.push(r);
        break;
    }
  }
  const results = [...resultsByScenario.values()].map((rs) => rs[rs.length - 1]!);
  const unfinished = [...trialsByScenario.keys()].filter((id) => !resultsByScenario.has(id));
  const skips: SkipEntry[] = skipRecords.map((s) => ({
    ...(s.scenarioId === undefined ? {} : { scenarioId: s.scenarioId }),
    test: s.test,
    project: s.project,
    ...(s.datapath === undefined ? {} : { datapath: s.datapath }),
    reason: s.reason,
    ...(s.capability === undefined ? {} : { capability: s.capability }),
  }));
  // Records before v3 (and scenarios that wrote their own result) say "skipped" in a result only.
  const skippedIds = new Set(skips.flatMap((s) => (s.scenarioId === undefined ? [] : [s.scenarioId])));
  for (const r of results) {
    if (r.status === 'skipped' && !skippedIds.has(r.scenarioId)) {
      skips.push({ scenarioId: r.scenarioId, test: r.scenarioId, datapath: r.datapath, reason: r.reason ?? 'skipped' });
    }
  }
  const failures: FailureEntry[] = failureRecords.map((f) => ({
    ...(f.scenarioId === undefined ? {} : { scenarioId: f.scenarioId }),
    test: f.test,
    project: f.project,
    ...(f.datapath === undefined ? {} : { datapath: f.datapath }),
    error: f.error,
    ...(f.errorClass === undefined ? {} : { errorClass: f.errorClass }),
  }));
  return {
    dir: meta.dir,
    runId: start?.runId ?? records[0]?.runId ?? 'unknown',
    partial: meta.partial,
    errors: meta.errors,
    start,
    end,
    results,
    resultsByScenario,
    trialsByScenario,
    selfTests,
    skips,
    failures,
    unfinished,
    lastAt: records.at(-1)?.at,
  };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/**
 * Samples of a throughput figure for statistics: the repeats of each search when recorded, else the lower
 * bound of every result record of the scenario (one per repeat). With `measuredOnly` (what compare and
 * trend use), figures that are not the DUT's are left out: bounds marked max-load or irregular, and an
 * MRR the generator could not offer.
 */
export function throughputSamples(results: readonly ResultRecord[], figure: 'ndr' | 'pdr' | 'mrr', opts: { measuredOnly?: boolean } = {}): number[] {
  const out: number[] = [];
  for (const r of results) {
    if (figure === 'mrr') {
      if (r.mrr && !(opts.measuredOnly && r.mrr.boundedBy === 'generator')) out.push(...r.mrr.receivedPps);
      continue;
    }
    const b = r[figure];
    if (!b || (opts.measuredOnly && b.mark !== undefined)) continue;
    if (b.repeatsPps && b.repeatsPps.length > 0) out.push(...b.repeatsPps);
    else out.push(b.lowerBoundPps);
  }
  return out;
}

/** Aggregate line rate the scenario's traffic can use: per-port rate times ports crossed per direction. */
export function aggregateLineRateBps(r: ResultRecord): number | undefined {
  if (r.lineRateBps === undefined) return undefined;
  return r.lineRateBps * (r.direction === 'bidirectional' ? r.ports : Math.max(1, r.ports / 2));
}

/** The load a latency summary quotes: the highest fraction of PDR, else the highest absolute load. */
export function highestLoad<T extends { fractionOfPdr?: number; loadPps: number }>(loads: readonly T[]): T {
  return loads.reduce((a, b) => ((b.fractionOfPdr ?? -1) > (a.fractionOfPdr ?? -1) || ((b.fractionOfPdr ?? -1) === (a.fractionOfPdr ?? -1) && b.loadPps > a.loadPps) ? b : a));
}

/** The generator kinds of a scenario's results ("wsp-gen", "pktgen+wsp-gen"), or undefined when none recorded one. */
export function generatorsOf(rs: readonly ResultRecord[]): string | undefined {
  const kinds = [...new Set(rs.flatMap((r) => (r.generator ? [r.generator.kind] : [])))].sort();
  return kinds.length === 0 ? undefined : kinds.join('+');
}

/** Failed scenarios: failed results plus tests that failed before writing one. */
export function failedCount(view: RunView): number {
  return view.results.filter((r) => r.status === 'failed').length + view.failures.length;
}

/** How a failure without a result is named in reports: its scenario id, else "[project] test title". */
export function failureName(f: FailureEntry): string {
  return f.scenarioId ?? `${f.project ? `[${f.project}] ` : ''}${f.test}`;
}
