/**
 * Secrets out of messages. Errors and logs end up in terminals, CI logs, JUnit files and reports that people
 * paste into tickets: a kubeconfig token, a client key, an InfluxDB token or password must never be in them.
 * Two layers: the values a caller knows to be secret (replaced wherever they occur, also base64-encoded as
 * in a Basic auth header), and patterns that catch credentials whatever they are (YAML/JSON credential keys,
 * Authorization schemes, user:password@ in URLs, credential query parameters, PEM private keys).
 */

export const REDACTED = '<redacted>';

/** Keys whose values are credentials in kubeconfigs, JSON bodies and env-like text. */
const SECRET_KEYS = ['token', 'id-token', 'refresh-token', 'access-token', 'client-key-data', 'client-key', 'password', 'secret', 'auth-token', 'api-key', 'apikey'];
const KEY_VALUE = new RegExp(`(["']?\\b(?:${SECRET_KEYS.map(escapeRegExp).join('|')})["']?\\s*[:=]\\s*["']?)([^\\s"',}\\]&]+)`, 'gi');
/** Authorization header schemes: Bearer and Basic (RFC 7235), Token (InfluxDB). */
const AUTH_SCHEME = /\b(Bearer|Basic|Token)(\s+)([A-Za-z0-9._~+/=-]{4,})/g;
/** scheme://user:password@host */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/*)([^\s/@:]+):([^\s/@]+)@/gi;
/** ?token=…, &p=… (InfluxDB 1.x query auth), &password=… */
const QUERY_SECRET = /([?&](?:token|access_token|password|p|authorization|auth)=)([^&\s#"']+)/gi;
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(-----END \1PRIVATE KEY-----|$)/g;

/** The text with every known secret value and every credential-looking value replaced by `<redacted>`. */
export function redactSecrets(text: string, known: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of known) {
    if (secret === undefined || secret.length < 4) continue;
    const b64 = Buffer.from(secret).toString('base64');
    for (const form of [secret, b64, b64.replace(/=+$/, '')]) out = out.split(form).join(REDACTED);
  }
  return out
    .replace(PEM_PRIVATE_KEY, `-----BEGIN $1PRIVATE KEY----- ${REDACTED}`)
    .replace(KEY_VALUE, (_m, key: string) => `${key}${REDACTED}`)
    .replace(AUTH_SCHEME, (m, scheme: string, space: string, value: string) => (looksLikeCredential(value) ? `${scheme}${space}${REDACTED}` : m))
    .replace(URL_USERINFO, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`)
    .replace(QUERY_SECRET, (_m, key: string) => `${key}${REDACTED}`);
}

/** Credential values in a kubeconfig's text (tokens, client keys, passwords), to redact wherever they appear. */
export function kubeconfigSecrets(text: string): string[] {
  const out: string[] = [];
  const re = /["']?\b(?:token|client-key-data|password|id-token|refresh-token|access-token)["']?\s*:\s*["']?([^\s"'#,}]+)/gi;
  for (const m of text.matchAll(re)) if (m[1]) out.push(m[1]);
  return out;
}

/** Not an English word ("Basic authentication"): has a digit or symbol, or is long. */
function looksLikeCredential(value: string): boolean {
  return /[0-9+/=_.~-]/.test(value) || value.length >= 24;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}
