/** A markdown summary for CI job pages (GitHub step summary, GitLab MR notes). */
import { fmtLatency, fmtPps } from '../model/format.ts';
import { aggregateLineRateBps, highestLoad, type RunView } from '../model/run-view.ts';
import { l1BitsPerSecond, profileTag } from '../../method/trial.ts';

export function renderMarkdown(view: RunView): string {
  const count = (s: string) => view.results.filter((r) => r.status === s).length;
  const lines: string[] = [];
  lines.push(`## wirespeed run \`${view.runId}\``);
  lines.push('');
  const env = view.start?.environment;
  lines.push(
    `${env ? `Lab **${env.labName}** · ` : ''}**${count('passed')}** passed · **${count('failed')}** failed · **${count('skipped')}** skipped` +
      (view.unfinished.length ? ` · **${view.unfinished.length}** unfinished` : ''),
  );
  if (view.partial) lines.push('', '> ⚠️ **Partial run**: no run-end record (killed, crashed or still running). Figures below are what was recorded.');
  if (view.errors.length) lines.push('', `> ⚠️ ${view.errors.length} record line(s) could not be read.`);
  lines.push('');
  lines.push('| scenario | NDR | PDR | MRR | NDR Gbit/s (L1) | of line rate | p99 latency | failover | status |');
  lines.push('|---|--:|--:|--:|--:|--:|--:|---|---|');
  for (const r of view.results) {
    const ndrBps = r.ndr ? l1BitsPerSecond(r.ndr.lowerBoundPps, r.profile) : Number.NaN;
    const lr = aggregateLineRateBps(r);
    const lat = r.latency && r.latency.length ? highestLoad(r.latency) : undefined;
    const mrr = r.mrr && r.mrr.receivedPps.length ? r.mrr.receivedPps.reduce((a, b) => a + b, 0) / r.mrr.receivedPps.length : undefined;
    const failover = (r.failover ?? [])
      .map((f) => `${f.event}: ${f.blockedS.toFixed(3)} s blocked${f.recoveryS === undefined ? ', not back at the offered rate' : `, back in ${f.recoveryS.toFixed(2)} s`}`)
      .join('; ');
    const status = r.status === 'passed' ? '✅ passed' : r.status === 'failed' ? `❌ failed: ${cell(r.reason ?? '')}` : `⏭️ skipped: ${cell(r.reason ?? '')}`;
    lines.push(
      `| \`${r.scenarioId}\` | ${r.ndr ? fmtPps(r.ndr.lowerBoundPps) : '–'} | ${r.pdr ? fmtPps(r.pdr.lowerBoundPps) : '–'} | ${mrr === undefined ? '–' : fmtPps(mrr)} | ${Number.isFinite(ndrBps) ? (ndrBps / 1e9).toFixed(2) : '–'} | ${
        lr === undefined ? 'virtual' : `${((ndrBps / lr) * 100).toFixed(1)} %`
      } | ${lat ? fmtLatency(lat.p99Ns) : '–'} | ${failover ? cell(failover) : '–'} | ${status} |`,
    );
  }
  for (const id of view.unfinished) lines.push(`| \`${id}\` | – | – | – | – | – | – | – | ⚠️ unfinished |`);
  if (view.results.length === 0 && view.unfinished.length === 0) lines.push('| (no scenarios recorded) | | | | | | | | |');
  lines.push('');
  lines.push(`<sub>Frames: ${[...new Set(view.results.map((r) => profileTag(r.profile)))].join(', ') || '–'}. Open report.html in the run directory for charts.</sub>`);
  return lines.join('\n') + '\n';
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
