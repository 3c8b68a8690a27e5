import { test, expect } from '@playwright/test';
import { Teardown, TeardownError } from './teardown.ts';

test('every step runs once, newest first, and every failure is reported in one error', async () => {
  const ran: string[] = [];
  const t = new Teardown('datapath memif', 'check ip netns list');
  t.add('runtime dir', async () => void ran.push('runtime dir'));
  t.add('namespace wsp-a', async () => { ran.push('namespace wsp-a'); throw new Error('Device or resource busy'); });
  const dropped = t.add('never applied', async () => void ran.push('never applied'));
  t.add('DUT l3fwd', async () => { ran.push('DUT l3fwd'); throw new Error('still running after SIGKILL'); });
  dropped.discard();
  expect(t.pending()).toEqual(['runtime dir', 'namespace wsp-a', 'DUT l3fwd']);
  const first = t.run();
  const second = t.run(); // while running: the same run
  const err = await first.then(() => undefined, (e: unknown) => e);
  await expect(second).rejects.toBe(err);
  expect(ran).toEqual(['DUT l3fwd', 'namespace wsp-a', 'runtime dir']);
  expect(err).toBeInstanceOf(TeardownError);
  expect((err as TeardownError).failures.map((f) => f.what)).toEqual(['DUT l3fwd', 'namespace wsp-a']);
  expect((err as TeardownError).severity).toBe('lab');
  expect((err as Error).message).toBe(
    'datapath memif: teardown left 2 steps undone:\n  DUT l3fwd: still running after SIGKILL\n  namespace wsp-a: Device or resource busy\n  hint: check ip netns list',
  );
  // Nothing new: a later call reports what the last run did, and runs nothing again.
  await expect(t.run()).rejects.toBe(err);
  expect(ran).toHaveLength(3);
  // Steps added later run on the next call, alone.
  t.add('VFs on 0000:3b:00.0', async () => void ran.push('VFs'));
  await t.run();
  expect(ran.at(-1)).toBe('VFs');
  expect(t.pending()).toEqual([]);
});
