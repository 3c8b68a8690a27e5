/** A markdown summary for CI job pages (GitHub step summary, GitLab MR notes). */
import { describeStalls } from '../../method/host-stalls.ts';
import { fmtLatency, fmtPps } from '../model/format.ts';
import { boundCellText, failoverText, mrrText, profileLabel, spreadText } from '../model/figure-text.ts';
import type { ThroughputBound } from '../schema/record.ts';
import { aggregateLineRateBps, failedCount, failureName, highestLoad, throughputSamples, type RunView, type SkipEntry } from '../model/run-view.ts';
import { testerView } from '../model/tester.ts';
import { l1BitsPerSecond, profileTag } from '../../method/trial.ts';

export function renderMarkdown(view: RunView): string {
  const count = (s: string) => view.results.filter((r) => r.status === s).length;
  const lines: string[] = [];
  lines.push(`## wirespeed run \`${view.runId}\``);
  lines.push('');
  const env = view.start?.environment;
  lines.push(
    `${env ? `Lab **${env.labName}** · ` : ''}**${count('passed')}** passed · **${failedCount(view)}** failed · **${view.skips.length}** skipped` +
      (view.unfinished.length ? ` · **${view.unfinished.length}** unfinished` : ''),
  );
  if (view.partial) lines.push('', '> ⚠️ **Partial run**: no run-end record (killed, crashed or still running). Figures below are what was recorded.');
  if (view.errors.length) lines.push('', `> ⚠️ ${view.errors.length} record line(s) could not be read.`);
  lines.push('', ...testerLines(view));
  lines.push('');
  lines.push('| scenario | NDR | NDR repeats | PDR | MRR | NDR Gbit/s (L1) | of line rate | p99 latency | failover | status |');
  lines.push('|---|--:|--:|--:|--:|--:|--:|--:|---|---|');
  const shown = view.results.filter((r) => r.status !== 'skipped');
  // An irregular bound's reason is a sentence or two: numbered under the table, the cell points to it.
  const notes: string[] = [];
  const noted = (b: ThroughputBound, scenarioId: string, which: string): string => {
    if (b.mark?.kind !== 'irregular') return boundCellText(b);
    notes.push(`${notes.length + 1}. \`${scenarioId}\` ${which} irregular: ${cell(b.mark.reason)}`);
    return `${boundCellText(b)} [${notes.length}]`;
  };
  for (const r of shown) {
    const all = view.resultsByScenario.get(r.scenarioId) ?? [r];
    const ndrBps = r.ndr ? l1BitsPerSecond(r.ndr.lowerBoundPps, r.profile) : Number.NaN;
    const lr = aggregateLineRateBps(r);
    const lat = r.latency && r.latency.length ? highestLoad(r.latency) : undefined;
    const failover = failoverText(r.failover ?? []);
    const status = r.status === 'passed' ? '✅ passed' : `❌ failed: ${cell(r.reason ?? '')}`;
    const ndrRepeats = throughputSamples(all, 'ndr');
    const ndr = r.ndr ? noted(r.ndr, r.scenarioId, 'NDR') : '–';
    const repeats = ndrRepeats.length > 1 ? spreadText(ndrRepeats) : '–';
    lines.push(
      `| \`${r.scenarioId}\` | ${ndr} | ${repeats} | ${r.pdr ? noted(r.pdr, r.scenarioId, 'PDR') : '–'} | ${r.mrr ? mrrText(r.mrr) : '–'} | ${Number.isFinite(ndrBps) ? (ndrBps / 1e9).toFixed(2) : '–'} | ${
        lr === undefined ? 'virtual' : `${((ndrBps / lr) * 100).toFixed(1)} %`
      } | ${lat ? fmtLatency(lat.p99Ns) : '–'} | ${failover ? cell(failover) : '–'} | ${status} |`,
    );
  }
  for (const f of view.failures) lines.push(`| \`${cell(failureName(f))}\` | – | – | – | – | – | – | – | – | ❌ failed: ${cell(f.error)} |`);
  for (const id of view.unfinished) lines.push(`| \`${id}\` | – | – | – | – | – | – | – | – | ⚠️ unfinished |`);
  if (notes.length > 0) lines.push('', ...notes);
  if (shown.length === 0 && view.unfinished.length === 0 && view.failures.length === 0) lines.push('| (no scenarios measured) | | | | | | | | | |');
  if (view.skips.length > 0) lines.push('', `**Skipped: ${view.skips.length}**`, '', ...skipLines(view.skips));
  lines.push('');
  lines.push(`<sub>Frames: ${[...new Set(view.results.map((r) => profileTag(r.profile)))].join(', ') || '–'}. Open report.html in the run directory for charts.</sub>`);
  return lines.join('\n') + '\n';
}

/** The tester and the host, before any figure. */
function testerLines(view: RunView): string[] {
  const t = testerView(view);
  const self = t.profiles.length
    ? t.profiles
        .map((p) => `${profileLabel(p.profile)} ${p.ceilingPps === undefined ? `not run (${p.unavailable ?? '?'})` : fmtPps(p.ceilingPps)}${p.biasNs === undefined ? '' : `, latency bias ${fmtLatency(p.biasNs)}`}`)
        .join('; ')
    : 'not recorded';
  return [
    `**Tester**: ${t.profiles[0]?.generator ?? 'generator'} self-test (loopback, no DUT): ${self}.`,
    `**Host**: generator loop: ${t.generatorStalls ? describeStalls(t.generatorStalls) : 'not recorded'}; DUT loop: ${t.dutStalls ? describeStalls(t.dutStalls) : 'not recorded'}.`,
  ];
}

/** Skips grouped by reason, most frequent first, each with its scenarios. */
function skipLines(skips: readonly SkipEntry[]): string[] {
  const byReason = new Map<string, SkipEntry[]>();
  for (const s of skips) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s]);
  return [...byReason.entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([reason, ss]) => `- ⏭️ skipped: ${cell(reason)} — ${ss.length} × ${ss.map((s) => `\`${s.scenarioId ?? `${s.project ? `[${s.project}] ` : ''}${s.test}`}\``).join(', ')}`);
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
