/**
 * Grafana dashboards for the InfluxDB measurements (points.ts), generated so that panel queries follow the
 * measurement and field names. Two flavours of the same panels:
 *   influxql: an InfluxDB datasource (InfluxDB 1.x, or 2.x/3.x with InfluxQL / DBRP mapping)
 *   promql:   a Prometheus datasource on VictoriaMetrics (fields become `<measurement>_<field>` metrics)
 * `npx tsx reports/grafana/dashboard.ts` rewrites the JSON files beside this one.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MEASUREMENTS } from '../influx/points.ts';

export type Flavour = 'influxql' | 'promql';

interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly measurement: string;
  readonly fields: readonly string[];
  /** Fields only some runs write (a line rate: physical ports; blocked_max_s: live counter bins). */
  readonly optionalFields?: readonly string[];
  /** Tags that make one series each. */
  readonly by: readonly string[];
  readonly unit: string;
  readonly w: number;
  readonly style?: 'points' | 'lines';
}

const FILTER_TAGS = ['lab', 'datapath', 'frame', 'nic', 'dut'] as const;

export const PANELS: readonly PanelSpec[] = [
  { title: 'NDR throughput', description: 'Lower bound of the no-drop rate per scenario, aggregate over both directions.', measurement: MEASUREMENTS.throughput, fields: ['ndr_pps'], by: ['scenario'], unit: 'pps', w: 12 },
  { title: 'PDR throughput', description: 'Lower bound of the partial-drop rate (loss ratio at most the PDR goal).', measurement: MEASUREMENTS.throughput, fields: ['pdr_pps'], by: ['scenario'], unit: 'pps', w: 12 },
  { title: 'NDR in bits (L1) and line rate', description: 'Layer-1 rate at NDR (frame + 20 B preamble and gap) and the aggregate NIC line rate where the ports have one (virtual ports do not).', measurement: MEASUREMENTS.throughput, fields: ['ndr_l1_bps', 'line_rate_bps'], optionalFields: ['line_rate_bps'], by: ['scenario'], unit: 'bps', w: 12 },
  { title: 'MRR', description: 'Maximum receive rate: mean received rate of the MRR trials.', measurement: MEASUREMENTS.throughput, fields: ['mrr_pps'], by: ['scenario'], unit: 'pps', w: 12 },
  { title: 'Latency p99 per load', description: '99th percentile latency at each offered load (idle, 10/50/90 % of PDR).', measurement: MEASUREMENTS.latency, fields: ['p99_ns'], by: ['scenario', 'load'], unit: 'ns', w: 12 },
  { title: 'Latency p99.9 per load', description: '99.9th percentile latency at each offered load.', measurement: MEASUREMENTS.latency, fields: ['p999_ns'], by: ['scenario', 'load'], unit: 'ns', w: 12 },
  { title: 'Failover: blocked time', description: 'How long the path carried nothing, per injected event: from the last packet received before the outage to the first after it (wsp-gen, by send stamps), or, with live counter bins (pktgen), at least the silent bins (blocked_s) and at most to the edges of the bins either side (blocked_max_s).', measurement: MEASUREMENTS.failover, fields: ['blocked_s', 'blocked_max_s'], optionalFields: ['blocked_max_s'], by: ['scenario', 'event'], unit: 's', w: 12, style: 'points' },
  { title: 'Failover: recovery time', description: 'From the event to the first interval back at the offered rate.', measurement: MEASUREMENTS.failover, fields: ['recovery_s'], by: ['scenario', 'event'], unit: 's', w: 12, style: 'points' },
  { title: 'Trials: loss ratio', description: 'Every trial of the searches as it ran: loss ratio at its load.', measurement: MEASUREMENTS.trial, fields: ['loss_ratio'], by: ['scenario'], unit: 'percentunit', w: 12, style: 'points' },
  { title: 'Trials: offered load', description: 'Offered load of every trial: the search converging.', measurement: MEASUREMENTS.trial, fields: ['offered_pps'], by: ['scenario'], unit: 'pps', w: 12, style: 'points' },
];

/** The InfluxQL query of a panel field, with Grafana's variables. */
export function influxqlQuery(p: PanelSpec, field: string): string {
  const where = FILTER_TAGS.map((t) => `"${t}" =~ /^$${t}$/`).join(' AND ');
  return `SELECT last("${field}") AS "${field}" FROM "${p.measurement}" WHERE ${where} AND $timeFilter GROUP BY time($__interval), ${p.by.map((b) => `"${b}"`).join(', ')} fill(none)`;
}

/** The PromQL (MetricsQL) query of a panel field. */
export function promqlQuery(p: PanelSpec, field: string): string {
  const sel = FILTER_TAGS.map((t) => `${t}=~"$${t}"`).join(', ');
  return `max by (${p.by.join(', ')}) (${p.measurement}_${field}{${sel}})`;
}

export function dashboard(flavour: Flavour): Record<string, unknown> {
  const ds = { type: flavour === 'influxql' ? 'influxdb' : 'prometheus', uid: '${DS_WIRESPEED}' };
  let x = 0;
  let y = 0;
  const panels = PANELS.map((p, i) => {
    const gridPos = { h: 9, w: p.w, x, y };
    x += p.w;
    if (x >= 24) {
      x = 0;
      y += 9;
    }
    const targets = p.fields.map((f, j) => {
      const refId = String.fromCharCode(65 + j);
      return flavour === 'influxql'
        ? { refId, datasource: ds, rawQuery: true, resultFormat: 'time_series', query: influxqlQuery(p, f), alias: `${p.by.map((b) => `$tag_${b}`).join(' ')}${p.fields.length > 1 ? ` ${f}` : ''}` }
        : { refId, datasource: ds, expr: promqlQuery(p, f), legendFormat: `${p.by.map((b) => `{{${b}}}`).join(' ')}${p.fields.length > 1 ? ` ${f}` : ''}`, range: true };
    });
    return {
      id: i + 1,
      type: 'timeseries',
      title: p.title,
      description: p.description,
      datasource: ds,
      gridPos,
      targets,
      fieldConfig: {
        defaults: {
          unit: p.unit,
          min: 0,
          custom: { drawStyle: p.style === 'points' ? 'points' : 'line', lineWidth: 2, pointSize: 6, showPoints: 'always', spanNulls: true },
        },
        overrides: [{ matcher: { id: 'byRegexp', options: '.*line_rate_bps' }, properties: [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 6] } }, { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }] }],
      },
      options: { legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'min', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' } },
    };
  });
  const variables = FILTER_TAGS.map((t) => ({
    name: t,
    label: t,
    type: 'query',
    datasource: ds,
    query: flavour === 'influxql' ? `SHOW TAG VALUES FROM "${MEASUREMENTS.throughput}" WITH KEY = "${t}"` : { query: `label_values(${MEASUREMENTS.throughput}_passed, ${t})`, refId: 'vars' },
    definition: flavour === 'influxql' ? `SHOW TAG VALUES FROM "${MEASUREMENTS.throughput}" WITH KEY = "${t}"` : `label_values(${MEASUREMENTS.throughput}_passed, ${t})`,
    multi: true,
    includeAll: true,
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    refresh: 2,
    sort: 1,
  }));
  return {
    __inputs: [
      flavour === 'influxql'
        ? { name: 'DS_WIRESPEED', label: 'wirespeed InfluxDB', description: 'InfluxDB with the wirespeed measurements (InfluxQL)', type: 'datasource', pluginId: 'influxdb', pluginName: 'InfluxDB' }
        : { name: 'DS_WIRESPEED', label: 'wirespeed VictoriaMetrics', description: 'VictoriaMetrics (Prometheus datasource) with the wirespeed metrics', type: 'datasource', pluginId: 'prometheus', pluginName: 'Prometheus' },
    ],
    __requires: [{ type: 'grafana', id: 'grafana', name: 'Grafana', version: '10.0.0' }],
    uid: `wirespeed-${flavour}`,
    title: `wirespeed: datapath throughput, latency and failover (${flavour === 'influxql' ? 'InfluxDB' : 'VictoriaMetrics'})`,
    description: 'Results of wirespeed runs: NDR/PDR/MRR per scenario, latency percentiles per load, failover figures and every trial. See docs/reports.md.',
    tags: ['wirespeed', 'dpdk', 'benchmark'],
    timezone: 'utc',
    editable: true,
    graphTooltip: 1,
    time: { from: 'now-30d', to: 'now' },
    refresh: '',
    schemaVersion: 39,
    version: 1,
    templating: { list: variables },
    annotations: { list: [] },
    links: [],
    panels,
  };
}

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const f of ['influxql', 'promql'] as const) {
    await writeFile(join(here, `wirespeed-${f}.json`), JSON.stringify(dashboard(f), null, 2) + '\n');
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
