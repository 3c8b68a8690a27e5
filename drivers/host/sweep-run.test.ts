import { test, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { localShell } from '../shell/local.ts';
import { sweepRunOn } from './sweep-run.ts';
import { alive } from '../../fixtures/alive.ts';

const started: ChildProcess[] = [];
const sleeper = (argv0: string, env: Record<string, string> = {}): ChildProcess => {
  const c = spawn('bash', ['-c', `exec -a ${argv0} sleep 120`], { stdio: 'ignore', detached: true, env: { ...process.env, ...env } });
  started.push(c);
  return c;
};
test.afterEach(() => {
  for (const c of started.splice(0)) if (c.pid && alive(c.pid)) process.kill(c.pid, 'SIGKILL');
});

test("the sweep kills a run's processes by its tag and by the environment they inherited, and leaves another run's alone", async () => {
  const byTag = sleeper('wsp-sweep7-dut');
  const byEnv = sleeper('plain-sleeper', { WIRESPEED_OUT: '/results/sweep7' });
  const otherRun = sleeper('wsp-sweep70-dut'); // a run whose tag starts like this one's
  const otherEnv = sleeper('plain-sleeper', { WIRESPEED_OUT: '/results/sweep70' });
  await expect.poll(() => started.every((c) => c.pid !== undefined && alive(c.pid))).toBe(true);
  const report = await sweepRunOn(localShell(), { runId: 'sweep7', envMark: 'WIRESPEED_OUT=/results/sweep7' });
  expect([...report.killed].sort()).toEqual([`${byTag.pid} sleep`, `${byEnv.pid} sleep`].sort());
  await expect.poll(() => [alive(byTag.pid!), alive(byEnv.pid!)]).toEqual([false, false]);
  expect(alive(otherRun.pid!)).toBe(true);
  expect(alive(otherEnv.pid!)).toBe(true);
  // Nothing left: a second sweep finds nothing.
  expect(await sweepRunOn(localShell(), { runId: 'sweep7', envMark: 'WIRESPEED_OUT=/results/sweep7' })).toEqual({ killed: [], namespaces: [], files: [] });
});
