/** Start VPP with a startup.conf under a private run dir, wait until its CLI answers; stop kills it and removes the dir. */
import { ProvisionError, TimeoutError } from '../../core/errors.ts';
import type { Shell, SpawnedProcess } from '../shell/shell.ts';
import { vppStartupConf, type VppStartupSpec } from './vpp-startup.ts';
import { Vppctl } from './vppctl.ts';

export interface RunningVpp {
  readonly vppctl: Vppctl;
  readonly version: string;
  readonly process: SpawnedProcess;
  stop(): Promise<void>;
}

/** Write startup.conf, spawn `vpp -c`, poll `show version` on the private CLI socket. */
export async function startVpp(shell: Shell, spec: VppStartupSpec, opts: { binary?: string; startTimeoutMs?: number } = {}): Promise<RunningVpp> {
  await shell.run(['mkdir', '-p', spec.runDir]);
  const conf = `${spec.runDir}/startup.conf`;
  await shell.writeFile(conf, vppStartupConf(spec));
  const proc = await shell.spawn([opts.binary ?? 'vpp', '-c', conf]);
  const vppctl = new Vppctl(shell, { socket: `${spec.runDir}/cli.sock` });
  const stop = async () => {
    if (!proc.exited()) await proc.kill(5000);
    await shell.run(['rm', '-rf', spec.runDir]);
  };
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (proc.exited()) throw new ProvisionError(`vpp exited during start: ${proc.output().slice(-1500)}`, { where: shell.name, hint: `see ${spec.runDir}/vpp.log` });
      const version = await vppctl.version().catch(() => undefined);
      if (version) return { vppctl, version, process: proc, stop };
      if (Date.now() > deadline) throw new TimeoutError('waiting for the VPP CLI socket', timeoutMs, { where: shell.name, hint: `see ${spec.runDir}/vpp.log` });
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}
