/**
 * A failover measured in live counter bins (pktgen) reads as such in the report: the blocked time as the
 * range the bins allow, the silent bins' edges named as edges (not packet send times), and a note that
 * the loss-derived time is no outage figure for a generator that holds packets back.
 */
import { expect, test } from '@playwright/test';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultRecord, runEnd, runStart } from '../../fixtures/records/sample.ts';
import type { Failover } from '../schema/record.ts';
import { openRunStore } from '../store/jsonl.ts';
import { writeReports } from './write.ts';

test('live-bin failover: blocked time as a range, silent-bin edges, and why the loss is small', async () => {
  const root = await mkdtemp(join(tmpdir(), 'wsp-fobins-'));
  try {
    const at = new Date().toISOString();
    const r = resultRecord({ runId: 'fobins', at, datapath: 'vhost-user', frameBytes: 64, ndrPps: 1e6, seed: 3 });
    const { ndr: _n, pdr: _p, mrr: _m, ...rest } = r;
    const dir = { lostPackets: 0, blockedS: 0.501, blockedMaxS: 0.599, lossDerivedS: 0, lastBeforeS: 1.156, firstAfterS: 1.657 };
    const f: Failover = {
      event: 'dut-restart',
      offeredPps: 100_000,
      lostPackets: 0,
      blockedS: 0.501,
      blockedBy: 'live-bins',
      lossDerivedS: 0,
      directions: [{ name: 'p0->p1', ...dir }, { name: 'p1->p0', ...dir }],
      intervalS: 0.05,
      recoveryS: 1.5,
      eventAtS: 1.055,
      timeline: Array.from({ length: 60 }, (_, i) => ({ tS: i * 0.05, receivedPps: i * 0.05 > 1.156 && i * 0.05 < 1.657 ? 0 : 100_000 })),
    };
    const store = await openRunStore('fobins', { resultsDir: root });
    await store.append(runStart('fobins', at));
    await store.append({ ...rest, generator: { kind: 'pktgen', version: '23.06.1' }, scenarioId: r.scenarioId.replace(/-ndrpdr$/, '-failover-dut-restart'), failover: [f] });
    await store.append(runEnd('fobins', at));
    await store.close();
    const written = await writeReports(join(root, 'fobins'));
    const html = await readFile(written.html, 'utf8');
    expect(html).toContain('blocked 0.501–0.599 s (counter bins)');
    expect(html).toContain('<td class="num">0.501–0.599</td>');
    expect(html).toContain('silent from, s');
    expect(html).toMatch(/holds packets back while the path is down and sends them after/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
