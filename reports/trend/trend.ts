/**
 * Trend over a history of runs (a folder of run directories): per scenario and figure, the series in run
 * order classified by method/trend.ts (MDL grouping, no hand-tuned threshold). A regression in the last
 * group fails a nightly job.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { classifyTrend, type TrendLabel, type TrendResult } from '../../method/trend.ts';
import { ConfigError } from '../../core/errors.ts';
import { generatorsOf, runView, throughputSamples, type RunView } from '../model/run-view.ts';
import { readRun, RECORDS_FILE } from '../store/jsonl.ts';

export type TrendFigure = 'ndr' | 'pdr' | 'mrr';

export interface SeriesPoint {
  readonly runId: string;
  /** Start of the run (ISO). */
  readonly at: string;
  /** Mean of the run's samples of the figure. */
  readonly value: number;
}

export interface ScenarioTrend {
  readonly scenarioId: string;
  /** The generator of every point of the series (a series never mixes generators); absent when not recorded. */
  readonly generator?: string;
  readonly figure: TrendFigure;
  readonly points: readonly SeriesPoint[];
  readonly label: TrendLabel;
  readonly changeRel: number;
  readonly groups: TrendResult['groups'];
}

export interface HistoryTrend {
  readonly runs: readonly { readonly runId: string; readonly dir: string; readonly at: string; readonly partial: boolean; readonly unreadable: number }[];
  readonly trends: readonly ScenarioTrend[];
  readonly regressions: readonly ScenarioTrend[];
  readonly progressions: readonly ScenarioTrend[];
}

/** Read every run directory under `historyDir` (those holding records.jsonl), oldest first. */
export async function readHistory(historyDir: string): Promise<RunView[]> {
  const entries = await readdir(historyDir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    throw new ConfigError(`cannot read history folder ${historyDir}: ${e.code ?? e.message}`, { hint: 'give a folder whose sub-folders are run directories (results/)' });
  });
  const views: RunView[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const dir = join(historyDir, e.name);
    if (!(await stat(join(dir, RECORDS_FILE)).catch(() => null))) continue;
    views.push(runView(await readRun(dir)));
  }
  if (views.length === 0) throw new ConfigError(`no runs under ${historyDir}`, { hint: `each run is a sub-folder holding ${RECORDS_FILE}` });
  return views.sort((x, y) => startOf(x).localeCompare(startOf(y)) || x.runId.localeCompare(y.runId));
}

/** Classify each scenario's series (NDR, PDR, MRR) over the runs, oldest first. */
export function trendOf(views: readonly RunView[], figures: readonly TrendFigure[] = ['ndr', 'pdr', 'mrr']): HistoryTrend {
  const ids: string[] = [];
  for (const v of views) for (const id of v.resultsByScenario.keys()) if (!ids.includes(id)) ids.push(id);
  const trends: ScenarioTrend[] = [];
  for (const id of ids) {
    // One series per generator: a change of tester is not a change of the datapath.
    const generators = [...new Set(views.map((v) => generatorsOf(passed(v, id))))];
    for (const generator of generators) {
      for (const fig of figures) {
        const points: SeriesPoint[] = [];
        for (const v of views) {
          const rs = passed(v, id);
          if (generatorsOf(rs) !== generator) continue;
          const samples = throughputSamples(rs, fig, { measuredOnly: true });
          if (samples.length) points.push({ runId: v.runId, at: startOf(v), value: samples.reduce((s, x) => s + x, 0) / samples.length });
        }
        if (points.length === 0) continue;
        const t = classifyTrend(points.map((p) => p.value), { higherIsBetter: true });
        trends.push({ scenarioId: id, ...(generator === undefined ? {} : { generator }), figure: fig, points, label: t.last, changeRel: t.changeRel, groups: t.groups });
      }
    }
  }
  return {
    runs: views.map((v) => ({ runId: v.runId, dir: v.dir, at: startOf(v), partial: v.partial, unreadable: v.errors.length })),
    trends,
    regressions: trends.filter((t) => t.label === 'regression'),
    progressions: trends.filter((t) => t.label === 'progression'),
  };
}

function passed(v: RunView, id: string) {
  return (v.resultsByScenario.get(id) ?? []).filter((r) => r.status !== 'skipped');
}

function startOf(v: RunView): string {
  return v.start?.startedAt ?? v.lastAt ?? '';
}
