/**
 * The HTML report: one self-contained file (inline CSS and SVG, no scripts, no network) that a NIC vendor
 * can hand over and an engineer can read: summary, throughput against frame size, bounds, latency,
 * failover, every trial, environment.
 */
import { formatCpuList } from '../../lab/cpu-list.ts';
import { describeStalls } from '../../method/host-stalls.ts';
import { summarizeRepeats } from '../../method/statistics.ts';
import { l1BitsPerSecond, profileTag, type TrafficProfile } from '../../method/trial.ts';
import { boundCellText, failoverText, mrrText, profileLabel, spreadText } from '../model/figure-text.ts';
import { fmtDuration, fmtGbps, fmtLatency, fmtLoss, fmtMpps, fmtPct, fmtPps, fmtUs } from '../model/format.ts';
import { aggregateLineRateBps, failureName, throughputSamples, type RunView } from '../model/run-view.ts';
import { testerView } from '../model/tester.ts';
import { SCHEMA_VERSION, type ResultRecord, type ThroughputBound, type TrialRecord } from '../schema/record.ts';
import { boundsChart, failoverChart, highestLoad, latencyChart, throughputCharts } from './charts.ts';
import { htmlPage } from './page.ts';
import { STYLE } from './style.ts';
import { esc } from './svg/escape.ts';

export interface HtmlReportOptions {
  /** Shown in the footer. */
  readonly generatedAt?: Date;
  readonly harnessVersion?: string;
}

/** Render a run as a complete HTML document. */
export function renderHtmlReport(view: RunView, options: HtmlReportOptions = {}): string {
  const title = `wirespeed report · ${view.runId}`;
  const body = [header(view), banners(view), tester(view), cards(view), summary(view), skipped(view), throughput(view), bounds(view), latency(view), failover(view), trials(view), environment(view), footer(view, options)];
  return htmlPage({ title, generator: 'wirespeed', style: STYLE, sections: body });
}

function header(v: RunView): string {
  const env = v.start?.environment;
  const started = v.start?.startedAt ?? v.lastAt;
  const duration = v.start && v.end ? (Date.parse(v.end.endedAt) - Date.parse(v.start.startedAt)) / 1000 : undefined;
  return `<header class="top">
  <h1>wirespeed <span>run ${esc(v.runId)}</span></h1>
  <div class="meta">${env ? `lab <b>${esc(env.labName)}</b> (${esc(env.labKind)}) · ` : ''}${started ? `started ${esc(fmtTime(started))}` : ''}${duration !== undefined ? ` · took ${esc(fmtDuration(duration))}` : ''}<br>${
    v.end ? `run ${esc(v.end.status)}` : '<b>partial run</b>'
  }${env ? ` · harness ${esc(env.harnessCommit)}` : ''}</div>
</header>`;
}

function banners(v: RunView): string {
  const out: string[] = [];
  if (v.partial) {
    const unfinished = v.unfinished.map((id) => `<code>${esc(id)}</code> (${v.trialsByScenario.get(id)?.length ?? 0} trials recorded)`);
    out.push(
      `<div class="banner warn"><b>Partial run.</b> There is no run-end record: the run was stopped (killed, crashed) or is still running. ` +
        `Everything recorded up to ${esc(v.lastAt ? fmtTime(v.lastAt) : 'the last record')} is shown.` +
        (unfinished.length ? ` Scenarios without a result: ${unfinished.join(', ')}.` : '') +
        `</div>`,
    );
  }
  if (v.end?.error) out.push(`<div class="banner err"><b>Run ${esc(v.end.status)}:</b> ${esc(v.end.error)}</div>`);
  if (v.errors.length) {
    out.push(
      `<div class="banner err"><b>${v.errors.length} record line${v.errors.length > 1 ? 's' : ''} could not be read</b> and ${v.errors.length > 1 ? 'are' : 'is'} left out:<ul>${v.errors
        .slice(0, 10)
        .map((e) => `<li><code>${esc(e.message.split('\n')[0] ?? '')}</code></li>`)
        .join('')}</ul></div>`,
    );
  }
  return out.join('\n');
}

/** The tester and the host before any figure: self-test ceiling, latency bias, stalls of both pollers. */
function tester(v: RunView): string {
  const t = testerView(v);
  const rows = t.profiles.map(
    (p) =>
      `<tr><td>${esc(p.generator)}</td><td class="nowrap">${esc(profileLabel(p.profile))}</td><td class="num">${p.ceilingPps === undefined ? `<span class="sub">${esc(p.unavailable ?? 'not run')}</span>` : esc(fmtPps(p.ceilingPps))}</td><td class="num">${
        p.biasNs === undefined ? '–' : `${esc(fmtLatency(p.biasNs))}<div class="sub">p99 ${esc(fmtLatency(p.biasP99Ns ?? Number.NaN))}</div>`
      }</td></tr>`,
  );
  const selfTest = rows.length
    ? `<table><thead><tr><th>generator</th><th>frame</th><th class="num">self-test ceiling</th><th class="num">latency bias (loopback p50)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
    : '<p class="note">Generator self-test: not recorded.</p>';
  const stalls = (label: string, s: typeof t.generatorStalls) => `<dt>${esc(label)}</dt><dd>${s ? esc(describeStalls(s)) : 'not recorded'}</dd>`;
  return `<h2>Tester and host</h2>
<p class="note">What the tester does without a DUT (its ceiling bounds every throughput figure; its loopback latency is part of every latency figure) and how often the host took the CPU from the polling loops (gaps between loop iterations; a stall delays or drops what arrives meanwhile).</p>
${selfTest}
<dl class="host">${stalls('generator loop stalls', t.generatorStalls)}${stalls('DUT loop stalls', t.dutStalls)}</dl>`;
}

function skipped(v: RunView): string {
  if (v.skips.length === 0) return '';
  const rows = v.skips.map(
    (s) =>
      `<tr><td><code>${esc(s.scenarioId ?? s.test)}</code>${s.project ? `<div class="sub">${esc(s.project)}</div>` : ''}</td><td class="nowrap">${esc(s.datapath ?? '–')}</td><td>${esc(s.reason)}</td><td>${esc(s.capability ?? '–')}</td></tr>`,
  );
  return `<h2>Skipped (${v.skips.length})</h2>
<div class="scroll"><table><thead><tr><th>scenario</th><th>datapath</th><th>reason</th><th>capability</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></div>`;
}

function cards(v: RunView): string {
  const count = (s: ResultRecord['status']) => v.results.filter((r) => r.status === s).length;
  const trialCount = [...v.trialsByScenario.values()].reduce((s, t) => s + t.length, 0);
  const trialSeconds = [...v.trialsByScenario.values()].flat().reduce((s, t) => s + t.trial.actualDurationS, 0);
  const items: [string, string][] = [
    ['scenarios', String(v.results.length + v.unfinished.length)],
    ['passed', String(count('passed'))],
    ['failed', String(count('failed') + v.failures.length)],
    ['skipped', String(v.skips.length)],
    ['trials', String(trialCount)],
    ['traffic time', fmtDuration(trialSeconds)],
  ];
  return `<section class="cards">${items.map(([k, val]) => `<div class="card"><div class="k">${esc(k)}</div><div class="v">${esc(val)}</div></div>`).join('')}</section>`;
}

function summary(v: RunView): string {
  const measured = v.results.filter((r) => r.status !== 'skipped');
  if (measured.length === 0 && v.unfinished.length === 0 && v.failures.length === 0) return `<h2>Summary</h2><p class="note">No scenario has a result yet.</p>`;
  const rows = measured.map((r) => {
    const all = v.resultsByScenario.get(r.scenarioId) ?? [r];
    const ndrSamples = throughputSamples(all, 'ndr');
    const lr = aggregateLineRateBps(r);
    const ndrBps = r.ndr ? l1BitsPerSecond(r.ndr.lowerBoundPps, r.profile) : Number.NaN;
    const lat = highestLoadOf(r);
    return `<tr>
  <td class="scn"><code>${esc(r.scenarioId)}</code>${r.reason ? `<div class="sub">${esc(r.reason)}</div>` : ''}</td>
  <td class="nowrap">${esc(r.datapath)}</td><td title="${esc(r.dut.version)}">${esc(r.dut.kind)}</td><td class="nowrap">${esc(profileLabel(r.profile))}</td>
  <td class="num">${r.ndr ? bound(r.ndr) : '–'}${ndrSamples.length > 1 ? `<div class="sub">${esc(spreadText(ndrSamples))}</div>` : ''}</td>
  <td class="num">${r.pdr ? bound(r.pdr) : '–'}</td>
  <td class="num">${fmtGbps(ndrBps)}</td>
  <td class="num">${lr === undefined ? '<span class="sub" title="virtual ports (memif, vhost-user, veth) have no line rate">none (virtual)</span>' : fmtPct(ndrBps / lr)}</td>
  <td class="num">${r.mrr ? esc(mrrText(r.mrr)) : '–'}</td>
  <td class="num">${lat ? `${esc(fmtLatency(lat.p99Ns))}<div class="sub">at ${esc(loadLabel(lat))}</div>` : '–'}</td>
  <td>${r.failover && r.failover.length > 0 ? esc(failoverText(r.failover)) : '–'}</td>
  <td><span class="chip ${r.status}">${esc(r.status)}</span></td>
</tr>`;
  });
  const unfinished = v.unfinished.map(
    (id) => `<tr><td><code>${esc(id)}</code><div class="sub">${v.trialsByScenario.get(id)?.length ?? 0} trials recorded, no result</div></td><td colspan="10"></td><td><span class="chip skipped">unfinished</span></td></tr>`,
  );
  const failedEarly = v.failures.map(
    (f) =>
      `<tr><td><code>${esc(failureName(f))}</code><div class="sub">${esc(f.errorClass ? `${f.errorClass}: ${f.error}` : f.error)}</div></td><td class="nowrap">${esc(f.datapath ?? '–')}</td><td colspan="9"><span class="sub">failed before any result was recorded</span></td><td><span class="chip failed">failed</span></td></tr>`,
  );
  return `<h2>Summary</h2>
<p class="note">NDR: no loss; PDR: loss ratio at most the PDR goal. Figures are the lower bounds of the search (the reported throughput), with the upper bound after “&lt;”. Gbit/s is layer 1 at NDR.</p>
<div class="scroll"><table class="summary">
<thead><tr><th>scenario</th><th>datapath</th><th>DUT</th><th>frame</th><th class="num">NDR</th><th class="num">PDR</th><th class="num">NDR Gbit/s</th><th class="num">of line rate</th><th class="num">MRR</th><th class="num">p99 latency</th><th>failover</th><th>status</th></tr></thead>
<tbody>
${[...rows, ...failedEarly, ...unfinished].join('\n')}
</tbody></table></div>`;
}

function throughput(v: RunView): string {
  const c = throughputCharts(v);
  if (!c) return '';
  return `<h2>Throughput against frame size</h2>
<p class="note">${esc(c.lineRateNote)}</p>
<div class="grid2"><div class="fig">${c.mpps}</div><div class="fig">${c.gbps}</div></div>`;
}

function bounds(v: RunView): string {
  const c = boundsChart(v);
  if (!c) return '';
  const goals = v.results[0]?.goals ?? [];
  const goalText = goals
    .map((g) => `${g.name}: loss ratio ≤ ${fmtLoss(g.lossRatio)}${g.relativeWidth !== undefined ? `, width ≤ ${fmtPct(g.relativeWidth, 2)}` : ''}${g.finalTrialDurationS !== undefined ? `, final trials ${g.finalTrialDurationS} s` : ''}`)
    .join('; ');
  return `<h2>NDR and PDR with bounds</h2>
${goalText ? `<p class="note">Search goals: ${esc(goalText)}.</p>` : ''}
<div class="fig">${c}</div>`;
}

function latency(v: RunView): string {
  const withLat = v.results.filter((r) => r.latency && r.latency.length > 0);
  if (withLat.length === 0) return '';
  const tables = withLat.map((r) => {
    const loads = r.latency ?? [];
    // One unit per table: ms when the tail reaches 10 ms, else µs.
    const ms = Math.max(...loads.map((l) => l.maxNs)) >= 1e7;
    const f = (ns: number) => (ms ? (ns / 1e6).toFixed(ns >= 1e8 ? 0 : 1) : fmtUs(ns));
    // A load the generator could not keep up with (it sent less than asked): its packets queued in the
    // tester, so that latency is partly the tester's (pktgen near its ceiling: tens of ms).
    const latencyTrials = (v.trialsByScenario.get(r.scenarioId) ?? []).filter((t) => t.purpose === 'latency');
    const behindOf = (l: (typeof loads)[number]): number | undefined => {
      const t = latencyTrials.find((x) => x.trial.spec.loadPps === l.loadPps)?.trial;
      const short = t && t.requested > 0 ? (t.requested - t.attempted) / t.requested : 0;
      return short > BEHIND_RATIO ? short : undefined;
    };
    const behindAny = loads.some((l) => behindOf(l) !== undefined);
    const rows = loads
      .map(
        (l) =>
          `<tr><td class="nowrap">${esc(loadLabel(l))}${behindOf(l) === undefined ? '' : ` <span class="sub">tester ${esc(fmtPct(behindOf(l)!, 1))} behind</span>`}</td><td class="num">${esc(fmtPps(l.loadPps))}</td><td class="num">${f(l.p50Ns)}</td><td class="num">${f(l.p90Ns)}</td><td class="num">${f(l.p99Ns)}</td><td class="num">${f(l.p999Ns)}</td><td class="num">${f(l.maxNs)}</td><td class="num">${l.histogram.count.toLocaleString('en-US')}</td></tr>`,
      )
      .join('');
    const bias = loads.find((l) => l.testerBiasNs !== undefined)?.testerBiasNs;
    return `<div class="fig">${latencyChart(r, loads)}
${bias === undefined ? '' : `<p class="note">Tester bias (generator loopback p50, no DUT): ${esc(fmtLatency(bias))}, included in every figure below.</p>`}
<table><thead><tr><th>load</th><th class="num">offered</th><th class="num">p50 ${ms ? 'ms' : 'µs'}</th><th class="num">p90</th><th class="num">p99</th><th class="num">p99.9</th><th class="num">max</th><th class="num">samples</th></tr></thead><tbody>${rows}</tbody></table>
${behindAny ? '<p class="note">“tester … behind”: the generator sent that share less than the load asked for (it fell behind its schedule, at its own limit): its packets waited in the tester, so that latency is partly the tester\'s, not the DUT\'s.</p>' : ''}</div>`;
  });
  return `<h2>Latency</h2>
<p class="note">Percentile curves from the full histograms (HDR style): the x axis spreads the tail, so each step right is ten times rarer. One line per offered load.</p>
<div class="grid2">${tables.join('\n')}</div>`;
}

/** A latency load is marked as the tester's limit when the generator sent more than this share less than asked. */
const BEHIND_RATIO = 0.001;

function failover(v: RunView): string {
  const items = v.results.flatMap((r) => (r.failover ?? []).map((f) => ({ r, f })));
  if (items.length === 0) return '';
  return `<h2>Failover</h2>
<p class="note">Constant load below NDR while the event is injected, counted in contiguous bins (no dead time). Blocked time per direction: from the send time of the last packet delivered before the outage to that of the first delivered after it; the loss-derived time (lost packets ÷ the direction's rate) beside it. Recovery runs from the event to the first bin back at the offered rate.${items.some(({ f }) => f.blockedBy === 'live-bins') ? ' A generator without per-packet stamps (pktgen) is counted in bins of live port-counter reads: its blocked time is the run of bins that received nothing (at least that long), up to the edges of the bins either side (at most); it holds packets back while the path is down and sends them after, so few are lost and the loss-derived time is not the outage.' : ''}</p>
<div class="grid2">${items.map(({ r, f }) => `<div class="fig">${failoverChart(r, f)}${failoverDirections(f)}</div>`).join('\n')}</div>`;
}

function failoverDirections(f: NonNullable<ResultRecord['failover']>[number]): string {
  if (!f.directions || f.directions.length === 0) return '';
  const rows = f.directions.map(
    (d) =>
      `<tr><td class="nowrap">${esc(d.name)}</td><td class="num">${d.blockedMaxS === undefined ? d.blockedS.toFixed(3) : `${d.blockedS.toFixed(3)}–${d.blockedMaxS.toFixed(3)}`}</td><td class="num">${d.lossDerivedS.toFixed(3)}</td><td class="num">${d.lostPackets.toLocaleString('en-US')}</td><td class="num">${d.lastBeforeS.toFixed(3)}</td><td class="num">${d.firstAfterS.toFixed(3)}</td></tr>`,
  );
  return `<table><thead><tr><th>direction</th><th class="num">blocked s</th><th class="num">loss-derived s</th><th class="num">lost</th><th class="num">${f.blockedBy === 'live-bins' ? 'silent from, s' : 'last before, s'}</th><th class="num">${f.blockedBy === 'live-bins' ? 'silent until, s' : 'first after, s'}</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function trials(v: RunView): string {
  if (v.trialsByScenario.size === 0) return '';
  const blocks = [...v.trialsByScenario.entries()].map(([id, ts]) => {
    const rows = ts.map(trialRow).join('\n');
    const total = ts.reduce((s, t) => s + t.trial.actualDurationS, 0);
    return `<details><summary><code>${esc(id)}</code><span class="sub">${ts.length} trials, ${esc(fmtDuration(total))} of traffic</span></summary><div>
<table><thead><tr><th class="num">#</th><th>purpose</th><th>started</th><th class="num">load Mpps</th><th class="num">duration s</th><th class="num" title="what the load asked for in the measured window: lost = asked − received">asked</th><th class="num">sent</th><th class="num">received</th><th class="num">lost</th><th class="num">loss ratio</th><th class="num">received Mpps</th></tr></thead>
<tbody>${rows}</tbody></table></div></details>`;
  });
  return `<h2>Trials</h2>
<p class="note">Every trial in the order it ran, as recorded before the next one started. Lost = asked − received: what the generator did not send of what the load asked for counts as lost (a generator that falls behind, like pktgen at its limit, sends less than asked).</p>
${blocks.join('\n')}`;
}

function trialRow(t: TrialRecord): string {
  const r = t.trial;
  return `<tr><td class="num">${t.seq}</td><td>${esc(t.purpose)}${t.note ? ` <span class="sub">${esc(t.note)}</span>` : ''}</td><td class="mono">${esc(r.startedAt.slice(11, 23))}</td><td class="num">${fmtMpps(r.spec.loadPps)}</td><td class="num">${r.actualDurationS.toFixed(2)}</td><td class="num">${r.requested.toLocaleString('en-US')}</td><td class="num">${r.sent.toLocaleString('en-US')}</td><td class="num">${r.received.toLocaleString('en-US')}</td><td class="num">${r.lost.toLocaleString('en-US')}</td><td class="num">${esc(fmtLoss(r.lossRatio))}</td><td class="num">${fmtMpps(r.receivedPps)}</td></tr>`;
}

function environment(v: RunView): string {
  const env = v.start?.environment;
  if (!env) return `<h2>Environment</h2><p class="note">No run-start record: the environment is unknown.</p>`;
  const nodes = env.nodes.map((node) => {
    const nics = node.nics
      .map((nic) => `${esc(nic.name)}: ${esc(nic.model)}${nic.pciId ? ` (${esc(nic.pciId)})` : ''}${nic.driver ? `, driver ${esc(nic.driver)}` : ''}${nic.firmware ? `, firmware ${esc(nic.firmware)}` : ''}${nic.numaNode === undefined ? '' : `, NUMA node ${nic.numaNode}`}${nic.lineRateBps ? `, ${fmtGbps(nic.lineRateBps)} Gbit/s` : ''}`)
      .join('<br>');
    const governors = node.governors === undefined ? 'not recorded' : Object.entries(node.governors).map(([g, cpus]) => `${g} (${cpus})`).join(', ') || 'none (no cpufreq)';
    const isolated = node.isolatedCpus === undefined ? 'not recorded' : node.isolatedCpus.length ? formatCpuList(node.isolatedCpus) : 'none';
    const sw = [node.dpdkVersion && `DPDK ${node.dpdkVersion}`, node.vppVersion && `VPP ${node.vppVersion}`, node.ovsVersion && `OVS ${node.ovsVersion}`].filter(Boolean).join(', ');
    return `<h3>Node ${esc(node.name)} <span class="sub">${esc(node.roles.join(', '))}</span></h3>
<dl class="env"><dt>hostname</dt><dd>${esc(node.hostname)}</dd><dt>CPU</dt><dd>${esc(node.cpuModel)} (${node.cpuCount} logical CPUs; used: ${esc(node.coresUsed.join(', ') || 'none recorded')})</dd><dt>kernel</dt><dd>${esc(node.kernel)}${node.kernelCmdline ? `<br><code>${esc(node.kernelCmdline)}</code>` : ''}</dd><dt>isolated CPUs</dt><dd>${esc(isolated)}</dd><dt>cpufreq governor</dt><dd>${esc(governors)}</dd><dt>software</dt><dd>${esc(sw || 'not recorded')}</dd><dt>NICs</dt><dd>${nics || 'none'}</dd></dl>`;
  });
  return `<h2>Environment</h2>
<dl class="env"><dt>lab</dt><dd>${esc(env.labName)} (${esc(env.labKind)})</dd><dt>run id</dt><dd><code>${esc(v.runId)}</code></dd><dt>harness</dt><dd>wirespeed ${esc(env.harnessVersion)}, commit <code>${esc(env.harnessCommit)}</code>, Node ${esc(env.nodeVersion)}</dd>${
    v.start?.invocation ? `<dt>invocation</dt><dd><code>${esc(v.start.invocation)}</code></dd>` : ''
  }<dt>tester</dt><dd>see “Tester and host” above</dd></dl>
${nodes.join('\n')}`;
}

function footer(v: RunView, o: HtmlReportOptions): string {
  return `<footer>Generated by wirespeed${o.harnessVersion ? ` ${esc(o.harnessVersion)}` : ''} from <code>${esc(v.dir)}/records.jsonl</code>${
    o.generatedAt ? ` on ${esc(fmtTime(o.generatedAt.toISOString()))}` : ''
  }. Record schema version ${SCHEMA_VERSION}.</footer>`;
}

function bound(b: ThroughputBound): string {
  const marked = b.mark !== undefined;
  // The reason stands once, under the figure: the cell's text names only the mark.
  return `<span class="nowrap${marked ? ' marked' : ''}">${esc(boundCellText(b))}</span>${
    b.upperBoundPps === undefined ? (marked ? '' : '<div class="sub">max load passed</div>') : `<div class="sub">&lt; ${esc(fmtPps(b.upperBoundPps))}</div>`
  }${b.mark ? `<div class="sub">${esc(b.mark.reason)}</div>` : ''}`;
}

/** "50 % PDR", "idle" for the latency stream alone, or the absolute load. */
export function loadLabel(l: { fractionOfPdr?: number; loadPps: number }): string {
  if (l.fractionOfPdr === undefined) return fmtPps(l.loadPps);
  return l.fractionOfPdr === 0 ? 'idle' : `${Math.round(l.fractionOfPdr * 100)} % PDR`;
}

function highestLoadOf(r: ResultRecord) {
  const ls = r.latency ?? [];
  return ls.length ? highestLoad(ls) : undefined;
}

export { profileLabel };

function fmtTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, ' UTC');
}

export { profileTag };
