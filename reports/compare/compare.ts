/**
 * A/B comparison of two runs, per scenario and figure: relative change of B against A with its 95 %
 * confidence interval, Welch's p-value and a verdict, all from method/statistics.ts.
 */
import { compareSamples, summarizeRepeats, type Comparison, type Verdict } from '../../method/statistics.ts';
import { generatorsOf, highestLoad, throughputSamples, type RunView } from '../model/run-view.ts';
import type { ResultRecord } from '../schema/record.ts';

export type Figure = 'ndr' | 'pdr' | 'mrr' | 'latency-p99';

export interface FigureComparison extends Comparison {
  readonly figure: Figure;
  readonly unit: 'pps' | 'ns';
  readonly higherIsBetter: boolean;
  /** Repeats of each side: how many, their mean, and their repeatability (stdev / mean; NaN for one). */
  readonly a: { readonly n: number; readonly mean: number; readonly cv: number };
  readonly b: { readonly n: number; readonly mean: number; readonly cv: number };
}

export interface ScenarioComparison {
  readonly scenarioId: string;
  /** The verdict of the scenario's primary figure (NDR, else PDR, else MRR). */
  readonly verdict: Verdict;
  readonly primary: Figure;
  readonly figures: readonly FigureComparison[];
}

export interface RunComparison {
  readonly a: { readonly runId: string; readonly dir: string; readonly partial: boolean };
  readonly b: { readonly runId: string; readonly dir: string; readonly partial: boolean };
  readonly scenarios: readonly ScenarioComparison[];
  /** Scenarios with results in only one of the runs. */
  readonly onlyInA: readonly string[];
  readonly onlyInB: readonly string[];
  /** Scenarios measured with different generators in A and B: not compared (the tester's limits differ). */
  readonly differentGenerators: readonly { readonly scenarioId: string; readonly a: string; readonly b: string }[];
  readonly counts: Readonly<Record<Verdict, number>>;
}

const THROUGHPUT: readonly Figure[] = ['ndr', 'pdr', 'mrr'];

/** Compare run B (candidate) against run A (baseline). */
export function compareRuns(a: RunView, b: RunView, options: { alpha?: number; tolerance?: number } = {}): RunComparison {
  const scenarios: ScenarioComparison[] = [];
  const differentGenerators: { scenarioId: string; a: string; b: string }[] = [];
  const idsA = [...a.resultsByScenario.keys()];
  const idsB = new Set(b.resultsByScenario.keys());
  for (const id of idsA) {
    if (!idsB.has(id)) continue;
    const ra = passedOrFailed(a.resultsByScenario.get(id) ?? []);
    const rb = passedOrFailed(b.resultsByScenario.get(id) ?? []);
    const ga = generatorsOf(ra);
    const gb = generatorsOf(rb);
    if (ga !== gb && ga !== undefined && gb !== undefined) {
      differentGenerators.push({ scenarioId: id, a: ga, b: gb });
      continue;
    }
    const figures: FigureComparison[] = [];
    for (const fig of THROUGHPUT) {
      // A bound at the tester's limit (or an irregular one) is not the DUT's: never compared as measured.
      const sa = throughputSamples(ra, fig as 'ndr' | 'pdr' | 'mrr', { measuredOnly: true });
      const sb = throughputSamples(rb, fig as 'ndr' | 'pdr' | 'mrr', { measuredOnly: true });
      if (sa.length && sb.length && mean(sa) > 0) figures.push(figure(fig, 'pps', true, sa, sb, options));
    }
    const la = latencyP99(ra);
    const lb = latencyP99(rb);
    if (la.length && lb.length && mean(la) > 0) figures.push(figure('latency-p99', 'ns', false, la, lb, options));
    const primary = figures.find((f) => f.figure !== 'latency-p99') ?? figures[0];
    if (!primary) continue;
    scenarios.push({ scenarioId: id, verdict: primary.verdict, primary: primary.figure, figures });
  }
  const counts: Record<Verdict, number> = { better: 0, worse: 0, same: 0 };
  for (const s of scenarios) counts[s.verdict]++;
  return {
    a: { runId: a.runId, dir: a.dir, partial: a.partial },
    b: { runId: b.runId, dir: b.dir, partial: b.partial },
    scenarios,
    onlyInA: idsA.filter((id) => !idsB.has(id)),
    onlyInB: [...idsB].filter((id) => !a.resultsByScenario.has(id)),
    differentGenerators,
    counts,
  };
}

function figure(fig: Figure, unit: 'pps' | 'ns', higherIsBetter: boolean, a: number[], b: number[], o: { alpha?: number; tolerance?: number }): FigureComparison {
  const c = compareSamples(a, b, { higherIsBetter, ...(o.alpha === undefined ? {} : { alpha: o.alpha }), ...(o.tolerance === undefined ? {} : { tolerance: o.tolerance }) });
  const sa = summarizeRepeats(a);
  const sb = summarizeRepeats(b);
  const cv = (r: { n: number; mean: number; stdev: number }) => (r.n > 1 && r.mean > 0 ? r.stdev / r.mean : Number.NaN);
  return { ...c, figure: fig, unit, higherIsBetter, a: { n: sa.n, mean: sa.mean, cv: cv(sa) }, b: { n: sb.n, mean: sb.mean, cv: cv(sb) } };
}

/** Skipped results carry no figures. */
function passedOrFailed(rs: readonly ResultRecord[]): ResultRecord[] {
  return rs.filter((r) => r.status !== 'skipped');
}

/** p99 at the highest load (fraction of PDR) of each result (one value per repeat). */
function latencyP99(rs: readonly ResultRecord[]): number[] {
  return rs.flatMap((r) => {
    const ls = r.latency ?? [];
    if (ls.length === 0) return [];
    return [highestLoad(ls).p99Ns];
  });
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}
