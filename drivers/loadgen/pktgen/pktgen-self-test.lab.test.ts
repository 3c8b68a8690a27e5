/**
 * pktgen's self-test on the real pktgen (memif loop in one process, no DUT): a ceiling above zero that
 * its own counters account for, and nothing left behind. Skipped with the reason where pktgen is absent.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { runLeftovers } from '../../datapath/local/leftovers.ts';
import { createDpdkRuntime } from '../../dpdk/runtime.ts';
import { localShell } from '../../shell/local.ts';
import { describeLocation, locatePktgen } from './locate-pktgen.ts';
import { pktgenSelfTest } from './pktgen-self-test.ts';

test('pktgen self-test: its ceiling over a memif loop, everything removed after', async () => {
  const shell = localShell();
  const found = await locatePktgen(shell);
  if (found.kind === 'absent') console.log(`pktgen self-test skipped: ${describeLocation(found)}`);
  test.skip(found.kind === 'absent', found.kind === 'absent' ? found.reason : '');
  if (found.kind === 'absent') return;
  test.setTimeout(120_000);
  const runId = `pgs${process.pid}`;
  const runDir = await mkdtemp(join(tmpdir(), 'wsp-pgs-'));
  const runtime = createDpdkRuntime({ shell, runId, runDir });
  try {
    const r = await pktgenSelfTest({ shell, runtime, pktgen: found, cpus: [1], workDir: join(runDir, 'ps'), profiles: [{ kind: 'fixed', frameBytes: 64 }], durationS: 1 });
    expect(r.generator).toBe(`pktgen ${found.version.text}`);
    const [m] = r.byProfile;
    console.log(`pktgen self-test: ${r.generator} ceiling ${(m!.ceilingPps / 1e6).toFixed(3)} Mpps at 64 B (sent ${m!.trial.sent}, received ${m!.trial.received})`);
    expect(m!.ceilingPps).toBeGreaterThan(100_000);
    // Nothing crosses a DUT: what came back is what was sent, less what the other end's ring refused.
    expect(m!.trial.received).toBeLessThanOrEqual(m!.trial.attempted);
    expect(m!.trial.received).toBeGreaterThan(0.5 * m!.trial.sent);
    expect(await runLeftovers({ shell, runId })).toEqual([]);
  } finally {
    await runtime.cleanup();
    await rm(runDir, { recursive: true, force: true });
  }
});
