/**
 * Judge a run's records by a profile's criteria: every criterion gets a verdict per plan cell (with the
 * measured figure) and an overall verdict, failing criteria first. Pure: the records come in as a
 * RunView, the plan says which cells ran and why the others did not.
 */
import { l1BitsPerSecond } from '../method/trial.ts';
import { aggregateLineRateBps, type RunView } from '../reports/model/run-view.ts';
import type { LatencyAtLoad, ResultRecord } from '../reports/schema/record.ts';
import { dutCoresPart, parseScenarioId, threadsCoresTag } from '../reports/schema/scenario-id.ts';
import type { CertifyPlan, PerformanceCell } from './plan.ts';
import { frameTag, type Criterion } from './profile/schema.ts';

export type Verdict = 'fail' | 'not-measured' | 'pass' | 'not-applicable';
/** Worst first: a criterion takes the worst verdict of its cells. */
export const VERDICT_ORDER: readonly Verdict[] = ['fail', 'not-measured', 'pass', 'not-applicable'];

/** A throughput figure in every unit the certificate states. */
export interface ThroughputFigure {
  readonly kind: 'throughput';
  readonly figure: 'ndr' | 'pdr' | 'mrr';
  readonly pps: number;
  /** Layer-1 bit rate (preamble, SFD and inter-frame gap counted). */
  readonly l1Bps: number;
  /** Share of the aggregate line rate of the ports crossed; absent on virtual ports (they have none). */
  readonly lineRateRatio?: number;
}

export type Figure =
  | ThroughputFigure
  | { readonly kind: 'bounds'; readonly ndr: ThroughputFigure; readonly pdr: ThroughputFigure }
  | { readonly kind: 'latency'; readonly percentile: string; readonly fractionOfPdr: number; readonly latencyNs: number; readonly loadPps: number }
  | { readonly kind: 'latency-loads'; readonly loads: readonly { readonly fractionOfPdr: number; readonly samples: number }[] }
  | { readonly kind: 'speedup'; readonly ratio: number; readonly base: ThroughputFigure; readonly scaled: ThroughputFigure }
  /** blockedMaxS: from live counter bins (pktgen) the outage is known to lie between blockedS and this; it is judged on this. */
  | { readonly kind: 'failover'; readonly blockedS: number; readonly blockedMaxS?: number; readonly recoveryS?: number; readonly offeredPps: number }
  | { readonly kind: 'status'; readonly status: ResultRecord['status'] };

export interface CellVerdict {
  /** "pf · 64 B · 1 core", "sriov · vf-mtu". */
  readonly label: string;
  readonly datapath: string;
  readonly frame?: string;
  readonly dutCores?: number;
  readonly verdict: Verdict;
  readonly reason?: string;
  readonly figure?: Figure;
  readonly scenarioId?: string;
}

export interface CriterionVerdict {
  readonly criterion: Criterion;
  readonly verdict: Verdict;
  /** What the criterion asks, for people: "≥ 99 % of line rate". */
  readonly requirement: string;
  readonly cells: readonly CellVerdict[];
}

export type OverallVerdict = 'passed' | 'failed' | 'incomplete' | 'not-applicable';

export interface Evaluation {
  readonly verdict: OverallVerdict;
  /** Failing criteria first, then not measured, passed, not applicable; profile order within each. */
  readonly criteria: readonly CriterionVerdict[];
  readonly counts: Readonly<Record<Verdict, number>>;
  /** Why the run itself is incomplete (partial, aborted), if it is. */
  readonly runProblem?: string;
}

/** A cell's key: datapath, frame, CSIT thread-core tag (1t1c for one core) and test. */
const key = (datapath: string, frame: string, threadsCores: string, test: string): string => `${datapath}|${frame}|${threadsCores}|${test}`;

/**
 * The thread-core tag of a DUT core count as scenario ids carry it (reports/schema/scenario-id.ts): `1t1c`
 * for one core (ids leave it out), `2t2c` for two (one lcore per physical core, CSIT's naming).
 */
export function coresTag(dutCores: number): string {
  return threadsCoresTag(dutCoresPart(dutCores)) ?? '1t1c';
}

/** Results by datapath, frame, cores and test (the latest record of each scenario). */
function indexResults(view: RunView): Map<string, ResultRecord> {
  const out = new Map<string, ResultRecord>();
  for (const r of view.results) {
    try {
      const p = parseScenarioId(r.scenarioId);
      out.set(key(p.datapath, p.frame, threadsCoresTag(p.threadsCores) ?? '1t1c', p.test), r);
    } catch {
      // An id outside the naming scheme is no cell of a plan.
    }
  }
  return out;
}

export function throughputFigure(r: ResultRecord, figure: 'ndr' | 'pdr' | 'mrr'): ThroughputFigure | undefined {
  const pps = figure === 'mrr' ? (r.mrr ? r.mrr.receivedPps.reduce((a, b) => a + b, 0) / r.mrr.receivedPps.length : undefined) : r[figure]?.lowerBoundPps;
  if (pps === undefined) return undefined;
  const l1Bps = l1BitsPerSecond(pps, r.profile);
  const line = aggregateLineRateBps(r);
  return { kind: 'throughput', figure, pps, l1Bps, ...(line === undefined ? {} : { lineRateRatio: l1Bps / line }) };
}

function cellLabel(c: { datapath: string; frameSize?: PerformanceCell['frameSize']; dutCores?: number; test?: string }): string {
  const parts = [c.datapath];
  if (c.frameSize !== undefined) parts.push(c.frameSize === 'imix' ? 'IMIX' : `${c.frameSize} B`);
  if (c.dutCores !== undefined) parts.push(`${c.dutCores} core${c.dutCores === 1 ? '' : 's'}`);
  if (c.test !== undefined) parts.push(c.test);
  return parts.join(' · ');
}

function requirementOf(c: Criterion): string {
  switch (c.check) {
    case 'search-converged':
      return 'NDR and PDR found';
    case 'throughput':
      return c.atLeast.lineRatePct !== undefined ? `${c.figure.toUpperCase()} ≥ ${c.atLeast.lineRatePct} % of line rate` : `${c.figure.toUpperCase()} ≥ ${c.atLeast.mpps} Mpps`;
    case 'latency-measured':
      return `samples at ${c.fractionsOfPdr.map((f) => `${Math.round(f * 100)} %`).join(', ')} of PDR`;
    case 'latency':
      return `${c.percentile} at ${Math.round(c.fractionOfPdr * 100)} % of PDR ≤ ${c.atMostUs} µs`;
    case 'speedup':
      return `${c.figure.toUpperCase()} with ${c.dutCores} cores ≥ ${c.atLeast} × 1 core`;
    case 'conformance':
      return 'test passed';
    case 'failover':
      return `blocked ≤ ${c.atMostBlockedS} s, traffic recovered`;
    default: {
      const never: never = c;
      return String(never);
    }
  }
}

/** The latency loads recorded for a cell: the latency scenario's, else latency kept on the ndrpdr result. */
function latencyOf(results: Map<string, ResultRecord>, datapath: string, frame: string, dutCores: number): { r: ResultRecord; loads: readonly LatencyAtLoad[] } | undefined {
  for (const test of ['latency', 'ndrpdr']) {
    const r = results.get(key(datapath, frame, coresTag(dutCores), test));
    if (r?.latency && r.latency.length > 0) return { r, loads: r.latency };
  }
  const r = results.get(key(datapath, frame, coresTag(dutCores), 'latency'));
  return r ? { r, loads: [] } : undefined;
}

const near = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9;

/** Verdict of one performance cell under one criterion. */
function judgePerformance(c: Criterion, cell: PerformanceCell, plan: CertifyPlan, results: Map<string, ResultRecord>): Omit<CellVerdict, 'label' | 'datapath' | 'frame' | 'dutCores'> {
  if (cell.notApplicable !== undefined) return { verdict: 'not-applicable', reason: cell.notApplicable };
  if (plan.virtualNic && c.notOnVirtualNic !== undefined) return { verdict: 'not-applicable', reason: `virtual NIC: ${c.notOnVirtualNic}` };
  const ndrpdr = results.get(key(cell.datapath, cell.frame, coresTag(cell.dutCores), 'ndrpdr'));
  const missing = (what: string): Omit<CellVerdict, 'label' | 'datapath' | 'frame' | 'dutCores'> => ({ verdict: 'not-measured', reason: `no ${what} result was recorded for this cell` });
  const notRun = (r: ResultRecord) => (r.status === 'skipped' ? { verdict: 'not-measured' as const, reason: `skipped: ${r.reason ?? 'no reason recorded'}`, scenarioId: r.scenarioId } : undefined);

  switch (c.check) {
    case 'search-converged': {
      if (!ndrpdr) return missing('throughput');
      const skipped = notRun(ndrpdr);
      if (skipped) return skipped;
      const ndr = throughputFigure(ndrpdr, 'ndr');
      const pdr = throughputFigure(ndrpdr, 'pdr');
      if (!ndr || !pdr) return { verdict: 'fail', reason: ndrpdr.reason ?? `no load met the ${!ndr ? 'NDR' : 'PDR'} goal`, scenarioId: ndrpdr.scenarioId };
      return { verdict: 'pass', figure: { kind: 'bounds', ndr, pdr }, scenarioId: ndrpdr.scenarioId };
    }
    case 'throughput': {
      if (!ndrpdr) return missing('throughput');
      const skipped = notRun(ndrpdr);
      if (skipped) return skipped;
      const f = throughputFigure(ndrpdr, c.figure);
      if (!f) return { verdict: 'fail', reason: `no ${c.figure.toUpperCase()}: ${ndrpdr.reason ?? 'not found'}`, scenarioId: ndrpdr.scenarioId };
      if (c.atLeast.lineRatePct !== undefined) {
        if (f.lineRateRatio === undefined) return { verdict: 'not-applicable', reason: 'a virtual NIC has no line rate to compare with', figure: f, scenarioId: ndrpdr.scenarioId };
        const ok = f.lineRateRatio * 100 >= c.atLeast.lineRatePct;
        return { verdict: ok ? 'pass' : 'fail', figure: f, scenarioId: ndrpdr.scenarioId, ...(ok ? {} : { reason: `${(f.lineRateRatio * 100).toFixed(1)} % of line rate` }) };
      }
      const ok = f.pps / 1e6 >= c.atLeast.mpps!;
      return { verdict: ok ? 'pass' : 'fail', figure: f, scenarioId: ndrpdr.scenarioId, ...(ok ? {} : { reason: `${(f.pps / 1e6).toFixed(3)} Mpps` }) };
    }
    case 'latency-measured':
    case 'latency': {
      const lat = latencyOf(results, cell.datapath, cell.frame, cell.dutCores);
      if (!lat) return missing('latency');
      const skipped = notRun(lat.r);
      if (skipped) return skipped;
      if (lat.loads.length === 0) return { verdict: 'fail', reason: lat.r.reason ?? 'no latency was recorded', scenarioId: lat.r.scenarioId };
      if (c.check === 'latency-measured') {
        const loads = c.fractionsOfPdr.map((f) => ({ fractionOfPdr: f, samples: lat.loads.find((l) => l.fractionOfPdr !== undefined && near(l.fractionOfPdr, f))?.histogram.count ?? 0 }));
        const without = loads.filter((l) => l.samples === 0).map((l) => `${Math.round(l.fractionOfPdr * 100)} %`);
        return { verdict: without.length ? 'fail' : 'pass', figure: { kind: 'latency-loads', loads }, scenarioId: lat.r.scenarioId, ...(without.length ? { reason: `no samples at ${without.join(', ')} of PDR` } : {}) };
      }
      const at = lat.loads.find((l) => l.fractionOfPdr !== undefined && near(l.fractionOfPdr, c.fractionOfPdr));
      if (!at) return { verdict: 'fail', reason: `no latency at ${Math.round(c.fractionOfPdr * 100)} % of PDR`, scenarioId: lat.r.scenarioId };
      const field = { p50: at.p50Ns, p90: at.p90Ns, p99: at.p99Ns, p999: at.p999Ns, max: at.maxNs }[c.percentile];
      const ok = field <= c.atMostUs * 1000;
      return { verdict: ok ? 'pass' : 'fail', figure: { kind: 'latency', percentile: c.percentile, fractionOfPdr: c.fractionOfPdr, latencyNs: field, loadPps: at.loadPps }, scenarioId: lat.r.scenarioId };
    }
    case 'speedup': {
      // Judged on the scaled cell: its figure against the one-core cell of the same datapath and frame.
      const base = results.get(key(cell.datapath, cell.frame, coresTag(1), 'ndrpdr'));
      const scaled = results.get(key(cell.datapath, cell.frame, coresTag(c.dutCores), 'ndrpdr'));
      if (!base || !scaled) return missing(`${!base ? 'one-core' : `${c.dutCores}-core`} throughput`);
      const b = throughputFigure(base, c.figure);
      const s = throughputFigure(scaled, c.figure);
      if (!b || !s) return { verdict: 'fail', reason: `no ${c.figure.toUpperCase()} with ${!b ? 1 : c.dutCores} core(s)` };
      const ratio = s.pps / b.pps;
      return { verdict: ratio >= c.atLeast ? 'pass' : 'fail', figure: { kind: 'speedup', ratio, base: b, scaled: s }, scenarioId: scaled.scenarioId };
    }
    case 'conformance':
    case 'failover':
      return { verdict: 'not-applicable', reason: `a ${c.check} check has no performance cells` };
    default: {
      const never: never = c;
      return { verdict: 'not-applicable', reason: String(never) };
    }
  }
}

/** Verdict of a conformance or failover criterion per datapath. */
function judgeConformance(c: Criterion, plan: CertifyPlan, results: ReadonlyMap<string, ResultRecord>): CellVerdict[] {
  if (c.check === 'conformance') {
    return plan.conformance
      .filter((cell) => cell.test === c.test && (!c.where?.datapaths || c.where.datapaths.includes(cell.datapath)))
      .map((cell): CellVerdict => {
        const base = { label: cellLabel({ datapath: cell.datapath, test: cell.test }), datapath: cell.datapath };
        if (cell.notApplicable !== undefined) return { ...base, verdict: 'not-applicable', reason: cell.notApplicable };
        if (plan.virtualNic && c.notOnVirtualNic !== undefined) return { ...base, verdict: 'not-applicable', reason: `virtual NIC: ${c.notOnVirtualNic}` };
        const r = [...results.values()].find((x) => x.datapath === cell.datapath && parseScenarioId(x.scenarioId).test === `conformance-${cell.test}`);
        if (!r) return { ...base, verdict: 'not-measured', reason: 'no result was recorded for this test' };
        const verdict: Verdict = r.status === 'passed' ? 'pass' : r.status === 'failed' ? 'fail' : 'not-applicable';
        return { ...base, verdict, figure: { kind: 'status', status: r.status }, scenarioId: r.scenarioId, ...(r.reason ? { reason: r.reason } : {}) };
      });
  }
  if (c.check === 'failover') {
    return plan.failover
      .filter((cell) => cell.event === c.event && (!c.where?.datapaths || c.where.datapaths.includes(cell.datapath)))
      .map((cell): CellVerdict => {
        const base = { label: cellLabel({ datapath: cell.datapath, test: cell.event }), datapath: cell.datapath };
        if (cell.notApplicable !== undefined) return { ...base, verdict: 'not-applicable', reason: cell.notApplicable };
        const r = [...results.values()].find((x) => x.datapath === cell.datapath && x.failover?.some((f) => f.event === c.event));
        const f = r?.failover?.find((x) => x.event === c.event);
        if (!r || !f) {
          const skipped = [...results.values()].find((x) => x.datapath === cell.datapath && parseScenarioId(x.scenarioId).test === `failover-${c.event}`);
          if (skipped?.status === 'skipped') return { ...base, verdict: 'not-applicable', reason: skipped.reason ?? 'skipped', scenarioId: skipped.scenarioId };
          return { ...base, verdict: skipped?.status === 'failed' ? 'fail' : 'not-measured', reason: skipped?.reason ?? 'no failover result was recorded for this event' };
        }
        // Live counter bins (pktgen) bound the outage from both sides: a pass must hold for the longest it can have been.
        const maxS = f.blockedBy === 'live-bins' ? Math.max(f.blockedS, ...(f.directions ?? []).map((d) => d.blockedMaxS ?? f.blockedS)) : undefined;
        const judgedS = maxS ?? f.blockedS;
        const ok = judgedS <= c.atMostBlockedS && f.recoveryS !== undefined;
        const figure: Figure = {
          kind: 'failover',
          blockedS: f.blockedS,
          ...(maxS === undefined ? {} : { blockedMaxS: maxS }),
          offeredPps: f.offeredPps,
          ...(f.recoveryS === undefined ? {} : { recoveryS: f.recoveryS }),
        };
        const blockedText = maxS === undefined ? `${f.blockedS.toFixed(3)} s` : `${f.blockedS.toFixed(3)}-${maxS.toFixed(3)} s (counter bins)`;
        return { ...base, verdict: ok ? 'pass' : 'fail', figure, scenarioId: r.scenarioId, ...(ok ? {} : { reason: f.recoveryS === undefined ? 'traffic did not recover within the window' : `blocked ${blockedText}` }) };
      });
  }
  return [];
}

function worst(verdicts: readonly Verdict[]): Verdict {
  for (const v of VERDICT_ORDER) if (verdicts.includes(v)) return v;
  return 'not-applicable';
}

/** Judge the run in `view` by the plan's profile. */
export function evaluate(plan: CertifyPlan, view: RunView): Evaluation {
  const results = indexResults(view);
  const criteria: CriterionVerdict[] = plan.profile.criteria.map((c) => {
    let cells: CellVerdict[];
    if (plan.profile.plan.kind === 'performance') {
      const where = c.where;
      cells = plan.performance
        // A speedup is judged on the scaled cells (against their one-core twins); the rest on every cell.
        .filter((cell) => c.check !== 'speedup' || cell.dutCores === c.dutCores)
        .filter((cell) => !where?.datapaths || where.datapaths.includes(cell.datapath))
        .filter((cell) => !where?.frameSizes || where.frameSizes.some((f) => frameTag(f) === cell.frame))
        .filter((cell) => !where?.dutCores || where.dutCores.includes(cell.dutCores))
        .map((cell) => ({ label: cellLabel(cell), datapath: cell.datapath, frame: cell.frame, dutCores: cell.dutCores, ...judgePerformance(c, cell, plan, results) }));
    } else cells = judgeConformance(c, plan, results);
    return { criterion: c, verdict: worst(cells.map((x) => x.verdict)), requirement: requirementOf(c), cells };
  });
  const sorted = [...criteria].sort((a, b) => VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict));
  const counts = { fail: 0, 'not-measured': 0, pass: 0, 'not-applicable': 0 } as Record<Verdict, number>;
  for (const c of criteria) counts[c.verdict]++;
  const runProblem = view.partial
    ? 'the run has no run-end record: it was stopped before it finished'
    : view.end && view.end.status !== 'completed'
      ? `the run ${view.end.status}${view.end.error ? `: ${view.end.error}` : ''}`
      : view.errors.length > 0
        ? `${view.errors.length} record line(s) could not be read`
        : undefined;
  const verdict: OverallVerdict =
    counts.fail > 0 ? 'failed' : counts['not-measured'] > 0 || runProblem !== undefined ? 'incomplete' : counts.pass > 0 ? 'passed' : 'not-applicable';
  return { verdict, criteria: sorted, counts, ...(runProblem === undefined ? {} : { runProblem }) };
}
