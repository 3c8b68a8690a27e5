/**
 * Records as InfluxDB points. Measurements wirespeed_throughput, wirespeed_latency, wirespeed_failover and
 * wirespeed_trial carry the tags lab, node, nic, datapath, dut, frame, scenario, run (DESIGN "Results"); results
 * also the generator.
 * All fields are floats so a field never changes type between runs (InfluxDB refuses that); timestamps in ms.
 */
import { Point } from '@influxdata/influxdb-client';
import { averageFrameBytes, l1BitsPerSecond, profileTag } from '../../method/trial.ts';
import { parseScenarioId } from '../schema/scenario-id.ts';
import { blockedMaxS } from '../model/format.ts';
import type { ResultRecord, RunRecord, RunStartRecord, TrialRecord } from '../schema/record.ts';

export const MEASUREMENTS = {
  throughput: 'wirespeed_throughput',
  latency: 'wirespeed_latency',
  failover: 'wirespeed_failover',
  trial: 'wirespeed_trial',
} as const;

export interface PointData {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, number>>;
  readonly timeMs: number;
}

/** Run-wide tags, taken from the run-start record. */
export interface RunTags {
  readonly lab: string;
  readonly node: string;
  readonly run: string;
}

/** Lab, DUT node and run id of a run-start record. */
export function runTagsOf(start: RunStartRecord): RunTags {
  const nodes = start.environment.nodes;
  const dut = nodes.find((n) => n.roles.includes('dut')) ?? nodes[0];
  return { lab: start.environment.labName, node: dut?.name ?? 'unknown', run: start.runId };
}

/** The points of one record (run-start, run-end, self-test, skip and failure records have none). */
export function recordToPoints(record: RunRecord, run: RunTags | undefined): PointData[] {
  const runTags = run ?? { lab: 'unknown', node: 'unknown', run: record.runId };
  switch (record.kind) {
    case 'result':
      return resultPoints(record, runTags);
    case 'trial':
      return [trialPoint(record, runTags)];
    case 'run-start':
    case 'run-end':
    case 'generator-selftest':
    case 'skip':
    case 'failure':
      return [];
  }
}

function scenarioTags(scenarioId: string, fallback: { nic?: string; datapath?: string; dut?: string; frame?: string }) {
  let parts: { nic?: string; datapath?: string; dut?: string; frame?: string } = {};
  try {
    const p = parseScenarioId(scenarioId);
    parts = { nic: p.nic, datapath: p.datapath, dut: p.dut, frame: p.frame };
  } catch {
    // Ids outside the CSIT layout still get their points; the record's own fields fill the tags.
  }
  const tags: Record<string, string> = { scenario: scenarioId };
  for (const k of ['nic', 'datapath', 'dut', 'frame'] as const) {
    const v = fallback[k] ?? parts[k];
    if (v !== undefined && v !== '') tags[k] = v;
  }
  return tags;
}

function resultPoints(r: ResultRecord, run: RunTags): PointData[] {
  const tags: Record<string, string> = {
    ...run,
    ...scenarioTags(r.scenarioId, { datapath: r.datapath, dut: r.dut.kind, frame: profileTag(r.profile) }),
    // Dashboards and queries must never average across generators.
    ...(r.generator ? { generator: r.generator.kind } : {}),
  };
  const timeMs = Date.parse(r.at);
  const points: PointData[] = [];
  const fields: Record<string, number> = { passed: r.status === 'passed' ? 1 : 0, frame_bytes: averageFrameBytes(r.profile) };
  if (r.ndr) {
    fields.ndr_pps = r.ndr.lowerBoundPps;
    fields.ndr_l1_bps = l1BitsPerSecond(r.ndr.lowerBoundPps, r.profile);
    if (r.ndr.upperBoundPps !== undefined) fields.ndr_upper_pps = r.ndr.upperBoundPps;
  }
  if (r.pdr) {
    fields.pdr_pps = r.pdr.lowerBoundPps;
    fields.pdr_l1_bps = l1BitsPerSecond(r.pdr.lowerBoundPps, r.profile);
    if (r.pdr.upperBoundPps !== undefined) fields.pdr_upper_pps = r.pdr.upperBoundPps;
  }
  if (r.mrr) fields.mrr_pps = mean(r.mrr.receivedPps);
  if (r.lineRateBps !== undefined) fields.line_rate_bps = r.lineRateBps;
  if (r.status !== 'skipped') points.push({ measurement: MEASUREMENTS.throughput, tags, fields, timeMs });
  for (const l of r.latency ?? []) {
    const load = l.fractionOfPdr === undefined ? `${Math.round(l.loadPps)}pps` : `${Math.round(l.fractionOfPdr * 100)}pct`;
    points.push({
      measurement: MEASUREMENTS.latency,
      tags: { ...tags, load },
      fields: { load_pps: l.loadPps, p50_ns: l.p50Ns, p90_ns: l.p90Ns, p99_ns: l.p99Ns, p999_ns: l.p999Ns, max_ns: l.maxNs, samples: l.histogram.count },
      timeMs,
    });
  }
  (r.failover ?? []).forEach((f, i) => {
    points.push({
      measurement: MEASUREMENTS.failover,
      tags: { ...tags, event: f.event },
      fields: {
        offered_pps: f.offeredPps,
        lost_packets: f.lostPackets,
        blocked_s: f.blockedS,
        // Live counter bins (pktgen): the outage lay between blocked_s and this.
        ...(blockedMaxS(f) === undefined ? {} : { blocked_max_s: blockedMaxS(f)! }),
        ...(f.recoveryS === undefined ? {} : { recovery_s: f.recoveryS }),
        recovered: f.recoveryS === undefined ? 0 : 1,
      },
      // Same event twice in one result: 1 ms apart so the second does not overwrite the first.
      timeMs: timeMs + i,
    });
  });
  return points;
}

function trialPoint(t: TrialRecord, run: RunTags): PointData {
  const tr = t.trial;
  return {
    measurement: MEASUREMENTS.trial,
    tags: { ...run, ...scenarioTags(t.scenarioId, { frame: profileTag(tr.spec.profile) }), purpose: t.purpose },
    fields: {
      seq: t.seq,
      load_pps: tr.spec.loadPps,
      offered_pps: tr.offeredPps,
      received_pps: tr.receivedPps,
      loss_ratio: tr.lossRatio,
      lost: tr.lost,
      duration_s: tr.actualDurationS,
    },
    timeMs: Date.parse(tr.startedAt),
  };
}

/** One line of line protocol (ms precision), serialized by @influxdata/influxdb-client's Point. */
export function toLineProtocol(p: PointData): string {
  const point = new Point(p.measurement);
  for (const [k, v] of Object.entries(p.tags)) point.tag(k, v);
  for (const [k, v] of Object.entries(p.fields)) point.floatField(k, v);
  point.timestamp(String(Math.round(p.timeMs)));
  const line = point.toLineProtocol();
  if (line === undefined) throw new Error(`point ${p.measurement} has no fields`);
  return line;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}
