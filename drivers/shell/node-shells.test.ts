import { expect, test } from '@playwright/test';
import { loadLab, LOCAL_LAB_PATH } from '../../lab/load.ts';
import { nodeShells } from './node-shells.ts';

test('one shell per node, opened on first use; after close() a node is refused, saying why', async () => {
  const lab = await loadLab(LOCAL_LAB_PATH);
  const shells = nodeShells(lab);
  const tg = await shells.of(lab.node('tg'));
  expect(await shells.of(lab.node('tg'))).toBe(tg);
  expect(await shells.of(lab.node('dut'))).not.toBe(tg);
  expect((await tg.run(['echo', 'ok'])).stdout).toBe('ok\n');
  await shells.close();
  await shells.close(); // idempotent
  await expect(shells.of(lab.node('tg'))).rejects.toThrow(/shells of lab local are closed; node tg was asked for after the run ended/);
});

test('an SSH node is not contacted until its shell is asked for', async () => {
  // The example's host does not exist: building the pool must not try to reach it.
  const lab = await loadLab('fixtures/labs/valid/two-node-ssh.yaml');
  expect(lab.node('gen').access).toMatchObject({ kind: 'ssh', port: 22 });
  await using shells = nodeShells(lab);
  void shells;
});
