/**
 * InfluxDB credentials never reach a message: not from the URL (refused without being echoed), not from what
 * a server answers (a proxy that echoes the request headers back in its error page), Basic auth included.
 */
import { expect, test } from '@playwright/test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolveInfluxConfig } from './config.ts';
import { createLineWriter } from './line-writer.ts';

const PASSWORD = 'pw-9c1e-secret';
const TOKEN = 'tok-5a7d-secret';

test('a URL carrying credentials is refused, and the message does not repeat them', () => {
  for (const url of [`http://ada:${PASSWORD}@influx.lab:8086`, `http://influx.lab:8086/?u=ada&p=${PASSWORD}`, `https://influx.lab/?token=${PASSWORD}`]) {
    const err = (() => {
      try {
        resolveInfluxConfig({ influxUrl: url, influxDb: 'x' }, {});
        return undefined;
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message, url).toMatch(/InfluxDB URL must not carry credentials/);
    expect(err?.message).not.toContain(PASSWORD);
  }
  const notUrl = (() => {
    try {
      resolveInfluxConfig({ influxUrl: `influx:ada:${PASSWORD}@lab`, influxDb: 'x' }, {});
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  })();
  expect(notUrl).not.toContain(PASSWORD);
});

test('an error answer that echoes the Authorization header loses the Basic pair and the token', async () => {
  const server = createServer((req, res) => {
    res.writeHead(401, { 'content-type': 'text/plain' });
    res.end(`unauthorized: you sent authorization: ${req.headers.authorization ?? ''} to ${req.url ?? ''}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (const auth of [{ influxUser: 'ada', influxPassword: PASSWORD }, { influxToken: TOKEN }]) {
      const config = resolveInfluxConfig({ influxUrl: url, influxDb: 'wsp', ...auth }, {})!;
      const err = await createLineWriter(config).write(['m f=1 1']).then(() => undefined, (e: unknown) => e as Error);
      expect(err?.message).toMatch(/write refused: HTTP 401 unauthorized: you sent authorization: (Basic|Token) <redacted>/);
      for (const secret of [PASSWORD, TOKEN, Buffer.from(`ada:${PASSWORD}`).toString('base64')]) expect(err?.message).not.toContain(secret);
    }
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
