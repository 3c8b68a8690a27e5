/**
 * Where InfluxDB points go, from flags or WIRESPEED_INFLUX_* environment variables (flags win).
 * api 'v2' writes /api/v2/write through @influxdata/influxdb-client (InfluxDB 2.x/3.x, VictoriaMetrics);
 * api 'v1' POSTs the same line protocol to /write?db= (InfluxDB 1.x: 1.6 has no /api/v2/write).
 */
import { ConfigError } from '../../core/errors.ts';
import { redactSecrets } from '../../core/redact.ts';

export type InfluxApi = 'v1' | 'v2';

export interface InfluxConfig {
  readonly url: string;
  readonly api: InfluxApi;
  /** v2: API token; v1: optional "Token" auth (1.8+). Never logged. */
  readonly token?: string;
  readonly org?: string;
  readonly bucket?: string;
  /** v1 database. */
  readonly db?: string;
  /** v1 basic auth. The password is never logged. */
  readonly username?: string;
  readonly password?: string;
  /** Points per write request. */
  readonly batchSize: number;
  /** Per-request timeout. */
  readonly timeoutMs: number;
  /** Attempts per batch before it is spooled (first try included). */
  readonly attempts: number;
  /** First retry delay; doubles per attempt. */
  readonly retryDelayMs: number;
  /** Background flush period. */
  readonly flushIntervalMs: number;
}

export interface InfluxFlags {
  readonly influxUrl?: string | undefined;
  readonly influxApi?: string | undefined;
  readonly influxToken?: string | undefined;
  readonly influxOrg?: string | undefined;
  readonly influxBucket?: string | undefined;
  readonly influxDb?: string | undefined;
  readonly influxUser?: string | undefined;
  readonly influxPassword?: string | undefined;
}

export const INFLUX_ENV = {
  url: 'WIRESPEED_INFLUX_URL',
  api: 'WIRESPEED_INFLUX_API',
  token: 'WIRESPEED_INFLUX_TOKEN',
  org: 'WIRESPEED_INFLUX_ORG',
  bucket: 'WIRESPEED_INFLUX_BUCKET',
  db: 'WIRESPEED_INFLUX_DB',
  username: 'WIRESPEED_INFLUX_USER',
  password: 'WIRESPEED_INFLUX_PASSWORD',
} as const;

export const INFLUX_DEFAULTS = { batchSize: 500, timeoutMs: 3000, attempts: 3, retryDelayMs: 250, flushIntervalMs: 1000 } as const;

/**
 * The InfluxDB configuration, or undefined when no URL is given (no sink). The API is taken from
 * --influx-api / WIRESPEED_INFLUX_API, else 'v1' when a db is given, else 'v2'.
 */
export function resolveInfluxConfig(
  flags: InfluxFlags = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
  tuning: Partial<Pick<InfluxConfig, 'batchSize' | 'timeoutMs' | 'attempts' | 'retryDelayMs' | 'flushIntervalMs'>> = {},
): InfluxConfig | undefined {
  const pick = (flag: string | undefined, name: keyof typeof INFLUX_ENV) => flag ?? nonEmpty(env[INFLUX_ENV[name]]);
  const url = pick(flags.influxUrl, 'url');
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`InfluxDB URL "${redactSecrets(url)}" is not a URL`, { hint: `give e.g. http://influx.lab:8086 (--influx-url or ${INFLUX_ENV.url})` });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`InfluxDB URL must be http or https, got ${parsed.protocol}`, { hint: `--influx-url or ${INFLUX_ENV.url}` });
  }
  const queryCredential = [...parsed.searchParams.keys()].find((k) => CREDENTIAL_PARAMS.includes(k.toLowerCase()));
  if (parsed.username || parsed.password || queryCredential !== undefined) {
    throw new ConfigError(`InfluxDB URL must not carry credentials (${queryCredential === undefined ? 'user:password@' : `query parameter ${queryCredential}`})`, { hint: `use ${INFLUX_ENV.token} or ${INFLUX_ENV.username}/${INFLUX_ENV.password}` });
  }
  const db = pick(flags.influxDb, 'db');
  const apiRaw = pick(flags.influxApi, 'api') ?? (db !== undefined ? 'v1' : 'v2');
  if (apiRaw !== 'v1' && apiRaw !== 'v2') {
    throw new ConfigError(`InfluxDB API "${apiRaw}" is not v1 or v2`, { hint: 'v2 for InfluxDB 2.x/3.x and VictoriaMetrics, v1 for InfluxDB 1.x (/write?db=)' });
  }
  const token = pick(flags.influxToken, 'token');
  const org = pick(flags.influxOrg, 'org');
  const bucket = pick(flags.influxBucket, 'bucket');
  const username = pick(flags.influxUser, 'username');
  const password = pick(flags.influxPassword, 'password');
  if (apiRaw === 'v1' && db === undefined) {
    throw new ConfigError('InfluxDB 1.x writes need a database', { hint: `--influx-db or ${INFLUX_ENV.db}` });
  }
  if (apiRaw === 'v2' && bucket === undefined) {
    throw new ConfigError('InfluxDB v2 writes need a bucket', { hint: `--influx-bucket or ${INFLUX_ENV.bucket} (VictoriaMetrics ignores it but the API needs one)` });
  }
  const base = url.replace(/\/+$/, '');
  return {
    url: base,
    api: apiRaw,
    ...(token === undefined ? {} : { token }),
    ...(org === undefined ? {} : { org }),
    ...(bucket === undefined ? {} : { bucket }),
    ...(db === undefined ? {} : { db }),
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    ...INFLUX_DEFAULTS,
    ...tuning,
  };
}

/** A description safe for logs and reports: URL, API and target, never token or password. */
export function describeInflux(c: InfluxConfig): string {
  const target = c.api === 'v1' ? `db=${c.db ?? '?'}` : `org=${c.org ?? '-'} bucket=${c.bucket ?? '?'}`;
  return `${c.url} (${c.api === 'v1' ? 'InfluxDB 1.x /write' : '/api/v2/write'}, ${target}${c.token || c.password ? ', auth set' : ''})`;
}

/** Query parameters that carry credentials (InfluxDB 1.x takes u/p in the query; tokens in URLs end up in logs). */
const CREDENTIAL_PARAMS = ['token', 'access_token', 'p', 'password', 'u', 'authorization', 'auth'];

/**
 * Remove the secrets of a configuration from a text (error messages of libraries may echo headers): the
 * token, the password and the Basic auth pair (also base64-encoded), and anything credential-shaped.
 */
export function redact(text: string, c: Pick<InfluxConfig, 'token' | 'password' | 'username'>): string {
  const basic = c.username !== undefined ? `${c.username}:${c.password ?? ''}` : undefined;
  return redactSecrets(text, [c.token, c.password, basic]);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
