/**
 * Real time-series servers for tests (Debian's victoria-metrics and InfluxDB 1.x), on 127.0.0.1 free ports
 * with temporary data directories; stop() kills by pid and removes the directory. Not used in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestServer {
  readonly url: string;
  readonly port: number;
  /** Stop the process (SIGTERM, then SIGKILL); keeps the data directory unless `removeData`. */
  stop(removeData?: boolean): Promise<void>;
  /** Start again on the same port and data directory (after stop(false)). */
  restart(): Promise<void>;
  log(): string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** VictoriaMetrics on a free loopback port. */
export async function startVictoriaMetrics(): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'wsp-h5-vm-'));
  const port = await freePort();
  const args = [`-storageDataPath=${join(dir, 'data')}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=100y', '-search.latencyOffset=0s', '-loggerLevel=ERROR'];
  return managed('victoria-metrics', args, dir, port, '/health');
}

/** InfluxDB 1.x (`influxd run -config`) on free loopback ports, with a database created. */
export async function startInfluxDb1(db: string): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'wsp-h5-influx-'));
  const port = await freePort();
  const rpcPort = await freePort();
  const conf = `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
[monitor]
  store-enabled = false
[ifql]
  enabled = false
[continuous_queries]
  enabled = false
`;
  await writeFile(join(dir, 'influxdb.conf'), conf);
  const server = await managed('influxd', ['run', '-config', join(dir, 'influxdb.conf'), '-pidfile', join(dir, 'influxd.pid')], dir, port, '/ping');
  const res = await fetch(`${server.url}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE "${db}"` }) });
  if (!res.ok) throw new Error(`CREATE DATABASE failed: HTTP ${res.status} ${await res.text()}`);
  return server;
}

async function managed(bin: string, args: string[], dir: string, port: number, readyPath: string): Promise<TestServer> {
  let child: ChildProcess | undefined;
  let output = '';
  const url = `http://127.0.0.1:${port}`;
  const start = async () => {
    const c = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    const keep = (b: Buffer) => {
      output = (output + b.toString()).slice(-8000);
    };
    c.stdout?.on('data', keep);
    c.stderr?.on('data', keep);
    const exited = new Promise<never>((_, reject) => c.once('exit', (code) => reject(new Error(`${bin} exited (${code}) before it was ready:\n${output}`))));
    await Promise.race([waitReady(`${url}${readyPath}`, 30_000, bin), exited]);
  };
  const stop = async (removeData = true) => {
    const c = child;
    child = undefined;
    if (c && c.exitCode === null && c.signalCode === null) {
      const gone = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    }
    if (removeData) await rm(dir, { recursive: true, force: true });
  };
  try {
    await start();
  } catch (err) {
    await stop(true);
    throw err;
  }
  return { url, port, stop, restart: start, log: () => output };
}

async function waitReady(url: string, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.status < 300) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready at ${url} after ${timeoutMs} ms: ${last}`);
}
