/**
 * The certificate: one self-contained HTML file (inline CSS and SVG, no scripts, no network, like
 * reports/html) that a NIC vendor can publish and Chromium prints to PDF. It states the verdict, every
 * criterion with its measured figures (failing ones first), the results in Mpps, Gbit/s at layer 1 and
 * % of line rate, what did not apply and why, the environment, the tester, the method, and the hashes a
 * reader checks it against.
 */
import { nicModel } from '../../lab/nic-catalogue.ts';
import { fmtGbps, fmtLatency, fmtMpps, fmtPct, fmtPps } from '../../reports/model/format.ts';
import type { RunView } from '../../reports/model/run-view.ts';
import type { NodeEnvironment, ResultRecord } from '../../reports/schema/record.ts';
import { throughputCharts } from '../../reports/html/charts.ts';
import { loadLabel, profileLabel } from '../../reports/html/report.ts';
import { STYLE } from '../../reports/html/style.ts';
import { htmlPage } from '../../reports/html/page.ts';
import { esc } from '../../reports/html/svg/escape.ts';
import { parseScenarioId, threadsCoresTag } from '../../reports/schema/scenario-id.ts';
import { throughputFigure, type CellVerdict, type CriterionVerdict, type Evaluation, type Figure, type ThroughputFigure, type Verdict } from '../evaluate.ts';
import type { CertifyPlan } from '../plan.ts';

/** What the certificate quotes so a reader can check it (the manifest holds the same hashes). */
export interface CertificateIntegrity {
  readonly recordsSha256: string;
  readonly inventorySha256: string;
  readonly profileSha256: string;
  readonly harnessCommit: string;
  /** The signing key's fingerprint, or undefined for an unsigned certificate. */
  readonly signerFingerprint: string | undefined;
}

export interface CertificateInput {
  readonly plan: CertifyPlan;
  readonly evaluation: Evaluation;
  readonly view: RunView;
  readonly integrity: CertificateIntegrity;
  readonly generatedAt: Date;
  readonly harnessVersion: string;
}

const VERDICT_TEXT: Record<Verdict, string> = { pass: 'pass', fail: 'FAIL', 'not-measured': 'not measured', 'not-applicable': 'not applicable' };
const OVERALL_TEXT: Record<Evaluation['verdict'], string> = { passed: 'PASSED', failed: 'FAILED', incomplete: 'INCOMPLETE', 'not-applicable': 'NOTHING APPLIED' };

const CERT_STYLE = `
@page { size: A4; margin: 14mm 12mm; }
.verdict { border-radius: 8px; padding: 12px 16px; margin: 16px 0; border: 2px solid; font-size: 15px; }
.verdict b.big { font-size: 22px; letter-spacing: .02em; margin-right: 10px; }
.verdict.passed { background: var(--okbg); border-color: var(--ok); color: #064e3b; }
.verdict.failed { background: var(--badbg); border-color: var(--bad); color: #7f1d1d; }
.verdict.incomplete, .verdict.not-applicable { background: var(--skipbg); border-color: #f59e0b; color: #78350f; }
.chip { white-space: nowrap; }
.chip.pass { background: var(--okbg); color: var(--ok); }
.chip.fail { background: var(--badbg); color: var(--bad); }
.chip.not-measured { background: var(--skipbg); color: var(--skip); }
.chip.not-applicable { background: #eef0f3; color: #4b5563; }
table.criteria tr.criterion td { border-top: 2px solid var(--line); font-weight: 600; background: var(--panel); }
table.criteria tr.cell td:first-child { padding-left: 22px; }
table.criteria td.req { white-space: nowrap; }
tr { break-inside: avoid; }
h2 { break-after: avoid; }
.virtual-mark { color: var(--skip); }
.mismatch { color: var(--bad); }
@media print {
  body { font-size: 11px; }
  main { max-width: none; padding: 0; }
  .grid2 { grid-template-columns: 1fr 1fr; gap: 8px; } .fig { break-inside: avoid; }
  /* Paper does not scroll: tables shrink to the page instead. */
  .scroll { overflow: visible; }
  table { font-size: 9.5px; } th, td { padding: 3px 4px; } th { white-space: normal; }
  dl.env { grid-template-columns: 150px 1fr; }
}
`;

/** Render the certificate as a complete HTML document. */
export function renderCertificate(input: CertificateInput): string {
  const { plan } = input;
  const title = `${plan.profile.title} — ${nicTitle(plan)}`;
  const body = [
    header(input),
    banners(input),
    verdict(input),
    criteria(input),
    results(input),
    latency(input),
    notApplicable(input),
    environment(input),
    tester(input),
    methodology(input),
    integrity(input),
    footer(input),
  ];
  return htmlPage({ title, generator: `wirespeed ${input.harnessVersion}`, style: `${STYLE}${CERT_STYLE}`, sections: body });
}

/** The NIC as the title names it; a virtual NIC says so. */
export function nicTitle(plan: CertifyPlan): string {
  if (plan.virtualNic) return `virtual NIC (lab ${plan.lab.name}, a demonstration, no NIC certified)`;
  const known = (() => {
    try {
      return nicModel(plan.lab.nic.model);
    } catch {
      return undefined;
    }
  })();
  return known ? `${known.name} (${known.pfPciId})` : `${plan.lab.nic.model}${plan.lab.nic.pciId ? ` (${plan.lab.nic.pciId})` : ''}`;
}

function header({ plan, view, generatedAt }: CertificateInput): string {
  const p = plan.profile;
  return `<header class="top">
  <h1>${esc(p.title)} <span class="${plan.virtualNic ? 'virtual-mark' : ''}">— ${esc(nicTitle(plan))}</span></h1>
  <div class="meta">certification profile <b>${esc(p.profile)}</b> version ${p.version}<br>lab <b>${esc(plan.lab.name)}</b> (${esc(plan.lab.kind)}) · run <code>${esc(view.runId)}</code><br>${esc(fmtTime(generatedAt.toISOString()))}</div>
</header>`;
}

function banners({ plan, evaluation }: CertificateInput): string {
  const out: string[] = [];
  if (plan.virtualNic) {
    out.push(
      `<div class="banner warn"><b>Virtual NIC.</b> Lab ${esc(plan.lab.name)} has no physical NIC: its ports are software (${esc(plan.run?.datapaths.join(', ') ?? 'none')}). ` +
        `This certificate shows the certification flow end to end; it certifies no NIC. Its figures are those of a shared host, and criteria that only hardware can meet are listed as not applicable, each with the reason.</div>`,
    );
  }
  if (plan.quick) {
    out.push(`<div class="banner warn"><b>Quick run.</b> Short trials, wider search goals and a subset of the frame sizes (${esc(plan.run?.frameSizes.join(', ') ?? '')}): figures are indications, not certified values.</div>`);
  }
  if (evaluation.runProblem) out.push(`<div class="banner err"><b>Incomplete run:</b> ${esc(evaluation.runProblem)}.</div>`);
  return out.join('\n');
}

function verdict({ evaluation }: CertificateInput): string {
  const c = evaluation.counts;
  const failing = evaluation.criteria.filter((x) => x.verdict === 'fail');
  const unmeasured = evaluation.criteria.filter((x) => x.verdict === 'not-measured');
  const parts = [`${c.pass} passed`, `${c.fail} failed`, `${c['not-measured']} not measured`, `${c['not-applicable']} not applicable`];
  return `<section class="verdict ${evaluation.verdict}"><b class="big">${OVERALL_TEXT[evaluation.verdict]}</b> ${esc(parts.join(' · '))} of ${evaluation.criteria.length} criteria.${
    failing.length ? `<br>Failed: ${failing.map((f) => `<b>${esc(f.criterion.title)}</b>`).join('; ')}.` : ''
  }${unmeasured.length ? `<br>Not measured: ${unmeasured.map((f) => esc(f.criterion.title)).join('; ')}.` : ''}</section>`;
}

function chip(v: Verdict): string {
  return `<span class="chip ${v}">${esc(VERDICT_TEXT[v])}</span>`;
}

/** A throughput figure in all three units. */
export function throughputText(f: ThroughputFigure): string {
  const share = f.lineRateRatio === undefined ? 'no line rate (virtual)' : `${fmtPct(f.lineRateRatio)} of line rate`;
  return `${fmtMpps(f.pps)} Mpps · ${fmtGbps(f.l1Bps)} Gbit/s · ${share}`;
}

function figureText(f: Figure | undefined): string {
  if (!f) return '–';
  switch (f.kind) {
    case 'throughput':
      return `${f.figure.toUpperCase()} ${throughputText(f)}`;
    case 'bounds':
      return `NDR ${throughputText(f.ndr)}<br>PDR ${throughputText(f.pdr)}`;
    case 'latency':
      return `${f.percentile} ${fmtLatency(f.latencyNs)} at ${Math.round(f.fractionOfPdr * 100)} % of PDR (${fmtPps(f.loadPps)})`;
    case 'latency-loads':
      return f.loads.map((l) => `${Math.round(l.fractionOfPdr * 100)} %: ${l.samples.toLocaleString('en-US')} samples`).join(' · ');
    case 'speedup':
      return `${f.ratio.toFixed(2)} × (${fmtMpps(f.scaled.pps)} against ${fmtMpps(f.base.pps)} Mpps)`;
    case 'failover':
      return `blocked ${f.blockedMaxS === undefined ? f.blockedS.toFixed(3) : `${f.blockedS.toFixed(3)}–${f.blockedMaxS.toFixed(3)}`} s at ${fmtPps(f.offeredPps)}, ${f.recoveryS === undefined ? 'not recovered' : `recovered after ${f.recoveryS.toFixed(2)} s`}`;
    case 'status':
      return f.status;
    default: {
      const never: never = f;
      return String(never);
    }
  }
}

function criteria({ evaluation }: CertificateInput): string {
  const rows = evaluation.criteria.map((cv: CriterionVerdict) => {
    const head = `<tr class="criterion" data-criterion="${esc(cv.criterion.id)}"><td>${esc(cv.criterion.title)}<div class="sub">${esc(cv.criterion.id)}</div></td><td class="req">${esc(cv.requirement)}</td><td></td><td>${chip(cv.verdict)}</td></tr>`;
    // Measured cells one by one; cells that did not apply folded into one row per reason.
    const cells = cv.cells
      .filter((c) => c.verdict !== 'not-applicable' || c.figure !== undefined)
      .map(
        (c: CellVerdict) =>
          `<tr class="cell"><td>${esc(c.label)}</td><td></td><td>${figureText(c.figure)}${c.reason ? `<div class="sub">${esc(c.reason)}</div>` : ''}</td><td>${chip(c.verdict)}</td></tr>`,
      );
    const folded = new Map<string, CellVerdict[]>();
    for (const c of cv.cells) if (c.verdict === 'not-applicable' && c.figure === undefined) folded.set(c.reason ?? '', [...(folded.get(c.reason ?? '') ?? []), c]);
    for (const [reason, cs] of folded) {
      cells.push(`<tr class="cell na"><td>${esc(foldLabel(cs))}</td><td></td><td><div class="sub">${esc(reason)}</div></td><td>${chip('not-applicable')}</td></tr>`);
    }
    return [head, ...cells].join('\n');
  });
  return `<h2>Criteria</h2>
<p class="note">Every criterion of the profile with the figure measured in each cell of the plan and its verdict; failing criteria first. A criterion takes the worst verdict of its cells.</p>
<div class="scroll"><table class="criteria">
<thead><tr><th>criterion / cell</th><th>requirement</th><th>measured</th><th>verdict</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></div>`;
}

/** "pf, sriov · 64 B, 1518 B · 1, 2, 4 cores (12 cells)": what a group of cells spans. */
function foldLabel(cs: readonly CellVerdict[]): string {
  if (cs.length === 1) return cs[0]!.label;
  const uniq = <T>(xs: readonly (T | undefined)[]): T[] => [...new Set(xs.filter((x): x is T => x !== undefined))];
  const frames = uniq(cs.map((c) => c.frame)).map((f) => (f === 'imix' ? 'IMIX' : `${f.replace(/b$/, '')} B`));
  const cores = uniq(cs.map((c) => c.dutCores));
  const parts = [uniq(cs.map((c) => c.datapath)).join(', ')];
  if (frames.length) parts.push(frames.join(', '));
  if (cores.length) parts.push(`${cores.join(', ')} core${cores.length === 1 && cores[0] === 1 ? '' : 's'}`);
  return `${parts.join(' · ')} (${cs.length} cells)`;
}

/** "1 (1t1c)", "2 (2t2c)": the DUT's cores as the certificate names them, with CSIT's thread-core tag. */
function coresLabel(scenarioId: string): string {
  try {
    const tc = parseScenarioId(scenarioId).threadsCores;
    return tc === undefined ? '1 (1t1c)' : `${tc.cores} (${threadsCoresTag(tc)})`;
  } catch {
    return '';
  }
}

function resultsOf(view: RunView, test: string): ResultRecord[] {
  return view.results.filter((r) => r.scenarioId.endsWith(`-${test}`));
}

function results({ view, plan }: CertificateInput): string {
  if (plan.profile.plan.kind !== 'performance') return conformanceResults(view);
  const rs = resultsOf(view, 'ndrpdr');
  if (rs.length === 0) return `<h2>Results</h2><p class="note">No throughput result was recorded.</p>`;
  const cell = (f: ThroughputFigure | undefined): string =>
    f ? `<td class="num">${fmtMpps(f.pps)}</td><td class="num">${fmtGbps(f.l1Bps)}</td><td class="num">${f.lineRateRatio === undefined ? '<span class="sub">virtual</span>' : fmtPct(f.lineRateRatio)}</td>` : '<td class="num">–</td><td class="num">–</td><td class="num">–</td>';
  const rows = rs.map((r) => {
    const mrr = throughputFigure(r, 'mrr');
    return `<tr><td class="nowrap">${esc(r.datapath)}</td><td class="nowrap">${esc(coresLabel(r.scenarioId))}</td><td class="nowrap">${esc(profileLabel(r.profile))}</td>${cell(throughputFigure(r, 'ndr'))}${cell(throughputFigure(r, 'pdr'))}<td class="num">${mrr ? fmtMpps(mrr.pps) : '–'}</td><td class="num">${r.flows}</td><td><span class="chip ${r.status === 'passed' ? 'pass' : r.status === 'failed' ? 'fail' : 'not-applicable'}">${esc(r.status)}</span>${r.reason ? `<div class="sub">${esc(r.reason)}</div>` : ''}</td></tr>`;
  });
  const charts = throughputCharts(view);
  return `<h2>Results</h2>
<p class="note">Lower bounds of the search (the reported throughput), aggregate over both directions. Gbit/s is at layer 1 (each frame plus 20 bytes of preamble, start delimiter and inter-frame gap); the share is of the line rate of the ports the traffic crosses.</p>
<div class="scroll"><table class="summary results">
<thead><tr><th>datapath</th><th>DUT cores</th><th>frame</th><th class="num">NDR Mpps</th><th class="num">NDR Gbit/s</th><th class="num">NDR of line rate</th><th class="num">PDR Mpps</th><th class="num">PDR Gbit/s</th><th class="num">PDR of line rate</th><th class="num">MRR Mpps</th><th class="num">flows/dir</th><th>status</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></div>
${charts ? `<div class="grid2"><div class="fig">${charts.mpps}</div><div class="fig">${charts.gbps}</div></div><p class="note">${esc(charts.lineRateNote)}</p>` : ''}`;
}

function conformanceResults(view: RunView): string {
  const rs = view.results.filter((r) => /-(conformance|failover)-/.test(r.scenarioId));
  if (rs.length === 0) return `<h2>Results</h2><p class="note">No conformance result was recorded.</p>`;
  const rows = rs.map((r) => `<tr><td><code>${esc(r.scenarioId)}</code></td><td><span class="chip ${r.status === 'passed' ? 'pass' : r.status === 'failed' ? 'fail' : 'not-applicable'}">${esc(r.status)}</span></td><td>${esc(r.reason ?? '')}</td></tr>`);
  return `<h2>Results</h2><div class="scroll"><table class="summary"><thead><tr><th>scenario</th><th>status</th><th>detail</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></div>`;
}

function latency({ view }: CertificateInput): string {
  const rs = view.results.filter((r) => r.latency && r.latency.length > 0);
  if (rs.length === 0) return '';
  const rows = rs.flatMap((r) =>
    (r.latency ?? []).map(
      (l, i) =>
        `<tr>${i === 0 ? `<td rowspan="${r.latency!.length}" class="nowrap">${esc(r.datapath)} · ${esc(profileLabel(r.profile))}</td>` : ''}<td class="nowrap">${esc(loadLabel(l))}</td><td class="num">${esc(fmtPps(l.loadPps))}</td><td class="num">${esc(fmtLatency(l.p50Ns))}</td><td class="num">${esc(fmtLatency(l.p90Ns))}</td><td class="num">${esc(fmtLatency(l.p99Ns))}</td><td class="num">${esc(fmtLatency(l.p999Ns))}</td><td class="num">${esc(fmtLatency(l.maxNs))}</td><td class="num">${l.histogram.count.toLocaleString('en-US')}</td></tr>`,
    ),
  );
  return `<h2>Latency</h2>
<p class="note">Round-trip latency of a low-rate stamped stream sent alongside the load, at fractions of the PDR (idle = the stream alone); percentiles from the full histogram.</p>
<div class="scroll"><table class="summary latency"><thead><tr><th>cell</th><th>load</th><th class="num">offered</th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">p99.9</th><th class="num">max</th><th class="num">samples</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></div>`;
}

function notApplicable({ plan }: CertificateInput): string {
  const cells = [
    ...plan.performance.map((c) => ({ label: `${c.datapath} · ${c.frameSize === 'imix' ? 'IMIX' : `${c.frameSize} B`} · ${c.dutCores} core${c.dutCores === 1 ? '' : 's'}`, why: c.notApplicable })),
    ...plan.conformance.map((c) => ({ label: `${c.datapath} · ${c.test}`, why: c.notApplicable })),
    ...plan.failover.map((c) => ({ label: `${c.datapath} · ${c.event}`, why: c.notApplicable })),
  ].filter((c): c is { label: string; why: string } => c.why !== undefined);
  if (cells.length === 0) return '';
  const byReason = new Map<string, string[]>();
  for (const c of cells) byReason.set(c.why, [...(byReason.get(c.why) ?? []), c.label]);
  const items = [...byReason.entries()].map(([why, labels]) => `<li><b>${esc(why)}</b><div class="sub">${labels.length} cell${labels.length === 1 ? '' : 's'}: ${esc(labels.join(', '))}</div></li>`);
  return `<h2>Not applicable on this lab</h2>
<p class="note">Cells of the profile's plan that did not run here, grouped by the reason.</p>
<ul class="na">${items.join('\n')}</ul>`;
}

const NOT_RECORDED = '<span class="sub">not recorded by this run</span>';

function environment({ plan, view }: CertificateInput): string {
  const env = view.start?.environment;
  const nic = plan.lab.nic;
  const recordedNic = env?.nodes.flatMap((n) => n.nics).find((x) => x.name === nic.name);
  const model = plan.virtualNic ? undefined : (() => {
    try {
      return nicModel(nic.model);
    } catch {
      return undefined;
    }
  })();
  const nicRows: [string, string][] = [
    ['NIC', plan.virtualNic ? `virtual (software ports of lab ${esc(plan.lab.name)})` : esc(model ? `${model.name} (${nic.model})` : nic.model)],
    ['inventory name', esc(nic.name)],
    ['PCI id (vendor:device)', esc(recordedNic?.pciId ?? nic.pciId ?? model?.pfPciId ?? (plan.virtualNic ? 'none (virtual)' : '')) || NOT_RECORDED],
    ['PCI addresses', nic.pciAddresses.length ? esc(nic.pciAddresses.join(', ')) : plan.virtualNic ? 'none (virtual)' : NOT_RECORDED],
    ['driver', recordedNic?.driver && recordedNic.driver !== 'virtual' ? esc(recordedNic.driver) : plan.virtualNic ? 'none (virtual)' : NOT_RECORDED],
    ['firmware', recordedNic?.firmware ? esc(recordedNic.firmware) : plan.virtualNic ? 'none (virtual)' : NOT_RECORDED],
    ['NUMA node', recordedNic?.numaNode !== undefined ? String(recordedNic.numaNode) : plan.virtualNic ? 'none (virtual)' : NOT_RECORDED],
    ['line rate per port', recordedNic?.lineRateBps ? `${fmtGbps(recordedNic.lineRateBps)} Gbit/s` : plan.virtualNic ? 'none (virtual)' : NOT_RECORDED],
  ];
  const nodes = (env?.nodes ?? []).map((node) => nodeBlock(node, plan));
  return `<h2>Environment</h2>
<dl class="env nic">${nicRows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>
${env ? `<dl class="env"><dt>harness</dt><dd>wirespeed ${esc(env.harnessVersion)}, commit <code>${esc(env.harnessCommit)}</code>, Node ${esc(env.nodeVersion)}</dd>${view.start?.invocation ? `<dt>invocation</dt><dd><code>${esc(view.start.invocation)}</code></dd>` : ''}</dl>` : '<p class="note">No run-start record: the environment is unknown.</p>'}
${nodes.join('\n')}`;
}

/**
 * A node's environment: what the run measured on the host (cli/run/environment.ts: /proc/cmdline, the
 * kernel's isolated CPUs, cpufreq governors, each NIC's NUMA node), beside what the inventory declares. A
 * measured fact that differs from the declared one is marked: the certificate states what the host was.
 */
function nodeBlock(node: NodeEnvironment, plan: CertifyPlan): string {
  const declared = plan.lab.nodes.find((n) => n.name === node.name);
  const list = (xs: readonly number[] | undefined): string => (xs && xs.length ? xs.join(', ') : 'none');
  const declaredNote = (what: string): string => `<span class="sub">(${what})</span>`;
  const isolated = (): string => {
    if (node.isolatedCpus === undefined) return declared ? `${esc(list(declared.isolatedCpus))} ${declaredNote('declared in the inventory; not measured by this run')}` : NOT_RECORDED;
    const measured = esc(list(node.isolatedCpus));
    if (!declared || sameSet(declared.isolatedCpus, node.isolatedCpus)) return measured;
    return `${measured} <span class="mismatch">(the inventory declares ${esc(list(declared.isolatedCpus))})</span>`;
  };
  const governors = (): string => {
    if (node.governors === undefined) return NOT_RECORDED;
    const entries = Object.entries(node.governors);
    if (entries.length === 0) return `none ${declaredNote('no cpufreq on this host, as in a VM')}`;
    return esc(entries.map(([g, cpus]) => (entries.length === 1 ? `${g} (CPUs ${cpus})` : `${g} on CPUs ${cpus}`)).join('; '));
  };
  const numa = (): string => {
    const nicNumas = node.nics.flatMap((n) => (n.numaNode === undefined ? [] : [`NIC ${n.name} on node ${n.numaNode}`]));
    const cpus = declared ? `node ${declared.numaNode}: generator CPUs ${esc(list(declared.tgCpus))}, DUT CPUs ${esc(list(declared.dutCpus))} ${declaredNote('declared in the inventory')}` : '';
    const measured = nicNumas.length ? `${esc(nicNumas.join(', '))} ${declaredNote('read from sysfs')}` : '';
    const off = declared ? node.nics.filter((n) => n.numaNode !== undefined && n.numaNode !== declared.numaNode).map((n) => n.name) : [];
    const warn = off.length ? ` <span class="mismatch">(NIC ${esc(off.join(', '))} is on another NUMA node than the declared CPUs: traffic crosses the interconnect)</span>` : '';
    return [cpus, measured].filter((x) => x !== '').join('; ') + warn || NOT_RECORDED;
  };
  const rows: [string, string][] = [
    ['hostname', esc(node.hostname)],
    ['CPU', `${esc(node.cpuModel)} (${node.cpuCount} logical CPUs)`],
    ['CPUs used', node.coresUsed.length === 0 ? 'none' : esc(`${node.coresUsed.length === 1 ? 'CPU' : 'CPUs'} ${list(node.coresUsed)}`)],
    ['kernel', esc(node.kernel)],
    ['kernel command line', node.kernelCmdline !== undefined ? `<code>${esc(node.kernelCmdline || '(empty)')}</code>` : NOT_RECORDED],
    ['CPU frequency governor', governors()],
    ['isolated CPUs', isolated()],
    ['NUMA placement', numa()],
    ['DPDK', node.dpdkVersion ? esc(node.dpdkVersion) : NOT_RECORDED],
    ...(node.vppVersion ? ([['VPP', esc(node.vppVersion)]] as [string, string][]) : []),
    ...(node.ovsVersion ? ([['OVS', esc(node.ovsVersion)]] as [string, string][]) : []),
  ];
  return `<h3>Node ${esc(node.name)} <span class="sub">(${esc(node.roles.map((r) => ROLE_WORDS[r] ?? r).join(', '))})</span></h3>
<dl class="env node">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

/** Inventory roles as a reader names them. */
const ROLE_WORDS: Readonly<Record<string, string>> = { tg: 'traffic generator', dut: 'device under test', 'k8s-worker': 'Kubernetes worker' };

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
}

function tester({ view }: CertificateInput): string {
  // One row per generator-selftest record (records v3): the ceiling, or why the lab could not measure it,
  // and the loopback latency that every latency figure of the run includes.
  const self = view.selfTests.map((s) => {
    const ceiling = s.ceilingPps !== undefined ? esc(fmtPps(s.ceilingPps)) : `<span class="sub">not measured: ${esc(s.unavailable ?? 'no reason recorded')}</span>`;
    const bias = s.bias ? `${esc(fmtLatency(s.bias.biasNs))} <span class="sub">(p99 ${esc(fmtLatency(s.bias.p99Ns))} at ${esc(fmtPps(s.bias.loadPps))})</span>` : NOT_RECORDED;
    return `<tr><td>${esc(s.generator)}</td><td>${esc(profileLabel(s.profile))}</td><td class="num">${ceiling}</td><td>${bias}</td><td>${esc(s.note ?? '')}</td></tr>`;
  });
  return `<h2>Tester</h2>
<p class="note">The generator's own ceiling (a loopback self-test without the DUT) bounds any figure measured through the DUT; its latency bias (the loopback median) is part of every latency figure, shown beside them, not subtracted.</p>
${self.length ? `<table class="summary tester"><thead><tr><th>generator</th><th>profile</th><th class="num">self-test ceiling</th><th>latency bias</th><th>note</th></tr></thead><tbody>${self.join('')}</tbody></table>` : `<dl class="env"><dt>self-test ceiling</dt><dd>${NOT_RECORDED}</dd><dt>latency bias</dt><dd>${NOT_RECORDED}</dd></dl>`}`;
}

/** What of a planned list ran on this lab, when it is not all of it (a quick run, cells not applicable here). */
function ranHere(planned: readonly string[], ran: readonly string[] | undefined): string {
  const r = ran ?? [];
  if (r.length === planned.length && r.every((x) => planned.includes(x))) return '';
  return ` <span class="sub">(this run: ${esc(r.length ? r.join(', ') : 'none')})</span>`;
}

function methodology({ plan, view }: CertificateInput): string {
  const p = plan.profile;
  const ndrpdr = resultsOf(view, 'ndrpdr')[0];
  const goals = (ndrpdr?.goals ?? [])
    .map((g) => `${g.name}: loss ratio ≤ ${g.lossRatio}${g.relativeWidth !== undefined ? `, relative width ≤ ${fmtPct(g.relativeWidth, 2)}` : ''}${g.initialTrialDurationS !== undefined ? (g.finalTrialDurationS === undefined || g.finalTrialDurationS === g.initialTrialDurationS ? `, trials of ${g.initialTrialDurationS} s` : `, trials ${g.initialTrialDurationS} s to ${g.finalTrialDurationS} s`) : ''}${g.exceedRatio !== undefined ? `, exceed ratio ${g.exceedRatio}` : ''}`)
    .join('; ');
  const stream = [...view.trialsByScenario.values()].flat().find((t) => t.purpose === 'latency' && typeof t.trial.spec.latency === 'object')?.trial.spec.latency;
  const plain = p.plan;
  const rows: [string, string][] = [
    ['plan', esc(p.description)],
    ['DUT', esc(`${plain.dut}${ndrpdr ? ` (${ndrpdr.dut.version})` : ''}`)],
    ['datapaths', esc(plain.datapaths.join(', ')) + (plan.virtualNic && plain.virtualNic ? ` <span class="sub">(on a virtual NIC: ${esc(plain.virtualNic.datapaths.join(', '))})</span>` : '')],
    ...(plain.kind === 'performance'
      ? ([
          ['frame sizes', esc(`${plain.frameSizes.join(', ')} (bytes with FCS; imix = 64/570/1518 at 7:4:1)`) + ranHere(plain.frameSizes.map(String), plan.run?.frameSizes)],
          ['DUT cores', esc(plain.dutCores.join(', ')) + ranHere(plain.dutCores.map(String), plan.run?.dutCores.map(String))],
          ['flows per direction', esc(String(ndrpdr?.flows ?? plain.flowsPerDirection))],
          ['traffic', esc(ndrpdr ? `${ndrpdr.direction}, over ${ndrpdr.ports} ports` : 'bidirectional')],
          ['search', esc(goals || 'MLRsearch, NDR (no loss) and PDR (0.5 % loss)')],
          ['latency', esc(`a ${stream && typeof stream === 'object' ? fmtPps(stream.streamPps) : 'low-rate'} stamped stream alongside loads at 0, 10, 50 and 90 % of the PDR`)],
        ] as [string, string][])
      : ([
          ['tests', esc(plain.tests.join(', '))],
          ['VFs per PF', String(plain.vfsPerPf)],
          ['largest MTU', String(plain.maxMtu)],
          ['failover events', esc(plain.failover.join(', ') || 'none')],
        ] as [string, string][])),
    ['references', p.references.length ? `<ul>${p.references.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : 'none'],
  ];
  return `<h2>Methodology</h2>
<dl class="env method">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function integrity({ integrity: i, view }: CertificateInput): string {
  return `<h2>Integrity</h2>
<p class="note">manifest.json in the certificate's directory lists the SHA-256 of every file it rests on${i.signerFingerprint ? ' and is signed (manifest.sig, Ed25519)' : ''}. Check it with <code>wirespeed certify verify DIR --public-key LAB-KEY.pub.pem</code>.</p>
<dl class="env integrity">
<dt>records.jsonl</dt><dd><code>${esc(i.recordsSha256)}</code></dd>
<dt>inventory.yaml</dt><dd><code>${esc(i.inventorySha256)}</code></dd>
<dt>profile.yaml</dt><dd><code>${esc(i.profileSha256)}</code></dd>
<dt>harness commit</dt><dd><code>${esc(i.harnessCommit)}</code></dd>
<dt>run</dt><dd><code>${esc(view.runId)}</code></dd>
<dt>signature</dt><dd>${i.signerFingerprint ? `Ed25519, key <code>${esc(i.signerFingerprint)}</code>` : '<b>unsigned</b>: the hashes show the files are unchanged since they were written, not who wrote them'}</dd>
</dl>`;
}

function footer({ harnessVersion, generatedAt, view }: CertificateInput): string {
  return `<footer>Generated by wirespeed ${esc(harnessVersion)} on ${esc(fmtTime(generatedAt.toISOString()))} from run <code>${esc(view.runId)}</code>.</footer>`;
}

function fmtTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, ' UTC');
}
