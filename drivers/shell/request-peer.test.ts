import { test, expect } from '@playwright/test';
import { TimeoutError, TransportError } from '../../core/errors.ts';
import { RequestPeer, type LineMeaning } from './request-peer.ts';

/** A peer over JSON lines `{"id":N,"v":...}`; `{"fatal":"..."}` ends it. */
function jsonPeer(send: (text: string) => Promise<void>, opts: { serial?: boolean; timeoutMs?: number } = {}) {
  const others: string[] = [];
  const peer = new RequestPeer<unknown>({
    where: 'test peer',
    timeoutMs: opts.timeoutMs ?? 1000,
    ...(opts.serial === undefined ? {} : { serial: opts.serial }),
    send,
    classify: (line): LineMeaning<unknown> => {
      const m = JSON.parse(line) as { id?: number; v?: unknown; fatal?: string };
      if (m.fatal !== undefined) return { kind: 'fatal', reason: m.fatal };
      if (m.id !== undefined) return { kind: 'reply', id: m.id, reply: m.v };
      return { kind: 'other' };
    },
    onOther: (l) => others.push(l),
    gone: (reason) => new TransportError(`peer gone: ${reason}`, { where: 'test peer' }),
    timedOut: (request, ms) => new TimeoutError(`no reply to ${request}`, ms, { where: 'test peer' }),
  });
  return { peer, others };
}

test('replies complete their own requests in any order and chunking; other lines go to onOther', async () => {
  const sent: string[] = [];
  const { peer, others } = jsonPeer(async (t) => void sent.push(t));
  const a = peer.request(peer.nextId(), 'a\n', 'a');
  const b = peer.request(peer.nextId(), 'b\n', 'b');
  peer.feed('{"banner":1}\n{"id":2,"v":"B"}\n{"id"');
  peer.feed(':1,"v":"A"}\n');
  expect(await a).toBe('A');
  expect(await b).toBe('B');
  expect(sent).toEqual(['a\n', 'b\n']);
  expect(others).toEqual(['{"banner":1}']);
});

test('a failed write (EPIPE of a dead reader) fails that request and every later one with the typed error', async () => {
  const { peer } = jsonPeer(() => Promise.reject(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
  const first = await peer.request(peer.nextId(), 'x\n', 'x').catch((e: unknown) => e);
  expect(first).toBeInstanceOf(TransportError);
  expect((first as Error).message).toMatch(/peer gone: write failed: write EPIPE/);
  const later = await peer.request(peer.nextId(), 'y\n', 'y').catch((e: unknown) => e);
  expect(later).toBe(first);
});

test('end() fails pending and later requests with one error, whichever comes first', async () => {
  const { peer } = jsonPeer(async () => undefined);
  const pending = peer.request(peer.nextId(), 'p\n', 'p');
  peer.end('process exited (exit 4)');
  peer.end('a second reason is ignored');
  const e1 = await pending.catch((e: unknown) => e);
  const e2 = await peer.request(peer.nextId(), 'q\n', 'q').catch((e: unknown) => e);
  expect(e1).toBeInstanceOf(TransportError);
  expect(e2).toBe(e1);
  expect((e1 as Error).message).toContain('process exited (exit 4)');
});

test('a fatal line ends the peer like an exit', async () => {
  const { peer } = jsonPeer(async () => undefined);
  const pending = peer.request(peer.nextId(), 'p\n', 'p');
  peer.feed('{"fatal":"ECONNRESET: the process closed the socket"}\n');
  await expect(pending).rejects.toThrow(/closed the socket/);
  await expect(peer.request(peer.nextId(), 'q\n', 'q')).rejects.toBeInstanceOf(TransportError);
});

test('a timeout rejects only its request; a late reply to it is handed to onOther', async () => {
  const { peer, others } = jsonPeer(async () => undefined, { timeoutMs: 50 });
  const slow = peer.request(peer.nextId(), 's\n', 'slow one');
  const err = await slow.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TimeoutError);
  expect((err as Error).message).toContain('no reply to slow one');
  peer.feed('{"id":1,"v":"late"}\n');
  expect(others).toEqual(['{"id":1,"v":"late"}']);
  const next = peer.request(peer.nextId(), 'n\n', 'n');
  peer.feed('{"id":2,"v":"ok"}\n');
  expect(await next).toBe('ok');
});

test('serial peers send the next request only after the previous reply', async () => {
  const sent: string[] = [];
  const { peer } = jsonPeer(async (t) => void sent.push(t), { serial: true });
  const a = peer.request(peer.nextId(), 'a\n', 'a');
  const b = peer.request(peer.nextId(), 'b\n', 'b');
  await new Promise((r) => setTimeout(r, 10));
  expect(sent).toEqual(['a\n']);
  peer.feed('{"id":1,"v":1}\n');
  expect(await a).toBe(1);
  await new Promise((r) => setTimeout(r, 10));
  expect(sent).toEqual(['a\n', 'b\n']);
  peer.feed('{"id":2,"v":2}\n');
  expect(await b).toBe(2);
});
