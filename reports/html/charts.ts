/** The report's charts, built from a RunView: throughput vs frame size, bounds, latency, failover. */
import { percentiles } from '../../method/latency.ts';
import { summarizeRepeats } from '../../method/statistics.ts';
import { l1BitsPerSecond, profileTag } from '../../method/trial.ts';
import { lineRatePps } from '../../lab/line-rate.ts';
import { aggregateLineRateBps, highestLoad, throughputSamples, type RunView } from '../model/run-view.ts';

export { highestLoad };
import { fmtBlocked, fmtGbps, fmtLatency, fmtMpps, fmtPps } from '../model/format.ts';
import type { LatencyAtLoad, ResultRecord, Failover } from '../schema/record.ts';
import { parseScenarioId, threadsCoresTag } from '../schema/scenario-id.ts';
import { lineChart, type RefLine, type Series } from './svg/line-chart.ts';
import { rangeChart, type RangeRow } from './svg/range-chart.ts';
import { compact, percentileToX } from './svg/scale.ts';


/** Okabe–Ito colours: distinguishable with colour-vision deficiencies and in greyscale print. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#4b5563', '#8c564b'];
const LOAD_COLORS = ['#9ecae1', '#4292c6', '#2171b5', '#08306b', '#e6550d', '#a63603'];

/** A series key per datapath (with the DUT when one datapath runs several DUTs). */
export function seriesKeyOf(r: ResultRecord, multiDut: boolean): string {
  // A multi-core cell is a series of its own: `pf 2t2c` beside `pf`.
  const tc = coresOf(r.scenarioId);
  const datapath = tc === undefined ? r.datapath : `${r.datapath} ${tc}`;
  return multiDut ? `${datapath} · ${r.dut.kind}` : datapath;
}

/** The CSIT thread-core tag of a scenario id (`2t2c`), undefined for one core or an id outside the scheme. */
function coresOf(scenarioId: string): string | undefined {
  try {
    return threadsCoresTag(parseScenarioId(scenarioId).threadsCores);
  } catch {
    return undefined;
  }
}

export function colorMap(keys: readonly string[]): Map<string, string> {
  return new Map([...new Set(keys)].map((k, i) => [k, PALETTE[i % PALETTE.length]!]));
}

export interface ThroughputCharts {
  readonly mpps: string;
  readonly gbps: string;
  readonly lineRateNote: string;
}

/** Throughput against frame size per datapath, in Mpps and in Gbit/s (L1), with line rate when known. */
export function throughputCharts(view: RunView): ThroughputCharts | undefined {
  const fixed = view.results.filter((r) => r.profile.kind === 'fixed' && (r.ndr || r.pdr || r.mrr));
  if (fixed.length === 0) return undefined;
  const multiDut = new Set(fixed.map((r) => r.dut.kind)).size > 1;
  const colors = colorMap(fixed.map((r) => seriesKeyOf(r, multiDut)));
  const frames = [...new Set(fixed.map((r) => (r.profile.kind === 'fixed' ? r.profile.frameBytes : 0)))].sort((a, b) => a - b);
  const mppsSeries: Series[] = [];
  const gbpsSeries: Series[] = [];
  for (const [key, color] of colors) {
    const rs = fixed.filter((r) => seriesKeyOf(r, multiDut) === key).sort((a, b) => frameOf(a) - frameOf(b));
    for (const [fig, dash] of [['ndr', undefined], ['pdr', '7 4']] as const) {
      const pts = rs.filter((r) => r[fig]).map((r) => [frameOf(r), r[fig]!.lowerBoundPps] as const);
      if (pts.length === 0) continue;
      const name = `${key} ${fig.toUpperCase()}`;
      const base = { name, color, markers: true, ...(dash ? { dash } : {}) };
      mppsSeries.push({ ...base, points: pts.map(([x, y]) => [x, y / 1e6] as const), tip: (x, y) => `${name} at ${x} B: ${y.toFixed(3)} Mpps` });
      gbpsSeries.push({
        ...base,
        points: pts.map(([x, y]) => [x, l1BitsPerSecond(y, { kind: 'fixed', frameBytes: x }) / 1e9] as const),
        tip: (x, y) => `${name} at ${x} B: ${y.toFixed(2)} Gbit/s (L1)`,
      });
    }
  }
  const lineRates = [...new Set(fixed.map((r) => aggregateLineRateBps(r)).filter((v): v is number => v !== undefined))];
  const virtual = fixed.filter((r) => r.lineRateBps === undefined);
  const refGbps: RefLine[] = lineRates.map((bps) => ({ axis: 'y', value: bps / 1e9, label: `line rate ${fmtGbps(bps)} Gbit/s`, color: '#b91c1c' }));
  // In packets per second the line rate is a curve: fewer frames fit as they grow.
  const xFrames = frames.length > 1 ? logSpace(frames[0]!, frames[frames.length - 1]!, 40) : frames;
  for (const bps of lineRates) {
    mppsSeries.push({ name: `line rate (${fmtGbps(bps)} Gbit/s)`, color: '#b91c1c', dash: '3 3', points: xFrames.map((f) => [f, lineRatePps(bps / 1e9, f) / 1e6] as const) });
  }
  const refMpps: RefLine[] = view.selfTests.flatMap((s) =>
    s.profile.kind === 'fixed' && s.ceilingPps !== undefined
      ? [{ axis: 'y' as const, value: s.ceilingPps / 1e6, label: `generator ceiling ${profileTag(s.profile)}: ${fmtMpps(s.ceilingPps)} Mpps`, color: '#6b7280' }]
      : [],
  );
  const maxMpps = Math.max(...mppsSeries.flatMap((s) => s.points.map((p) => p[1])), ...refMpps.map((r) => r.value));
  const maxGbps = Math.max(...gbpsSeries.flatMap((s) => s.points.map((p) => p[1])), ...refGbps.map((r) => r.value));
  const x = { kind: 'log2' as const, min: frames[0] ?? 64, max: frames.at(-1) ?? 1518, tickValues: frames, label: 'frame size (bytes, with FCS)', format: (v: number) => String(v) };
  const singleFrame = frames.length === 1;
  const xs = singleFrame ? { ...x, min: frames[0]! / 1.5, max: frames[0]! * 1.5 } : x;
  const note =
    lineRates.length === 0
      ? 'Virtual ports (memif, vhost-user, veth) have no line rate: none is drawn. Gbit/s counts layer 1 (frame + 20 B preamble and gap).'
      : `Dashed red: the NIC line rate (aggregate over the ports the traffic crosses)${virtual.length ? `; ${[...new Set(virtual.map((r) => r.datapath))].join(', ')} ran on virtual ports, which have no line rate` : ''}. Gbit/s counts layer 1.`;
  return {
    mpps: lineChart({ title: 'Throughput (Mpps)', subtitle: 'NDR solid, PDR dashed; aggregate over both directions', x: xs, y: { kind: 'linear', min: 0, max: maxMpps * 1.08, label: 'Mpps' }, series: mppsSeries, refLines: refMpps }),
    gbps: lineChart({ title: 'Throughput (Gbit/s, L1)', subtitle: 'NDR solid, PDR dashed', x: xs, y: { kind: 'linear', min: 0, max: maxGbps * 1.08, label: 'Gbit/s' }, series: gbpsSeries, refLines: refGbps }),
    lineRateNote: note,
  };
}

/** NDR and PDR bounds (and repeats with their 95 % CI) per scenario. */
export function boundsChart(view: RunView): string | undefined {
  const rows: RangeRow[] = [];
  for (const r of view.results) {
    const all = view.resultsByScenario.get(r.scenarioId) ?? [r];
    const items = (['ndr', 'pdr'] as const).flatMap((fig) => {
      const b = r[fig];
      if (!b) return [];
      const samples = throughputSamples(all, fig);
      const s = samples.length > 1 ? summarizeRepeats(samples) : undefined;
      return [
        {
          name: fig.toUpperCase(),
          color: fig === 'ndr' ? '#0072B2' : '#E69F00',
          lower: b.lowerBoundPps / 1e6,
          ...(b.upperBoundPps === undefined ? {} : { upper: b.upperBoundPps / 1e6 }),
          ...(s ? { ci: [s.ci95Low / 1e6, s.ci95High / 1e6] as const, repeats: samples.map((v) => v / 1e6) } : {}),
          tip:
            `${fig.toUpperCase()} ${r.scenarioId}: lower ${fmtPps(b.lowerBoundPps)}` +
            (b.upperBoundPps !== undefined ? `, upper ${fmtPps(b.upperBoundPps)}` : b.mark ? ` (${b.mark.kind === 'max-load' ? 'max load, tester-limited' : `irregular: ${b.mark.reason}`})` : ' (max load passed)') +
            (s ? `; ${s.n} repeats, mean ${fmtPps(s.mean)}, 95 % CI ${fmtPps(s.ci95Low)} – ${fmtPps(s.ci95High)}` : ''),
        },
      ];
    });
    if (items.length) rows.push({ label: r.scenarioId, items });
  }
  if (rows.length === 0) return undefined;
  return rangeChart({
    title: 'NDR (blue) and PDR (orange) bounds',
    subtitle: 'Bar: lower to upper bound of the search. Whisker: 95 % confidence interval of the repeats (dots).',
    xLabel: 'Mpps',
    rows,
    format: (v) => String(Number(v.toPrecision(3))),
  });
}

/** HDR-style percentile curves, one line per load, for one scenario. */
export function latencyChart(r: ResultRecord, loads: readonly LatencyAtLoad[]): string {
  const maxCount = Math.max(...loads.map((l) => l.histogram.count));
  // The highest percentile a histogram can tell apart: 1 - 1/count.
  const maxX = Math.max(2, Math.min(6, Math.floor(Math.log10(Math.max(10, maxCount)))));
  const xsPct: number[] = [];
  for (let x = 0; x <= maxX + 1e-9; x += 0.05) xsPct.push(100 * (1 - 10 ** -x));
  const series: Series[] = loads.map((l, i) => {
    const ps = xsPct.filter((p) => percentileToX(p) <= Math.log10(Math.max(10, l.histogram.count)) + 1e-9);
    const vals = percentiles(l.histogram, ps);
    const name = l.fractionOfPdr === 0 ? 'idle (stream only)' : l.fractionOfPdr === undefined ? fmtPps(l.loadPps) : `${Math.round(l.fractionOfPdr * 100)} % PDR (${fmtPps(l.loadPps)})`;
    return {
      name,
      color: LOAD_COLORS[Math.min(LOAD_COLORS.length - 1, Math.round((i * (LOAD_COLORS.length - 1)) / Math.max(1, loads.length - 1)))]!,
      points: ps.map((p, k) => [p, vals[k]! / 1000] as const),
      tip: (p, us) => `${name}: p${Number(p.toPrecision(6))} = ${us.toFixed(2)} µs`,
    };
  });
  const top = highestLoad(loads);
  // Milliseconds when the tail reaches 10 ms (a loaded software path), so tick labels stay short.
  const maxUs = Math.max(...series.flatMap((s) => s.points.map((p) => p[1])));
  const ms = maxUs >= 10_000;
  const scaled = ms ? series.map((s) => ({ ...s, points: s.points.map(([x, y]) => [x, y / 1000] as const), tip: (p: number, v: number) => `${s.name}: p${Number(p.toPrecision(6))} = ${v.toFixed(2)} ms` })) : series;
  const allUs = scaled.flatMap((s) => s.points.map((p) => p[1])).filter((v) => v > 0);
  return lineChart({
    title: r.scenarioId,
    ariaLabel: `Latency percentiles: ${r.scenarioId}`,
    subtitle: `percentiles per load; at the highest: p50 ${fmtLatency(top.p50Ns)}, p99 ${fmtLatency(top.p99Ns)}, p99.9 ${fmtLatency(top.p999Ns)}`,
    x: { kind: 'percentile', min: 0, max: 100 * (1 - 10 ** -maxX), label: 'percentile (log scale of 1/(1−p))' },
    y: { kind: 'log10', min: Math.min(...allUs), max: Math.max(...allUs), label: ms ? 'latency (ms)' : 'latency (µs)', format: (v) => (v >= 1000 ? compact(v) : v >= 1 ? String(Number(v.toPrecision(3))) : v.toPrecision(1)) },
    series: scaled,
  });
}

/** Received rate over time around a failover event (in kpps when the load is low, as on a busy local lab). */
export function failoverChart(r: ResultRecord, f: Failover): string {
  const recovered = f.recoveryS !== undefined;
  const peak = Math.max(f.offeredPps, ...f.timeline.map((p) => p.receivedPps));
  const [div, unit] = peak < 1e5 ? [1e3, 'kpps'] : [1e6, 'Mpps'];
  return lineChart({
    title: r.scenarioId,
    ariaLabel: `Failover: ${f.event} (${r.scenarioId})`,
    subtitle: `${f.event}: blocked ${fmtBlocked(f)} (${f.lostPackets.toLocaleString('en-US')} packets lost at ${fmtPps(f.offeredPps)}), ${recovered ? `recovered in ${f.recoveryS!.toFixed(2)} s` : 'did not recover'}`,
    x: { kind: 'linear', min: 0, max: Math.max(...f.timeline.map((p) => p.tS), f.eventAtS + 1), label: 'time (s)' },
    y: { kind: 'linear', min: 0, max: (peak / div) * 1.12, label: `received (${unit})` },
    series: [{ name: 'received rate', color: '#0072B2', step: true, points: f.timeline.map((p) => [p.tS, p.receivedPps / div] as const), tip: (t, v) => `${t.toFixed(2)} s: ${v.toFixed(2)} ${unit}` }],
    refLines: [
      { axis: 'y', value: f.offeredPps / div, label: `offered ${fmtPps(f.offeredPps)}`, color: '#6b7280' },
      { axis: 'x', value: f.eventAtS, label: f.event, color: '#b91c1c' },
    ],
    bands: recovered ? [{ from: f.eventAtS, to: f.eventAtS + f.recoveryS!, label: 'recovery', color: '#D55E00' }] : [{ from: f.eventAtS, to: Number.POSITIVE_INFINITY, label: 'not recovered', color: '#b91c1c' }],
  });
}

function frameOf(r: ResultRecord): number {
  return r.profile.kind === 'fixed' ? r.profile.frameBytes : 0;
}

function logSpace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => a * (b / a) ** (i / (n - 1)));
}
