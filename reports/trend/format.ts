/** Terminal output of `wirespeed trend`. */
import { fmtDelta, fmtMpps } from '../model/format.ts';
import { textTable } from '../model/text-table.ts';
import type { HistoryTrend } from './trend.ts';

export function formatTrend(h: HistoryTrend): string {
  const rows: string[][] = [['SCENARIO', 'FIGURE', 'RUNS', 'LAST Mpps', 'GROUPS', 'CHANGE', 'TREND']];
  for (const t of h.trends) {
    rows.push([
      t.generator === undefined ? t.scenarioId : `${t.scenarioId} [${t.generator}]`,
      t.figure.toUpperCase(),
      String(t.points.length),
      fmtMpps(t.points.at(-1)!.value),
      String(t.groups.length),
      t.groups.length > 1 ? fmtDelta(t.changeRel) : '',
      t.label === 'regression' ? 'REGRESSION' : t.label,
    ]);
  }
  const first = h.runs[0];
  const last = h.runs.at(-1);
  const out = [`trend over ${h.runs.length} runs${first && last ? ` (${first.runId} … ${last.runId})` : ''}`, '', textTable(rows, [2, 3, 4, 5])];
  const partial = h.runs.filter((r) => r.partial).length;
  if (partial) out.push('', `${partial} partial run(s) included: their recorded results count.`);
  out.push(
    '',
    h.regressions.length
      ? `REGRESSION in ${h.regressions.length} series: ${h.regressions.map((t) => `${t.scenarioId} ${t.figure.toUpperCase()} ${fmtDelta(t.changeRel)}`).join(', ')}`
      : `no regression (${h.progressions.length} progression${h.progressions.length === 1 ? '' : 's'})`,
  );
  return out.join('\n') + '\n';
}
