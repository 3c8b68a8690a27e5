/**
 * JUnit XML for CI: one testcase per scenario (failed → <failure>, skipped → <skipped>), scenarios cut off
 * by a stopped run and unreadable record lines → <error>, so a partial run never looks green.
 */
import { failureName, type RunView } from '../model/run-view.ts';
import { boundText, mrrText } from '../model/figure-text.ts';
import type { ResultRecord } from '../schema/record.ts';

export function renderJunit(view: RunView): string {
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  let totalS = 0;
  for (const r of view.results) {
    if (r.status === 'skipped') continue; // in view.skips, below
    totalS += r.durationS;
    const body: string[] = [];
    if (r.status === 'failed') {
      failures++;
      body.push(`<failure message="${xml(r.reason ?? 'failed')}" type="ScenarioFailed">${xml(r.reason ?? '')}</failure>`);
    }
    body.push(`<system-out>${xml(summaryLine(r))}</system-out>`);
    cases.push(testcase(r.datapath, r.scenarioId, r.durationS, body));
  }
  // Tests that failed before their scenario had a result (a stack that never came up): failures all the same.
  for (const f of view.failures) {
    failures++;
    const type = f.errorClass ?? 'TestFailed';
    cases.push(testcase(f.datapath ?? f.project ?? 'failed', failureName(f), 0, [`<failure message="${xml(f.error)}" type="${xml(type)}">${xml(f.error)}</failure>`]));
  }
  // Every skip, whether or not the test got as far as naming its scenario: the count matches the summary's.
  for (const s of view.skips) {
    skipped++;
    const body = [`<skipped message="${xml(s.reason)}"/>`];
    if (s.capability) body.push(`<system-out>${xml(`needs ${s.capability}`)}</system-out>`);
    cases.push(testcase(s.datapath ?? s.project ?? 'skipped', s.scenarioId ?? `${s.project ? `[${s.project}] ` : ''}${s.test}`, 0, body));
  }
  for (const id of view.unfinished) {
    errors++;
    const n = view.trialsByScenario.get(id)?.length ?? 0;
    cases.push(testcase('unfinished', id, 0, [`<error message="no result: the run stopped during this scenario" type="Unfinished">${n} trials were recorded before the run stopped</error>`]));
  }
  if (view.partial) {
    errors++;
    cases.push(testcase('run', 'run-end', 0, [`<error message="partial run: no run-end record" type="PartialRun">the run was killed, crashed or is still running; last record at ${xml(view.lastAt ?? '?')}</error>`]));
  } else if (view.end && view.end.status !== 'completed') {
    errors++;
    cases.push(testcase('run', 'run-end', 0, [`<error message="run ${xml(view.end.status)}" type="RunEnd">${xml(view.end.error ?? '')}</error>`]));
  }
  for (const e of view.errors) {
    errors++;
    cases.push(testcase('records', `records.jsonl line ${e.line}`, 0, [`<error message="unreadable record" type="Record">${xml(e.message)}</error>`]));
  }
  const tests = cases.length;
  const attrs = `tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${totalS.toFixed(3)}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="wirespeed" ${attrs}>
  <testsuite name="${xml(view.runId)}" ${attrs}${view.start ? ` timestamp="${xml(view.start.startedAt)}" hostname="${xml(view.start.environment.nodes[0]?.hostname ?? '')}"` : ''}>
${cases.join('\n')}
  </testsuite>
</testsuites>
`;
}

function testcase(classname: string, name: string, timeS: number, body: string[]): string {
  return `    <testcase classname="wirespeed.${xml(classname)}" name="${xml(name)}" time="${timeS.toFixed(3)}">\n      ${body.join('\n      ')}\n    </testcase>`;
}

function summaryLine(r: ResultRecord): string {
  const parts: string[] = [];
  if (r.ndr) parts.push(`NDR ${boundText(r.ndr)}`);
  if (r.pdr) parts.push(`PDR ${boundText(r.pdr)}`);
  if (r.mrr) parts.push(`MRR ${mrrText(r.mrr)}`);
  return parts.join(', ') || r.status;
}

/** Escape for XML text and attributes; drops characters XML 1.0 cannot carry. */
export function xml(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}
