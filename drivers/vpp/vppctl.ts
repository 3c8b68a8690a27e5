/**
 * VPP through `vppctl -s <cli socket> <command words>`: memif sockets and interfaces, vhost-user interfaces,
 * addresses, routes, and the parsed show commands. vppctl's exit code does not report CLI errors, so the
 * output is checked for VPP's error forms (`unknown input`, `... error ...`).
 */
import { CommandFailedError, ConfigError } from '../../core/errors.ts';
import type { Shell } from '../shell/shell.ts';
import { parseShowInt, type VppInterface } from './parse-show-int.ts';
import { parseShowMemif, type MemifShow } from './parse-show-memif.ts';
import { parseShowRuntime, type VppThreadRuntime } from './parse-show-runtime.ts';
import { parseShowVhostUser, type VhostUserInterface } from './parse-show-vhost-user.ts';
import { parseRxPlacement, type VppRxQueuePlacement } from './parse-rx-placement.ts';
import type { VppRxMode } from './rx-mode.ts';

export { VPP_RX_MODES, type VppRxMode } from './rx-mode.ts';

export interface VppctlOptions {
  /** CLI socket (startup.conf `unix { cli-listen ... }`); default /run/vpp/cli.sock. */
  readonly socket?: string;
  readonly binary?: string;
}

export interface MemifSpec {
  readonly socketId: number;
  readonly id: number;
  /** VPP's role; the peer takes the other (DPDK memif PMD role=server/client). */
  readonly role: 'master' | 'slave';
  readonly ringSize?: number;
  readonly rxQueues?: number;
  readonly txQueues?: number;
  readonly mac?: string;
}

// VPP CLI errors: `<cmd>: unknown input ...`, `<cmd>: <reason> error ...`, `... failed`
const ERROR_OUTPUT = /unknown input|^[^\n]*: [^\n]*\b(?:error|failed)\b|^(?:error|Error)\b/im;
const NAME = /^[A-Za-z][\w./-]*$/;

export class Vppctl {
  readonly #shell: Shell;
  readonly #socket: string;
  readonly #binary: string;

  constructor(shell: Shell, opts: VppctlOptions = {}) {
    this.#shell = shell;
    this.#socket = opts.socket ?? '/run/vpp/cli.sock';
    this.#binary = opts.binary ?? 'vppctl';
  }

  /** Run one configuration command (as words); CommandFailedError if VPP printed an error. */
  async cli(...words: string[]): Promise<string> {
    return this.#exec(words, true);
  }

  /** Run a show command: its output is data, not checked for error words. */
  async show(...words: string[]): Promise<string> {
    return this.#exec(['show', ...words], false);
  }

  async #exec(words: string[], check: boolean): Promise<string> {
    const argv = [this.#binary, '-s', this.#socket, ...words];
    const r = await this.#shell.run(argv);
    if (check && (ERROR_OUTPUT.test(r.stdout) || ERROR_OUTPUT.test(r.stderr)))
      throw new CommandFailedError({
        host: this.#shell.name,
        command: argv.join(' '),
        exitCode: r.exitCode,
        signal: null,
        stdout: r.stdout,
        stderr: r.stderr,
        hint: 'VPP rejected the command: check the VPP version and plugins (show plugins)',
      });
    return r.stdout;
  }

  /** `show version`'s release, e.g. "25.06-release"; throws when the answer is not VPP's version line. */
  async version(): Promise<string> {
    const out = await this.show('version');
    const m = /^vpp v(\S+)/m.exec(out);
    if (!m) throw new CommandFailedError({ host: this.#shell.name, command: `${this.#binary} -s ${this.#socket} show version`, exitCode: 0, signal: null, stdout: out, stderr: '', hint: "expected 'vpp v<release> built by ...': is this socket VPP's CLI?" });
    return m[1]!;
  }

  /** `create memif socket id N filename PATH` (id 0 is VPP's default /run/vpp/memif.sock). */
  async createMemifSocket(id: number, filename: string): Promise<void> {
    if (id === 0) throw new ConfigError('memif socket id 0 is pre-registered by VPP; use id >= 1 for our own socket');
    await this.cli('create', 'memif', 'socket', 'id', String(id), 'filename', filename);
  }

  async deleteMemifSocket(id: number): Promise<void> {
    await this.cli('delete', 'memif', 'socket', 'id', String(id));
  }

  /** `create interface memif ...`; returns the interface name memif<socket>/<id>. */
  async createMemif(s: MemifSpec): Promise<string> {
    const out = await this.cli(
      'create', 'interface', 'memif', 'id', String(s.id), 'socket-id', String(s.socketId),
      ...(s.ringSize === undefined ? [] : ['ring-size', String(s.ringSize)]),
      ...(s.mac === undefined ? [] : ['hw-addr', s.mac]),
      s.role,
      ...(s.rxQueues === undefined ? [] : ['rx-queues', String(s.rxQueues)]),
      ...(s.txQueues === undefined ? [] : ['tx-queues', String(s.txQueues)]),
    );
    const name = out.trim() || `memif${s.socketId}/${s.id}`;
    if (!/^memif\d+\/\d+$/.test(name)) throw new CommandFailedError({ host: this.#shell.name, command: 'create interface memif', exitCode: 0, signal: null, stdout: out, stderr: '', hint: 'expected the new interface name (memifS/I)' });
    return name;
  }

  /** `create vhost-user socket PATH [server]`; returns VirtualEthernet0/0/N. */
  async createVhostUser(socket: string, opts: { server: boolean; mac?: string }): Promise<string> {
    const out = await this.cli('create', 'vhost-user', 'socket', socket, ...(opts.server ? ['server'] : []), ...(opts.mac ? ['hwaddr', opts.mac] : []));
    const name = out.trim();
    if (!/^VirtualEthernet\d+\/\d+\/\d+$/.test(name))
      throw new CommandFailedError({ host: this.#shell.name, command: 'create vhost-user', exitCode: 0, signal: null, stdout: out, stderr: '', hint: 'expected VirtualEthernet0/0/N: is the vhost plugin enabled?' });
    return name;
  }

  async deleteInterface(name: string): Promise<void> {
    checkName(name);
    if (name.startsWith('memif')) await this.cli('delete', 'interface', 'memif', name);
    else if (name.startsWith('VirtualEthernet')) await this.cli('delete', 'vhost-user', name);
    else throw new ConfigError(`do not know how to delete interface ${name}`);
  }

  async setState(name: string, up: boolean): Promise<void> {
    checkName(name);
    await this.cli('set', 'interface', 'state', name, up ? 'up' : 'down');
  }

  /** `set interface rx-mode NAME MODE`: how VPP takes packets from the interface's queues. */
  async setRxMode(name: string, mode: VppRxMode): Promise<void> {
    checkName(name);
    await this.cli('set', 'interface', 'rx-mode', name, mode);
  }

  async setIpAddress(name: string, cidr: string): Promise<void> {
    checkName(name);
    await this.cli('set', 'interface', 'ip', 'address', name, cidr);
  }

  /** `ip route add PREFIX via NEXTHOP IFNAME`. */
  async addRoute(prefix: string, nextHop: string, ifname: string): Promise<void> {
    checkName(ifname);
    await this.cli('ip', 'route', 'add', prefix, 'via', nextHop, ifname);
  }

  /** Static ARP/ND entry so the generator's destination MAC is known without ARP. */
  async addNeighbor(ifname: string, ip: string, mac: string): Promise<void> {
    checkName(ifname);
    await this.cli('set', 'ip', 'neighbor', ifname, ip, mac, 'static');
  }

  async showInt(): Promise<VppInterface[]> {
    return parseShowInt(await this.show('int'));
  }

  async showRuntime(): Promise<VppThreadRuntime[]> {
    return parseShowRuntime(await this.show('runtime'));
  }

  async showRxPlacement(): Promise<VppRxQueuePlacement[]> {
    return parseRxPlacement(await this.show('interface', 'rx-placement'));
  }

  async showMemif(): Promise<MemifShow> {
    return parseShowMemif(await this.show('memif'));
  }

  async showVhostUser(): Promise<VhostUserInterface[]> {
    return parseShowVhostUser(await this.show('vhost-user'));
  }

  /** Reset interface counters and node runtime stats before a trial. */
  async clearCounters(): Promise<void> {
    await this.cli('clear', 'interfaces');
    await this.cli('clear', 'runtime');
  }
}

function checkName(name: string): void {
  if (!NAME.test(name)) throw new ConfigError(`invalid VPP interface name ${JSON.stringify(name)}`);
}
