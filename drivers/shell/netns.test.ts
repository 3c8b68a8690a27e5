import { test, expect } from '@playwright/test';
import { localShell } from './local.ts';
import { createNetns, createVethPair, netnsShell } from './netns.ts';

const id = `${process.pid % 100000}`;

async function namespaces(): Promise<string[]> {
  const r = await localShell().run(['ip', 'netns', 'list']);
  return r.stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter(Boolean);
}

test('netns end to end: create, run inside, veth between two, removed afterwards', async () => {
  const sh = localShell();
  const a = `wsp-h1t-a${id}`;
  const b = `wsp-h1t-b${id}`;
  {
    await using nsA = await createNetns(sh, a);
    await using nsB = await createNetns(sh, b);
    expect(await namespaces()).toEqual(expect.arrayContaining([a, b]));
    // Only lo inside a fresh namespace, and it is up.
    const links = await nsA.shell.run(['ip', '-o', 'link', 'show']);
    expect(links.stdout.trim().split('\n')).toHaveLength(1);
    expect(links.stdout).toMatch(/1: lo: <LOOPBACK,UP/);
    expect(nsA.shell.name).toBe(`netns ${a} on local`);

    await using _veth = await createVethPair(
      sh,
      { name: `wa${id}`, netns: a, addresses: ['198.18.99.1/30'] },
      { name: `wb${id}`, netns: b, addresses: ['198.18.99.2/30'] },
    );
    const addr = await nsA.shell.run(['ip', '-o', '-4', 'addr', 'show', 'dev', `wa${id}`]);
    expect(addr.stdout).toContain('198.18.99.1/30');
    // A script runs inside too, and traffic crosses the pair.
    // (no ping here: a one-line TCP server in A and a client in B.)
    await using server = await nsA.shell.spawn([
      process.execPath,
      '-e',
      "require('net').createServer((s) => s.end('reached')).listen(7000, '198.18.99.1', () => console.log('ready'))",
    ]);
    await expect.poll(() => server.output()).toContain('ready');
    const client = await nsB.shell.run({
      script: `${process.execPath} -e "require('net').connect(7000, '198.18.99.1').on('data', (d) => process.stdout.write(d))"`,
    });
    expect(client.stdout).toBe('reached');
    // The host does not see the namespace's interfaces.
    expect((await sh.exec(['ip', 'link', 'show', `wa${id}`])).exitCode).not.toBe(0);
  }
  const left = await namespaces();
  expect(left).not.toContain(a);
  expect(left).not.toContain(b);
});

test('netnsShell reports failures with its own name; spawn gives the command pid', async () => {
  await using ns = await createNetns(localShell(), `wsp-h1t-c${id}`);
  const e = await ns.shell.run(['sh', '-c', 'exit 5']).catch((x: unknown) => x);
  expect(String(e)).toContain(`netns wsp-h1t-c${id} on local: command failed (exit 5)`);
  const p = await ns.shell.spawn({ script: 'echo $$; exec sleep 30' });
  await expect.poll(() => p.output()).toMatch(/^\d+\n/);
  expect(Number(p.output().trim())).toBe(p.pid);
  expect(await p.kill()).toEqual({ exitCode: null, signal: 'SIGTERM' });
});

test('creating an existing namespace fails with a hint; bad names are refused', async () => {
  await using ns = await createNetns(localShell(), `wsp-h1t-d${id}`);
  await expect(createNetns(localShell(), ns.name)).rejects.toThrow(/left over/);
  expect(() => netnsShell(localShell(), 'x; rm -rf /')).toThrow(/not valid/);
});
