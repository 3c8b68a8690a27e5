import { test, expect } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TransportError } from '../../core/errors.ts';
import { localShell } from '../shell/local.ts';
import type { SpawnedProcess } from '../shell/shell.ts';
import { ethdevRates, ethdevStats, openTelemetry, parseReply, telemetrySocketPath } from './telemetry.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

test.describe('telemetry reply parsing', () => {
  test('stats with and without the q_* arrays (DPDK <= 25.07 and 25.11+) both parse', () => {
    const old = parseReply('/ethdev/stats,0', JSON.parse('{"/ethdev/stats":{"ipackets":5,"opackets":4,"ibytes":320,"obytes":256,"imissed":0,"ierrors":0,"oerrors":0,"rx_nombuf":0,"q_ipackets":[5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],"q_opackets":[4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],"q_ibytes":[320,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],"q_obytes":[256,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],"q_errors":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}}'), ethdevStats, 'x');
    expect(old.ipackets).toBe(5);
    expect(old.q_opackets?.[0]).toBe(4);
    const fresh = parseReply('/ethdev/stats,1', { '/ethdev/stats': { ipackets: 409697376, opackets: 0, ibytes: 26220632064, obytes: 0, imissed: 0, ierrors: 0, oerrors: 0, rx_nombuf: 0 } }, ethdevStats, 'x');
    expect(fresh.ibytes).toBe(26220632064);
    expect(fresh.q_ipackets).toBeUndefined();
  });

  test('a null reply (unknown command or bad port) is an error that says so', () => {
    expect(() => parseReply('/ethdev/stats,9', { '/ethdev/stats': null }, ethdevStats, 'dut')).toThrow(/returned null: unknown command or invalid parameter/);
  });

  test('a reply of the wrong shape names the command and the field', () => {
    const err = (() => {
      try {
        parseReply('/ethdev/stats,2', { '/ethdev/stats': { ipackets: -1, opackets: 0 } }, ethdevStats, 'dut');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(TransportError);
    expect(String((err as Error).message)).toMatch(/\/ethdev\/stats,2 has an unexpected shape[\s\S]*ipackets/);
  });

  test('rates between two snapshots, drops summed, counters going backwards give 0 not negative', () => {
    const a = { ipackets: 1000, opackets: 900, ibytes: 64000, obytes: 57600, imissed: 1, ierrors: 0, oerrors: 0, rx_nombuf: 0 };
    const b = { ipackets: 21000, opackets: 20900, ibytes: 1344000, obytes: 1337600, imissed: 4, ierrors: 0, oerrors: 2, rx_nombuf: 0 };
    const r = ethdevRates(a, b, 2);
    expect(r).toEqual({ rxPps: 10000, txPps: 10000, rxBps: 5_120_000, txBps: 5_120_000, dropped: 5 });
    expect(ethdevRates(b, a, 1).rxPps).toBe(0);
  });

  test('socket path follows RUNTIME_DIRECTORY/dpdk/<prefix>', () => {
    expect(telemetrySocketPath('/tmp/run/', 'wsp-abc-dut')).toBe('/tmp/run/dpdk/wsp-abc-dut/dpdk_telemetry.v2');
  });
});

test.describe('telemetry client against a SEQPACKET server', () => {
  let dir: string;
  let server: SpawnedProcess | undefined;
  const shell = localShell();

  test.beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wsp-tel-'));
  });
  test.afterEach(async () => {
    await server?.kill(1000);
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const startServer = async (sock: string) => {
    let ready!: () => void;
    const listening = new Promise<void>((r) => (ready = r));
    server = await shell.spawn(['python3', '-u', here('./testdata/fake-telemetry-server.py'), sock, here('./testdata/telemetry-replies.json')], {
      onStdout: (s) => s.includes('listening') && ready(),
    });
    await listening;
  };

  test('reads list, stats, xstats and info over the real wire protocol', async () => {
    const sock = join(dir, 'dpdk_telemetry.v2');
    await startServer(sock);
    await using tel = await openTelemetry(shell, sock, { label: 'l3fwd' });
    expect(tel.banner.version).toBe('DPDK 22.11.11');
    expect(await tel.ethdevList()).toEqual([0, 1]);
    const stats = await tel.ethdevStats(0);
    expect(stats.ipackets).toBe(10006228);
    expect(stats.opackets).toBe(10005020);
    expect((await tel.ethdevStats(1)).imissed).toBe(12);
    expect((await tel.ethdevXstats(0))['rx_q0_packets']).toBe(10006228);
    const info = await tel.ethdevInfo(0);
    expect(info.name).toBe('net_vhost0');
    expect(info.mac_addr).toBe('56:48:4F:53:54:00');
    await expect(tel.ethdevStats(7)).rejects.toThrow(/\/ethdev\/stats,7 returned null/);
    expect(await tel.raw('/nope')).toBeNull();
  });

  test('a missing socket is a TransportError naming the path and what to check', async () => {
    const sock = join(dir, 'nothing', 'dpdk_telemetry.v2');
    const err = await openTelemetry(shell, sock, { label: 'l3fwd (dut)' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toContain(`telemetry socket ${sock} does not exist`);
    expect((err as Error).message).toMatch(/l3fwd \(dut\)[\s\S]*hint: .*--file-prefix/);
  });

  test('waits for a socket that appears while the process starts', async () => {
    const sock = join(dir, 'dpdk_telemetry.v2');
    const opening = openTelemetry(shell, sock, { waitMs: 10_000 });
    await new Promise((r) => setTimeout(r, 300));
    await startServer(sock);
    await using tel = await opening;
    expect(await tel.ethdevList()).toEqual([0, 1]);
  });

  test('a connection the process drops fails the pending and later requests', async () => {
    const sock = join(dir, 'dpdk_telemetry.v2');
    await startServer(sock);
    await using tel = await openTelemetry(shell, sock);
    await expect(tel.raw('/test/close')).rejects.toThrow(/closed the socket/);
    await expect(tel.ethdevList()).rejects.toBeInstanceOf(TransportError);
  });
});
