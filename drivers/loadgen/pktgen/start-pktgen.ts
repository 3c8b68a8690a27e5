/** Start pktgen-dpdk through a node's Shell and open a session on its Lua socket; the session kills it on close. */
import { TransportError } from '../../../core/errors.ts';
import type { Shell } from '../../shell/shell.ts';
import { PktgenLuaClient } from './lua-client.ts';
import { pktgenArgv, type PktgenArgvSpec } from './pktgen-argv.ts';
import { PktgenSession, type PktgenPortConfig } from './pktgen-session.ts';

export interface StartPktgenOptions {
  readonly shell: Shell;
  readonly argv: PktgenArgvSpec;
  /** Address of the node as seen from here (pktgen listens on all interfaces). */
  readonly socketHost: string;
  readonly ports: readonly [PktgenPortConfig, PktgenPortConfig];
  /** How long pktgen may take to bring up EAL and the ports (default 60 s). */
  readonly startTimeoutMs?: number;
  /** Full argv override (tests run a stand-in); defaults to pktgenArgv(argv). */
  readonly command?: readonly string[];
}

/** Spawn pktgen, wait for its Lua socket, return the session. On any failure the process is killed. */
export async function startPktgen(o: StartPktgenOptions): Promise<PktgenSession> {
  const cmd = o.command ?? pktgenArgv(o.argv);
  const proc = await o.shell.spawn(cmd);
  const kill = async () => {
    if (!proc.exited()) await proc.kill(3000);
  };
  try {
    const retryDelayMs = 250;
    const attempts = Math.ceil((o.startTimeoutMs ?? 60_000) / retryDelayMs);
    const exited = proc.wait().then((e) => {
      throw new TransportError(`pktgen exited before its Lua socket came up (${e.signal ?? `exit ${e.exitCode}`})`, {
        where: o.shell.name,
        hint: `last output:\n${proc.output().slice(-2000)}`,
      });
    });
    const client = await Promise.race([
      PktgenLuaClient.connect({ host: o.socketHost, port: o.argv.socketPort ?? 22022, connectAttempts: attempts, retryDelayMs }),
      exited,
    ]);
    exited.catch(() => undefined);
    return await PktgenSession.open({ client, ports: o.ports, onClose: kill });
  } catch (e) {
    await kill();
    throw e;
  }
}
