/**
 * The way to pktgen's Lua socket: lua-relay.py runs on the generator node (in pktgen's network
 * namespace, through that node's Shell) and connects to the socket on the node's loopback; its
 * stdin/stdout carry the Lua client's lines. Locally that is a pipe, to a bare-metal generator node the
 * SSH channel: the socket itself is never reachable from the network.
 */
import { readFileSync } from 'node:fs';
import { trimOutput } from '../../../core/errors.ts';
import type { Shell, SpawnedProcess } from '../../shell/shell.ts';
import { PktgenLuaClient, type LuaExchange } from './lua-client.ts';

const RELAY_SOURCE = readFileSync(new URL('./lua-relay.py', import.meta.url), 'utf8');

export interface RelayedClient {
  readonly client: PktgenLuaClient;
  readonly relay: SpawnedProcess;
  /** End the relay's input (pktgen's REPL then closes the connection and the relay exits); kill it if it hangs. */
  close(): Promise<void>;
}

/** Start the relay on `shell` towards host:port (retrying up to waitMs while pktgen starts) and a client over it. */
export async function relayedClient(
  shell: Shell,
  o: { readonly host: string; readonly port: number; readonly waitMs: number; readonly where: string; readonly onExchange?: (e: LuaExchange) => void },
): Promise<RelayedClient> {
  let client: PktgenLuaClient | undefined;
  const early: string[] = [];
  const relay = await shell.spawn(['python3', '-c', RELAY_SOURCE, o.host, String(o.port), String(o.waitMs)], {
    onStdout: (chunk) => (client ? client.feed(chunk) : early.push(chunk)),
  });
  const c = new PktgenLuaClient({
    where: o.where,
    write: (text) => relay.write(text),
    ...(o.onExchange === undefined ? {} : { onExchange: o.onExchange }),
  });
  client = c;
  for (const chunk of early.splice(0)) c.feed(chunk);
  void relay.wait().then((e) => c.end(`the relay exited (${e.signal ?? `exit ${e.exitCode}`}): ${trimOutput(relay.output(), 4)}`));
  let closed: Promise<void> | undefined;
  return {
    client: c,
    relay,
    close: () =>
      (closed ??= (async () => {
        relay.endInput();
        const done = await Promise.race([relay.wait().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref())]);
        if (!done) await relay.kill(1000);
      })()),
  };
}
