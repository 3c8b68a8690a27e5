/** Terminal output of `wirespeed compare`. */
import { fmtDelta, fmtMpps, fmtPct, fmtUs } from '../model/format.ts';
import { textTable } from '../model/text-table.ts';
import type { RunComparison } from './compare.ts';

/** "(n=3, CV 1.2 %)": the repeats behind a mean and their repeatability. */
function side(x: { n: number; cv: number }): string {
  return Number.isFinite(x.cv) ? `(n=${x.n}, CV ${fmtPct(x.cv)})` : `(n=${x.n})`;
}

export function formatComparison(c: RunComparison): string {
  const rows: string[][] = [['SCENARIO', 'FIGURE', 'A', 'B', 'DELTA', '95% CI', 'P', 'VERDICT']];
  for (const s of c.scenarios) {
    for (const f of s.figures) {
      const v = (x: number) => (f.unit === 'pps' ? `${fmtMpps(x)} Mpps` : `${fmtUs(x)} µs`);
      rows.push([
        f === s.figures[0] ? s.scenarioId : '',
        f.figure.toUpperCase(),
        `${v(f.a.mean)} ${side(f.a)}`,
        `${v(f.b.mean)} ${side(f.b)}`,
        fmtDelta(f.deltaRel),
        f.method === 'welch' ? `${fmtDelta(f.ciLow)} … ${fmtDelta(f.ciHigh)}` : 'n/a (single sample)',
        f.pValue === null ? '–' : f.pValue < 0.001 ? '<0.001' : f.pValue.toFixed(3),
        f.figure === s.primary ? f.verdict.toUpperCase() : f.verdict,
      ]);
    }
  }
  const out = [`compare A=${c.a.runId} (baseline) with B=${c.b.runId} (candidate)${c.a.partial || c.b.partial ? '  [partial run involved]' : ''}`, ''];
  out.push(c.scenarios.length ? textTable(rows, [4]) : '(no scenario with results in both runs)');
  if (c.onlyInA.length) out.push('', `only in A: ${c.onlyInA.join(', ')}`);
  if (c.onlyInB.length) out.push('', `only in B: ${c.onlyInB.join(', ')}`);
  if (c.differentGenerators.length) {
    out.push('', `not compared, measured with different generators: ${c.differentGenerators.map((d) => `${d.scenarioId} (A ${d.a}, B ${d.b})`).join(', ')}`);
  }
  out.push('', `${c.scenarios.length} scenarios: ${c.counts.better} better, ${c.counts.worse} worse, ${c.counts.same} same (verdict by the first figure in capitals; Welch's t-test, alpha 0.05)`);
  return out.join('\n') + '\n';
}
