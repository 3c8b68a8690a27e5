/**
 * Host key verification the way OpenSSH does it: a known_hosts file (plain, wildcard and hashed
 * `|1|salt|hash` entries, `[host]:port` for ports other than 22, @revoked) or one pinned SHA256
 * fingerprint. Pure: the ssh shell calls it from its host key callback.
 */
import { createHash, createHmac } from 'node:crypto';

export interface KnownHostEntry {
  marker?: 'revoked' | 'cert-authority';
  /** Host patterns of a plain entry (may contain * ? and !negation). */
  patterns?: string[];
  /** Salt and HMAC-SHA1 of a hashed entry. */
  hashed?: { salt: Buffer; hash: Buffer };
  keyType: string;
  key: Buffer;
  line: number;
}

/** Parse known_hosts text; malformed lines are skipped, like ssh does. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift()!.slice(1) as KnownHostEntry['marker'];
    const [hosts, keyType, keyB64] = fields;
    if (!hosts || !keyType || !keyB64) return;
    const entry: KnownHostEntry = { keyType, key: Buffer.from(keyB64, 'base64'), line: i + 1, ...(marker ? { marker } : {}) };
    if (hosts.startsWith('|1|')) {
      const [, , salt, hash] = hosts.split('|');
      if (!salt || !hash) return;
      entry.hashed = { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
    } else entry.patterns = hosts.split(',');
    out.push(entry);
  });
  return out;
}

/** The name ssh looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

/** Does this entry name the host? */
export function entryMatches(entry: KnownHostEntry, name: string): boolean {
  if (entry.hashed) {
    const h = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return h.equals(entry.hashed.hash);
  }
  let matched = false;
  for (const p of entry.patterns ?? []) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) matched = true;
  }
  return matched;
}

/** `SHA256:base64` without padding, as `ssh-keygen -lf` prints it. */
export function fingerprintSha256(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type inside an SSH public key blob (its first string), e.g. ssh-ed25519. */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const n = key.readUInt32BE(0);
  return key.subarray(4, 4 + n).toString('latin1');
}

export type HostKeyVerdict = { ok: true } | { ok: false; reason: string; mismatch: boolean };

/** Check a presented host key against known_hosts text and/or a pinned fingerprint. */
export function verifyHostKey(args: {
  host: string;
  port: number;
  key: Buffer;
  knownHosts?: { text: string; file: string };
  pinnedSha256?: string;
}): HostKeyVerdict {
  const got = fingerprintSha256(args.key);
  const type = keyTypeOf(args.key);
  if (args.pinnedSha256 !== undefined) {
    const want = args.pinnedSha256.replace(/=+$/, '');
    if (got !== want) {
      return { ok: false, mismatch: true, reason: `host key mismatch: the host presented ${type} key ${got}, but the inventory pins ${want}` };
    }
    if (!args.knownHosts) return { ok: true };
  }
  if (!args.knownHosts) return { ok: false, mismatch: false, reason: 'no known_hosts file and no pinned fingerprint to verify the host key' };
  const name = knownHostsName(args.host, args.port);
  const entries = parseKnownHosts(args.knownHosts.text).filter((e) => e.marker !== 'cert-authority' && entryMatches(e, name));
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(args.key));
  if (revoked) {
    return { ok: false, mismatch: true, reason: `host key ${got} is marked @revoked in ${args.knownHosts.file}:${revoked.line}` };
  }
  const valid = entries.filter((e) => e.marker === undefined);
  if (valid.some((e) => e.key.equals(args.key))) return { ok: true };
  if (valid.length === 0) {
    return { ok: false, mismatch: false, reason: `${name} is not in ${args.knownHosts.file} (it presented ${type} key ${got})` };
  }
  const known = valid.map((e) => `${e.keyType} ${fingerprintSha256(e.key)} (line ${e.line})`).join(', ');
  return {
    ok: false,
    mismatch: true,
    reason: `host key mismatch: ${name} presented ${type} key ${got}, but ${args.knownHosts.file} has ${known}`,
  };
}
