/**
 * Shell that runs every command inside a network namespace, over any other Shell (local or ssh):
 * `ip netns exec NAME argv…`. `ip netns exec` execs the command in place, so a spawned process's pid
 * is the command's own pid. Files are read through the inner shell: the namespace shares the filesystem.
 * Also: namespaces and veth pairs that always clean up (AsyncDisposable).
 */
import { ProvisionError } from '../../core/errors.ts';
import { checkResult } from './checked.ts';
import { isScript, quote } from './quote.ts';
import type { Command, ExecOptions, ExecResult, Shell, SpawnedProcess, SpawnOptions } from './shell.ts';

const NETNS_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** A Shell whose commands run inside network namespace `netns` on the node of `inner`. */
export function netnsShell(inner: Shell, netns: string): Shell {
  if (!NETNS_NAME.test(netns)) throw new TypeError(`network namespace name ${JSON.stringify(netns)} is not valid`);
  return new NetnsShell(inner, netns);
}

class NetnsShell implements Shell {
  readonly name: string;
  constructor(
    private readonly inner: Shell,
    readonly netns: string,
  ) {
    this.name = `netns ${netns} on ${inner.name}`;
  }

  private wrap(cmd: Command): string[] {
    const argv = isScript(cmd) ? ['sh', '-c', cmd.script] : [...cmd];
    return ['ip', 'netns', 'exec', this.netns, ...argv];
  }

  exec(cmd: Command, opts?: ExecOptions): Promise<ExecResult> {
    return this.inner.exec(this.wrap(cmd), opts);
  }

  async run(cmd: Command, opts: ExecOptions = {}): Promise<ExecResult> {
    return checkResult(this.name, cmd, await this.exec(cmd, opts), opts.timeoutMs);
  }

  spawn(cmd: Command, opts?: SpawnOptions): Promise<SpawnedProcess> {
    return this.inner.spawn(this.wrap(cmd), opts);
  }

  readFile(path: string): Promise<string> {
    return this.inner.readFile(path);
  }

  writeFile(path: string, content: string | Uint8Array, mode?: number): Promise<void> {
    return this.inner.writeFile(path, content, mode);
  }

  close(): Promise<void> {
    // The inner shell belongs to whoever made it (a lab node shares it between namespaces).
    return Promise.resolve();
  }
}

/** A network namespace that exists until disposed. */
export interface Netns extends AsyncDisposable {
  readonly name: string;
  /** Commands run inside it. */
  readonly shell: Shell;
  /** Delete it (idempotent); also what disposing does. */
  remove(): Promise<void>;
}

/** Create network namespace `name` on the node of `shell` with `lo` up; delete it with `remove()` or `await using`. */
export async function createNetns(shell: Shell, name: string): Promise<Netns> {
  if (!NETNS_NAME.test(name)) throw new TypeError(`network namespace name ${JSON.stringify(name)} is not valid`);
  const add = await shell.exec(['ip', 'netns', 'add', name]);
  if (add.exitCode !== 0) {
    throw new ProvisionError(`cannot create network namespace ${name}: ${add.stderr.trim()}`, {
      where: shell.name,
      hint: add.stderr.includes('File exists')
        ? `a namespace of that name is left over: check \`ip netns list\` and delete it with \`ip netns del ${name}\` if it is yours`
        : 'network namespaces need root (CAP_SYS_ADMIN)',
    });
  }
  let removed = false;
  const remove = async (): Promise<void> => {
    if (removed) return;
    removed = true;
    const del = await shell.exec(['ip', 'netns', 'del', name]);
    if (del.exitCode !== 0 && !/No such file/.test(del.stderr)) {
      throw new ProvisionError(`cannot delete network namespace ${name}: ${del.stderr.trim()}`, {
        where: shell.name,
        hint: `a process may still hold it: \`ip netns pids ${name}\``,
      });
    }
  };
  const ns: Netns = { name, shell: netnsShell(shell, name), remove, [Symbol.asyncDispose]: remove };
  try {
    await ns.shell.run(['ip', 'link', 'set', 'lo', 'up']);
  } catch (e) {
    await remove();
    throw e;
  }
  return ns;
}

/** One end of a veth pair: its interface name, optional namespace, and optional addresses (CIDR). */
export interface VethEnd {
  name: string;
  netns?: string;
  addresses?: readonly string[];
  mtu?: number;
}

/** A veth pair that exists until disposed. */
export interface VethPair extends AsyncDisposable {
  readonly a: VethEnd;
  readonly b: VethEnd;
  remove(): Promise<void>;
}

/** Create a veth pair with both ends up (moved into their namespaces, addressed); removed on dispose. */
export async function createVethPair(shell: Shell, a: VethEnd, b: VethEnd): Promise<VethPair> {
  const cmd = ['ip', 'link', 'add', a.name];
  if (a.netns) cmd.push('netns', a.netns);
  cmd.push('type', 'veth', 'peer', 'name', b.name);
  if (b.netns) cmd.push('netns', b.netns);
  const add = await shell.exec(cmd);
  if (add.exitCode !== 0) {
    throw new ProvisionError(`cannot create veth pair ${a.name} <-> ${b.name}: ${add.stderr.trim()}`, {
      where: shell.name,
      hint: add.stderr.includes('File exists')
        ? `an interface of that name exists: check \`ip link show ${a.name}\``
        : `check the namespaces exist (ip netns list) and you are root; command: ${quote(cmd)}`,
    });
  }
  let removed = false;
  const remove = async (): Promise<void> => {
    if (removed) return;
    removed = true;
    // Deleting one end deletes both; the end may be gone already with its namespace.
    const on = a.netns ? netnsShell(shell, a.netns) : shell;
    await on.exec(['ip', 'link', 'del', a.name]);
  };
  const pair: VethPair = { a, b, remove, [Symbol.asyncDispose]: remove };
  try {
    for (const end of [a, b]) {
      const on = end.netns ? netnsShell(shell, end.netns) : shell;
      if (end.mtu !== undefined) await on.run(['ip', 'link', 'set', end.name, 'mtu', String(end.mtu)]);
      for (const addr of end.addresses ?? []) await on.run(['ip', 'addr', 'add', addr, 'dev', end.name]);
      await on.run(['ip', 'link', 'set', end.name, 'up']);
    }
  } catch (e) {
    await remove();
    throw e;
  }
  return pair;
}
