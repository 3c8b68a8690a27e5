/**
 * Tamper evidence on real certificates (written by writeCertificate, PDF printed by Chromium): a fresh one
 * verifies; one changed byte of records.jsonl, a changed manifest, a wrong key and a certificate moved
 * onto other records do not; an unsigned one verifies its hashes and says it is unsigned.
 */
import { test, expect } from '@playwright/test';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { sampleRun } from '../fixtures/records/sample.ts';
import { openRunStore } from '../reports/store/jsonl.ts';
import { writeCertificate } from './certificate/write.ts';
import { formatVerification, keyFingerprint, MANIFEST_FILE, readPublicKey, readSigningKey, SIGNATURE_FILE, verifyCertificate, writeManifest } from './manifest.ts';
import { makePlan } from './plan.ts';
import { loadProfile } from './profile/load.ts';

let root: string;
let signed: string;
let unsigned: string;
let labKey: { privateKey: KeyObject; publicKey: KeyObject };

async function certificate(runId: string, key?: KeyObject): Promise<string> {
  const store = await openRunStore(runId, { resultsDir: root });
  for (const r of sampleRun({ runId, startMs: Date.parse('2026-11-22T01:00:00Z'), seed: 8, ndr64Pps: { 'vhost-user': 3_500_000 }, frames: [64, 1518] })) await store.append(r);
  await store.close();
  const profile = await loadProfile('nic-performance');
  const lab = { name: 'local', kind: 'local' as const, datapaths: ['vhost-user'], nic: { name: 'vnic', model: 'virtual', pciAddresses: [] }, dutCpus: 1, nodes: [] };
  await writeCertificate(join(root, runId), {
    plan: makePlan(profile.profile, lab, { quick: true }),
    inventoryText: 'name: local\n',
    profileText: profile.text,
    harnessVersion: '0.1.0',
    ...(key ? { signingKey: key } : {}),
  });
  return join(root, runId);
}

/** A copy of a certificate directory to damage. */
async function copyOf(dir: string, name: string): Promise<string> {
  const to = join(root, name);
  await cp(dir, to, { recursive: true });
  return to;
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  root = await mkdtemp(join(tmpdir(), 'wsp-manifest-'));
  labKey = generateKeyPairSync('ed25519');
  signed = await certificate('signed', labKey.privateKey);
  unsigned = await certificate('unsigned');
});
test.afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

test('a fresh signed certificate verifies, against the lab\'s published key too', async () => {
  const v = await verifyCertificate(signed, { trustedKey: labKey.publicKey });
  expect(v.problems).toEqual([]);
  expect(v.ok).toBe(true);
  expect(v.manifest.files.map((f) => f.path)).toEqual(['records.jsonl', 'inventory.yaml', 'profile.yaml', 'certificate.html', 'certificate.pdf']);
  expect(v.files.every((f) => f.status === 'ok')).toBe(true);
  expect(v.signature).toEqual({ state: 'valid', fingerprint: keyFingerprint(labKey.publicKey), trusted: true });
  expect(v.manifest.verdict).toBe('passed');
  expect(v.manifest.harness.commit).toBe('6afc028');
  // The certificate names the key it is signed with.
  expect(await readFile(join(signed, 'certificate.html'), 'utf8')).toContain(keyFingerprint(labKey.publicKey));
  const text = formatVerification(signed, v);
  expect(text).toContain(`signature: valid, by the key given (${keyFingerprint(labKey.publicKey)})`);
  expect(text.trimEnd().split('\n').at(-1)).toBe('the certificate matches its records');
  // Without a key the embedded one is used, and the output says it is not pinned.
  expect(formatVerification(signed, await verifyCertificate(signed))).toContain('pass --public-key with the lab\'s published key to pin it');
});

test('one changed byte of records.jsonl fails verification, naming the file', async () => {
  const dir = await copyOf(signed, 'one-byte');
  const path = join(dir, 'records.jsonl');
  const bytes = await readFile(path);
  const at = bytes.indexOf(Buffer.from('"lowerBoundPps":')) + '"lowerBoundPps":'.length;
  bytes[at] = bytes[at] === 0x31 ? 0x32 : 0x31; // one digit of an NDR
  await writeFile(path, bytes);
  const v = await verifyCertificate(dir, { trustedKey: labKey.publicKey });
  expect(v.ok).toBe(false);
  expect(v.files.find((f) => f.path === 'records.jsonl')?.status).toBe('changed');
  expect(v.files.filter((f) => f.status !== 'ok')).toHaveLength(1);
  expect(v.problems[0]).toMatch(/^records\.jsonl changed: SHA-256 [0-9a-f]{64} \(the manifest says [0-9a-f]{64}\)$/);
  // The signature itself is still good: it is the records that no longer match.
  expect(v.signature.state).toBe('valid');
  expect(formatVerification(dir, v)).toContain('CHANGED  records.jsonl');
  expect(formatVerification(dir, v).trimEnd().split('\n').at(-1)).toBe('the certificate does NOT match its records');
});

test('a wrong key fails, and so does a manifest edited after signing', async () => {
  const other = generateKeyPairSync('ed25519');
  const wrong = await verifyCertificate(signed, { trustedKey: other.publicKey });
  expect(wrong.ok).toBe(false);
  expect(wrong.signature).toMatchObject({ state: 'invalid', why: `signed by ${keyFingerprint(labKey.publicKey)}, not by the key given (${keyFingerprint(other.publicKey)})` });

  const dir = await copyOf(signed, 'edited');
  const m = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  await writeFile(join(dir, MANIFEST_FILE), m.replace('"verdict": "passed"', '"verdict": "failed"'));
  const edited = await verifyCertificate(dir);
  expect(edited.ok).toBe(false);
  expect(edited.signature).toMatchObject({ state: 'invalid', why: expect.stringMatching(/^the signature does not match manifest\.json/) });
});

test('an unsigned certificate verifies its hashes and says it is unsigned; it cannot pass for a lab\'s key', async () => {
  const v = await verifyCertificate(unsigned);
  expect(v.ok).toBe(true);
  expect(v.signature).toEqual({ state: 'unsigned' });
  expect(v.manifest.signer).toBeUndefined();
  const text = formatVerification(unsigned, v);
  expect(text).toContain('signature: UNSIGNED');
  expect(text.trimEnd().split('\n').at(-1)).toBe('the certificate matches its records (unsigned)');
  expect(await readFile(join(unsigned, 'certificate.html'), 'utf8')).toMatch(/<b>unsigned<\/b>/);
  const pinned = await verifyCertificate(unsigned, { trustedKey: labKey.publicKey });
  expect(pinned.ok).toBe(false);
  expect(pinned.problems).toContain('the certificate is unsigned, so it cannot be from the key given with --public-key');
});

test('changed records with a rewritten unsigned manifest still fail: the certificate quotes the hash of its own records', async () => {
  const dir = await copyOf(unsigned, 'rewritten');
  const path = join(dir, 'records.jsonl');
  await writeFile(path, (await readFile(path, 'utf8')).replace('"lowerBoundPps":3', '"lowerBoundPps":4'));
  const { manifest } = { manifest: JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as { runId: string; createdAt: string; profile: { name: string; version: number }; lab: { name: string; kind: string }; harness: { version: string; commit: string }; verdict: 'passed' } };
  await writeManifest(dir, { runId: manifest.runId, createdAt: manifest.createdAt, profile: manifest.profile, lab: manifest.lab, harness: manifest.harness, verdict: manifest.verdict }, ['records.jsonl', 'inventory.yaml', 'profile.yaml', 'certificate.html', 'certificate.pdf']);
  const v = await verifyCertificate(dir);
  expect(v.files.every((f) => f.status === 'ok')).toBe(true);
  expect(v.ok).toBe(false);
  expect(v.problems).toEqual(['certificate.html does not quote the SHA-256 of records.jsonl in the manifest: it was made from other records']);
});

test('keys are read from PEM files; a non-Ed25519 key and a missing manifest are clear ConfigErrors', async () => {
  const priv = join(root, 'lab-key.pem');
  const pub = join(root, 'lab-key.pub.pem');
  await writeFile(priv, labKey.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await writeFile(pub, labKey.publicKey.export({ type: 'spki', format: 'pem' }));
  expect(keyFingerprint(await readSigningKey(priv))).toBe(keyFingerprint(labKey.publicKey));
  expect(keyFingerprint(await readPublicKey(pub))).toBe(keyFingerprint(labKey.publicKey));

  const rsa = join(root, 'rsa.pem');
  await writeFile(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const err = await readSigningKey(rsa).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).message).toMatch(/^--sign-key: .*rsa\.pem is an rsa key; certificates are signed with Ed25519/);
  expect((err as ConfigError).hint).toContain('openssl genpkey -algorithm ed25519');

  const none = await verifyCertificate(join(root, 'nope')).catch((e: unknown) => e);
  expect(none).toBeInstanceOf(ConfigError);
  expect((none as ConfigError).message).toMatch(/no certificate manifest: ENOENT/);
  // A signature file without a signer in the manifest is noticed.
  const dir = await copyOf(unsigned, 'stray-sig');
  await writeFile(join(dir, SIGNATURE_FILE), 'AAAA\n');
  expect((await verifyCertificate(dir)).problems).toEqual([`${SIGNATURE_FILE} is present but the manifest names no signer`]);
});
