/**
 * A latency load the generator could not keep up with reads as the tester's: pktgen near its ceiling sent
 * less than asked and its stamped packets waited in it (run 20261130T052355Z-2155f7: memif 1518 B at
 * 90 % of a tester-limited PDR, p99 44.6 ms against 1.1 ms at 50 %). And the trials table shows what was
 * asked, so that lost = asked - received adds up where the generator fell behind.
 */
import { expect, test } from '@playwright/test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultRecord, runEnd, runStart, trialRecord, trialResult } from '../../fixtures/records/sample.ts';
import type { RunRecord } from '../schema/record.ts';
import { openRunStore } from '../store/jsonl.ts';
import { writeReports } from './write.ts';

test('a latency load where the tester fell behind is marked, and the trials table shows what was asked', async () => {
  const root = await mkdtemp(join(tmpdir(), 'wsp-behind-'));
  try {
    const at = new Date().toISOString();
    const r = resultRecord({ runId: 'behind', at, datapath: 'memif', frameBytes: 1518, ndrPps: 1e6, seed: 5 });
    const id = r.scenarioId.replace(/-ndrpdr$/, '-latency');
    const loads = r.latency!;
    const trials = loads.map((l, i) => {
      const t = trialResult(l.loadPps, 0, r.profile, at, 1);
      // The highest load: the generator sent 1.5 % less than asked, and none of what it sent was lost.
      if (i !== loads.length - 1) return trialRecord('behind', at, id, i, t, 'latency');
      const attempted = Math.round(t.requested * 0.985);
      return trialRecord('behind', at, id, i, { ...t, attempted, sent: attempted, received: attempted, lost: t.requested - attempted, lossRatio: (t.requested - attempted) / t.requested }, 'latency');
    });
    const { ndr: _n, pdr: _p, mrr: _m, ...rest } = r;
    const records: RunRecord[] = [runStart('behind', at), ...trials, { ...rest, scenarioId: id }, runEnd('behind', at)];
    const store = await openRunStore('behind', { resultsDir: root });
    for (const x of records) await store.append(x);
    await store.close();
    const html = await readFile((await writeReports(join(root, 'behind'))).html, 'utf8');
    // Exactly one load is marked, with the share.
    expect(html.match(/tester 1\.5 % behind/g)).toHaveLength(1);
    expect(html).toContain('its packets waited in the tester');
    const last = trials.at(-1)!.trial;
    expect(html).toContain(`<td class="num">${last.requested.toLocaleString('en-US')}</td><td class="num">${last.sent.toLocaleString('en-US')}</td>`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
