import { test, expect } from '@playwright/test';
import { createHmac, randomBytes } from 'node:crypto';
import { entryMatches, fingerprintSha256, keyTypeOf, parseKnownHosts, verifyHostKey } from './known-hosts.ts';

function blob(type: string, body: string): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(body)]);
}
const keyA = blob('ssh-ed25519', 'A'.repeat(32));
const keyB = blob('ssh-ed25519', 'B'.repeat(32));
const b64 = (k: Buffer): string => k.toString('base64');

test('plain, wildcard, negated and [host]:port entries', () => {
  const [e1, e2, e3] = parseKnownHosts(
    [`# comment`, `dut1,10.0.0.2 ssh-ed25519 ${b64(keyA)}`, `*.lab.example,!bad.lab.example ssh-ed25519 ${b64(keyA)}`, `[10.0.0.3]:2222 ssh-ed25519 ${b64(keyA)} c`].join('\n'),
  );
  expect(entryMatches(e1!, '10.0.0.2')).toBe(true);
  expect(entryMatches(e1!, '10.0.0.20')).toBe(false);
  expect(entryMatches(e2!, 'x.lab.example')).toBe(true);
  expect(entryMatches(e2!, 'bad.lab.example')).toBe(false);
  expect(entryMatches(e3!, '[10.0.0.3]:2222')).toBe(true);
  expect(e3!.line).toBe(4);
  expect(keyTypeOf(keyA)).toBe('ssh-ed25519');
});

test('hashed entries match by HMAC-SHA1 of the name', () => {
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update('[h]:22022').digest();
  const [e] = parseKnownHosts(`|1|${salt.toString('base64')}|${hash.toString('base64')} ssh-ed25519 ${b64(keyA)}`);
  expect(entryMatches(e!, '[h]:22022')).toBe(true);
  expect(entryMatches(e!, 'h')).toBe(false);
  expect(verifyHostKey({ host: 'h', port: 22022, key: keyA, knownHosts: { text: `|1|${salt.toString('base64')}|${hash.toString('base64')} ssh-ed25519 ${b64(keyA)}`, file: 'kh' } })).toEqual({ ok: true });
});

test('verdicts: match, mismatch, unknown, revoked, pinned', () => {
  const kh = { text: `h ssh-ed25519 ${b64(keyA)}\n`, file: 'kh' };
  expect(verifyHostKey({ host: 'h', port: 22, key: keyA, knownHosts: kh })).toEqual({ ok: true });
  expect(verifyHostKey({ host: 'h', port: 22, key: keyB, knownHosts: kh })).toEqual({
    ok: false,
    mismatch: true,
    reason: `host key mismatch: h presented ssh-ed25519 key ${fingerprintSha256(keyB)}, but kh has ssh-ed25519 ${fingerprintSha256(keyA)} (line 1)`,
  });
  expect(verifyHostKey({ host: 'other', port: 22, key: keyA, knownHosts: kh })).toMatchObject({ ok: false, mismatch: false });
  const revoked = { text: `@revoked * ssh-ed25519 ${b64(keyA)}\nh ssh-ed25519 ${b64(keyA)}\n`, file: 'kh' };
  expect(verifyHostKey({ host: 'h', port: 22, key: keyA, knownHosts: revoked })).toMatchObject({ ok: false, mismatch: true, reason: expect.stringContaining('@revoked in kh:1') });
  expect(verifyHostKey({ host: 'h', port: 22, key: keyA, pinnedSha256: fingerprintSha256(keyA) })).toEqual({ ok: true });
  expect(verifyHostKey({ host: 'h', port: 22, key: keyB, pinnedSha256: fingerprintSha256(keyA) })).toMatchObject({ ok: false, mismatch: true });
  expect(fingerprintSha256(keyA)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
});
