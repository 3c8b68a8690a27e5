/**
 * Tamper evidence for a certificate directory: manifest.json lists the SHA-256 of every file the
 * certificate rests on (records, the inventory and profile it ran, the certificate itself) with the harness
 * commit, and manifest.sig holds an Ed25519 signature over manifest.json's exact bytes, made with a key
 * the certifying lab holds. `verifyCertificate` recomputes everything and says what does not match.
 * node:crypto does SHA-256 and Ed25519 natively: no dependency.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';

export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
export const MANIFEST_FORMAT = 'wirespeed-certificate-manifest/1';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (SHA-256)');

export const manifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  runId: z.string().min(1),
  createdAt: z.iso.datetime({ offset: true }),
  profile: z.strictObject({ name: z.string().min(1), version: z.number().int().positive() }),
  lab: z.strictObject({ name: z.string().min(1), kind: z.string().min(1) }),
  harness: z.strictObject({ version: z.string().min(1), commit: z.string().min(1) }),
  /** Overall verdict as the certificate states it. */
  verdict: z.enum(['passed', 'failed', 'incomplete', 'not-applicable']),
  /** Every file the certificate rests on, relative to the directory, in a fixed order. */
  files: z
    .array(z.strictObject({ path: z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'must be a relative path inside the directory'), bytes: z.number().int().nonnegative(), sha256: sha256Hex }))
    .min(1),
  /** Present when signed: the public half of the signing key, so a reader can check without asking. */
  signer: z.strictObject({ algorithm: z.literal('ed25519'), publicKeyPem: z.string().min(1), fingerprint: z.string().startsWith('SHA256:') }).exactOptional(),
});
export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestFile = Manifest['files'][number];

/** SHA-256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Hash and size of each file (paths relative to `dir`), in the order given. */
export async function hashFiles(dir: string, paths: readonly string[]): Promise<ManifestFile[]> {
  return Promise.all(paths.map(async (p) => ({ path: p, bytes: (await stat(join(dir, p))).size, sha256: await sha256File(join(dir, p)) })));
}

/** "SHA256:<base64>" of the key's SPKI DER, as ssh-keygen prints fingerprints. */
export function keyFingerprint(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return `SHA256:${createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('base64').replace(/=+$/, '')}`;
}

/** Read an Ed25519 private key (PEM, PKCS#8, as `openssl genpkey -algorithm ed25519` writes it). */
export async function readSigningKey(path: string): Promise<KeyObject> {
  const text = await readFile(path, 'utf8').catch((e: unknown) => {
    throw new ConfigError(`cannot read the signing key: ${(e as Error).message}`, { where: '--sign-key', hint: 'give the path of the lab\'s Ed25519 private key in PEM' });
  });
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch (e) {
    throw new ConfigError(`${path} is not a private key in PEM: ${(e as Error).message}`, {
      where: '--sign-key',
      hint: 'make one with: openssl genpkey -algorithm ed25519 -out lab-key.pem (docs/certification.md)',
    });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ConfigError(`${path} is an ${key.asymmetricKeyType ?? 'unknown'} key; certificates are signed with Ed25519`, {
      where: '--sign-key',
      hint: 'make one with: openssl genpkey -algorithm ed25519 -out lab-key.pem',
    });
  }
  return key;
}

/** Read the public key a reader trusts (PEM SPKI; a private key PEM gives its public half). */
export async function readPublicKey(path: string): Promise<KeyObject> {
  const text = await readFile(path, 'utf8').catch((e: unknown) => {
    throw new ConfigError(`cannot read the public key: ${(e as Error).message}`, { where: '--public-key', hint: 'give the path of the certifying lab\'s published Ed25519 public key (PEM)' });
  });
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch (e) {
    throw new ConfigError(`${path} is not a public key in PEM: ${(e as Error).message}`, {
      where: '--public-key',
      hint: 'the lab publishes it with: openssl pkey -in lab-key.pem -pubout -out lab-key.pub.pem',
    });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ConfigError(`${path} is an ${key.asymmetricKeyType ?? 'unknown'} key; certificates are signed with Ed25519`, { where: '--public-key' });
  }
  return key;
}

/** The manifest's bytes as written (stable: two-space JSON and a final newline). */
export function manifestBytes(m: Manifest): Buffer {
  return Buffer.from(`${JSON.stringify(m, null, 2)}\n`);
}

/** Add the signer to a manifest and sign its bytes; returns both, to be written side by side. */
export function signManifest(m: Manifest, key: KeyObject): { bytes: Buffer; signature: string } {
  const pub = createPublicKey(key);
  const signed: Manifest = {
    ...m,
    signer: { algorithm: 'ed25519', publicKeyPem: pub.export({ type: 'spki', format: 'pem' }).toString(), fingerprint: keyFingerprint(pub) },
  };
  const bytes = manifestBytes(signed);
  return { bytes, signature: `${sign(null, bytes, key).toString('base64')}\n` };
}

/**
 * Hash `paths` (relative to `dir`), write manifest.json, and manifest.sig when a key is given (a stale
 * signature is removed when not). Each file is written to a temporary name and renamed into place.
 */
export async function writeManifest(
  dir: string,
  fields: Omit<Manifest, 'format' | 'files' | 'signer'>,
  paths: readonly string[],
  key?: KeyObject,
): Promise<Manifest> {
  const files = await hashFiles(dir, paths);
  const unsigned: Manifest = { format: MANIFEST_FORMAT, ...fields, files };
  const { bytes, signature } = key ? signManifest(unsigned, key) : { bytes: manifestBytes(unsigned), signature: undefined };
  await atomicWrite(join(dir, MANIFEST_FILE), bytes);
  if (signature === undefined) await rm(join(dir, SIGNATURE_FILE), { force: true });
  else await atomicWrite(join(dir, SIGNATURE_FILE), signature);
  return manifestSchema.parse(JSON.parse(bytes.toString('utf8')));
}

async function atomicWrite(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

export type FileCheck = ManifestFile & { readonly status: 'ok' | 'changed' | 'missing'; readonly actualSha256?: string };

export interface Verification {
  /** True when every hash matches, the certificate quotes its records' hash, and a signature present is valid (and from the trusted key, when one is given). */
  readonly ok: boolean;
  readonly manifest: Manifest;
  readonly files: readonly FileCheck[];
  readonly signature:
    | { readonly state: 'unsigned' }
    | { readonly state: 'valid'; readonly fingerprint: string; readonly trusted: boolean }
    | { readonly state: 'invalid'; readonly fingerprint: string; readonly why: string };
  /** Each way the directory does not match its manifest, for people. */
  readonly problems: readonly string[];
}

/** Read and check a manifest's shape; ConfigError naming the field otherwise. */
export async function readManifest(dir: string): Promise<{ manifest: Manifest; bytes: Buffer }> {
  const path = join(dir, MANIFEST_FILE);
  const bytes = await readFile(path).catch((e: unknown) => {
    throw new ConfigError(`no certificate manifest: ${(e as Error).message}`, {
      where: dir,
      hint: `give the directory \`wirespeed certify\` wrote (it holds ${MANIFEST_FILE}, records.jsonl and certificate.html)`,
    });
  });
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new ConfigError(`${MANIFEST_FILE} is not JSON: ${(e as Error).message}`, { where: path, hint: 'the manifest was damaged: the certificate cannot be checked' });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ConfigError(`${MANIFEST_FILE} is not a wirespeed certificate manifest: ${first?.path.join('.') || '(root)'}: ${first?.message}`, {
      where: path,
      hint: `expected format ${MANIFEST_FORMAT}`,
    });
  }
  return { manifest: parsed.data, bytes };
}

/**
 * Recompute every hash, check the signature (against `trustedKey` when given), and check that the
 * certificate quotes the hash of the records it was made from.
 */
export async function verifyCertificate(dir: string, opts: { trustedKey?: KeyObject; certificateFile?: string; recordsFile?: string } = {}): Promise<Verification> {
  const { manifest, bytes } = await readManifest(dir);
  const problems: string[] = [];

  const files: FileCheck[] = await Promise.all(
    manifest.files.map(async (f): Promise<FileCheck> => {
      const actual = await sha256File(join(dir, f.path)).catch(() => undefined);
      if (actual === undefined) return { ...f, status: 'missing' };
      return actual === f.sha256 ? { ...f, status: 'ok' } : { ...f, status: 'changed', actualSha256: actual };
    }),
  );
  for (const f of files) {
    if (f.status === 'missing') problems.push(`${f.path} is missing`);
    if (f.status === 'changed') problems.push(`${f.path} changed: SHA-256 ${f.actualSha256} (the manifest says ${f.sha256})`);
  }

  // The certificate must quote the records it states figures from: a certificate moved next to other
  // records (with a rewritten manifest) shows here even without a signature.
  const recordsFile = opts.recordsFile ?? 'records.jsonl';
  const certificateFile = opts.certificateFile ?? 'certificate.html';
  const records = manifest.files.find((f) => f.path === recordsFile);
  if (!records) problems.push(`the manifest lists no ${recordsFile}`);
  const html = await readFile(join(dir, certificateFile), 'utf8').catch(() => undefined);
  if (html === undefined) {
    if (!manifest.files.some((f) => f.path === certificateFile)) problems.push(`the manifest lists no ${certificateFile}`);
  } else if (records && !html.includes(records.sha256)) {
    problems.push(`${certificateFile} does not quote the SHA-256 of ${recordsFile} in the manifest: it was made from other records`);
  }

  let signature: Verification['signature'];
  const sigText = await readFile(join(dir, SIGNATURE_FILE), 'utf8').catch(() => undefined);
  if (!manifest.signer) {
    signature = { state: 'unsigned' };
    if (sigText !== undefined) problems.push(`${SIGNATURE_FILE} is present but the manifest names no signer`);
    if (opts.trustedKey) problems.push('the certificate is unsigned, so it cannot be from the key given with --public-key');
  } else {
    const fingerprint = manifest.signer.fingerprint;
    const embedded = (() => {
      try {
        return createPublicKey(manifest.signer!.publicKeyPem);
      } catch {
        return undefined;
      }
    })();
    const key = opts.trustedKey ?? embedded;
    if (sigText === undefined) signature = { state: 'invalid', fingerprint, why: `${SIGNATURE_FILE} is missing` };
    else if (!embedded || keyFingerprint(embedded) !== fingerprint) signature = { state: 'invalid', fingerprint, why: 'the signer key in the manifest does not match its fingerprint' };
    else if (opts.trustedKey && keyFingerprint(opts.trustedKey) !== fingerprint) {
      signature = { state: 'invalid', fingerprint, why: `signed by ${fingerprint}, not by the key given (${keyFingerprint(opts.trustedKey)})` };
    } else if (!verify(null, bytes, key!, Buffer.from(sigText.trim(), 'base64'))) {
      signature = { state: 'invalid', fingerprint, why: 'the signature does not match manifest.json: the manifest was changed after signing, or signed with another key' };
    } else signature = { state: 'valid', fingerprint, trusted: opts.trustedKey !== undefined };
    if (signature.state === 'invalid') problems.push(`signature: ${signature.why}`);
  }
  return { ok: problems.length === 0, manifest, files, signature, problems };
}

/** The verification for people: one line per file, the signature, and the verdict. */
export function formatVerification(dir: string, v: Verification): string {
  const lines = [`certificate ${dir}: run ${v.manifest.runId}, profile ${v.manifest.profile.name} v${v.manifest.profile.version}, lab ${v.manifest.lab.name}, harness ${v.manifest.harness.commit}`];
  for (const f of v.files) lines.push(`  ${f.status === 'ok' ? 'ok     ' : f.status === 'changed' ? 'CHANGED' : 'MISSING'}  ${f.path}  ${f.sha256}`);
  switch (v.signature.state) {
    case 'unsigned':
      lines.push('  signature: UNSIGNED: the hashes show the files are as they were written, but anyone could have written them');
      break;
    case 'valid':
      lines.push(
        v.signature.trusted
          ? `  signature: valid, by the key given (${v.signature.fingerprint})`
          : `  signature: valid, by ${v.signature.fingerprint} (the key in the manifest; pass --public-key with the lab's published key to pin it)`,
      );
      break;
    case 'invalid':
      lines.push(`  signature: INVALID: ${v.signature.why}`);
      break;
  }
  for (const p of v.problems) lines.push(`  problem: ${p}`);
  lines.push(v.ok ? `the certificate matches its records${v.signature.state === 'unsigned' ? ' (unsigned)' : ''}` : 'the certificate does NOT match its records');
  return `${lines.join('\n')}\n`;
}
