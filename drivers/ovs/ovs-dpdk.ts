/**
 * OVS-DPDK under a private run dir (local-lab-findings §5): our own ovsdb-server and ovs-vswitchd-dpdk,
 * never the system service; every socket, db and log under `runDir`; torn down with `exit --cleanup`, the
 * processes killed if they linger, the run dir removed. Works the same over SSH on a hardware node.
 */
import { ProvisionError, TimeoutError } from '../../core/errors.ts';
import type { Shell, SpawnedProcess } from '../shell/shell.ts';
import { locateOvs } from './locate-ovs.ts';
import { parsePmdStats, type PmdStats } from './parse-pmd-stats.ts';

export interface OvsDpdkOptions {
  readonly shell: Shell;
  /** Private directory for db, sockets, pid files and logs; removed at stop. */
  readonly runDir: string;
  /** DPDK --file-prefix for vswitchd (OVS also adds --in-memory). */
  readonly filePrefix: string;
  /** Hex masks as OVS wants them: lcore (non-PMD) threads and PMD threads. */
  readonly lcoreMask: string;
  readonly pmdCpuMask: string;
  /** Per NUMA node, MB: "256" or "1024,0". */
  readonly socketMem: string;
  readonly socketLimit?: string;
  /** No PCI scan (vhost-user only, the local lab). */
  readonly noPci?: boolean;
  /** ovs-vswitchd with DPDK and the db schema; found on the node (locate-ovs.ts) when not given. */
  readonly vswitchd?: string;
  readonly schema?: string;
  readonly startTimeoutMs?: number;
}

const SAFE = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

export class OvsDpdk implements AsyncDisposable {
  readonly #o: OvsDpdkOptions;
  readonly #procs: SpawnedProcess[] = [];
  #stopped = false;
  dpdkVersion = '';

  private constructor(o: OvsDpdkOptions) {
    this.#o = o;
  }

  get dbSocket(): string {
    return `${this.#o.runDir}/db.sock`;
  }
  get vswitchdCtl(): string {
    return `${this.#o.runDir}/ovs-vswitchd.ctl`;
  }

  /** Create the db, start ovsdb-server and vswitchd, wait until DPDK is initialised. Cleans up on failure. */
  static async start(o: OvsDpdkOptions): Promise<OvsDpdk> {
    const ovs = new OvsDpdk(o);
    try {
      await ovs.#start();
      return ovs;
    } catch (e) {
      await ovs.stop().catch(() => undefined);
      throw e;
    }
  }

  async #start(): Promise<void> {
    const { shell, runDir } = this.#o;
    const env = this.#env();
    const install = this.#o.vswitchd && this.#o.schema ? { vswitchd: this.#o.vswitchd, schema: this.#o.schema } : await locateOvs(shell);
    const vswitchdPath = this.#o.vswitchd ?? install.vswitchd;
    await shell.run(['mkdir', '-p', runDir]);
    await shell.run(['ovsdb-tool', 'create', `${runDir}/conf.db`, this.#o.schema ?? install.schema]);
    this.#procs.push(
      await shell.spawn(['ovsdb-server', `${runDir}/conf.db`, `--remote=punix:${this.dbSocket}`, `--pidfile=${runDir}/ovsdb-server.pid`, `--unixctl=${runDir}/ovsdb-server.ctl`, `--log-file=${runDir}/ovsdb-server.log`], { env }),
    );
    await this.#until('ovsdb-server to accept connections', async () => (await shell.exec(this.#vsctlArgv(['--no-wait', 'init']), { env, timeoutMs: 5000 })).exitCode === 0);
    const extra = [`--file-prefix=${this.#o.filePrefix}`, ...(this.#o.noPci ? ['--no-pci'] : []), '--single-file-segments'].join(' ');
    await this.vsctl(
      '--no-wait', 'set', 'Open_vSwitch', '.',
      'other_config:dpdk-init=true',
      `other_config:dpdk-lcore-mask=${this.#o.lcoreMask}`,
      `other_config:pmd-cpu-mask=${this.#o.pmdCpuMask}`,
      `other_config:dpdk-socket-mem=${this.#o.socketMem}`,
      ...(this.#o.socketLimit ? [`other_config:dpdk-socket-limit=${this.#o.socketLimit}`] : []),
      `other_config:dpdk-extra=${extra}`,
    );
    const vswitchd = await shell.spawn(
      [vswitchdPath, `unix:${this.dbSocket}`, `--pidfile=${runDir}/ovs-vswitchd.pid`, `--unixctl=${this.vswitchdCtl}`, `--log-file=${runDir}/ovs-vswitchd.log`, '-vconsole:off'],
      { env },
    );
    this.#procs.push(vswitchd);
    await this.#until('ovs-vswitchd to initialise DPDK', async () => {
      if (vswitchd.exited()) throw new ProvisionError(`ovs-vswitchd exited during start: ${vswitchd.output().slice(-1500)}`, { where: shell.name, hint: `see ${runDir}/ovs-vswitchd.log` });
      const r = await shell.exec(this.#vsctlArgv(['get', 'Open_vSwitch', '.', 'dpdk_initialized']), { env, timeoutMs: 5000 });
      return r.exitCode === 0 && r.stdout.trim() === 'true';
    });
    this.dpdkVersion = (await this.vsctl('get', 'Open_vSwitch', '.', 'dpdk_version')).trim().replace(/^"|"$/g, '');
  }

  /** ovs-vsctl against our db. */
  async vsctl(...args: string[]): Promise<string> {
    return (await this.#o.shell.run(this.#vsctlArgv(args), { env: this.#env(), timeoutMs: 15_000 })).stdout;
  }

  /** ovs-appctl against our vswitchd. */
  async appctl(...args: string[]): Promise<string> {
    return (await this.#o.shell.run(['ovs-appctl', '-t', this.vswitchdCtl, ...args], { env: this.#env(), timeoutMs: 15_000 })).stdout;
  }

  /** A userspace (netdev) bridge. */
  async addNetdevBridge(name: string): Promise<void> {
    safe(name);
    await this.vsctl('add-br', name, '--', 'set', 'bridge', name, 'datapath_type=netdev');
  }

  /** OVS as vhost-user client of a socket the peer (virtio-user server=1 / VM) owns. */
  async addVhostUserClientPort(bridge: string, port: string, socketPath: string, ofport: number): Promise<void> {
    safe(bridge);
    safe(port);
    await this.vsctl('add-port', bridge, port, '--', 'set', 'Interface', port, 'type=dpdkvhostuserclient', `options:vhost-server-path=${socketPath}`, `ofport_request=${ofport}`);
  }

  /** A DPDK physical port (PF or VF bound to vfio-pci, or mlx5 bifurcated). */
  async addDpdkPort(bridge: string, port: string, pci: string, ofport: number, rxQueues = 1): Promise<void> {
    safe(bridge);
    safe(port);
    await this.vsctl('add-port', bridge, port, '--', 'set', 'Interface', port, 'type=dpdk', `options:dpdk-devargs=${pci}`, `options:n_rxq=${rxQueues}`, `ofport_request=${ofport}`);
  }

  /** Replace the bridge's flows with these (ovs-ofctl syntax); `[]` empties it (a new bridge has NORMAL). */
  async setFlows(bridge: string, flows: readonly string[]): Promise<void> {
    safe(bridge);
    await this.#o.shell.run(['ovs-ofctl', 'del-flows', this.#ofTarget(bridge)], { env: this.#env() });
    await this.addFlows(bridge, flows);
  }

  /** Add flows to the bridge; the flows it has stay. */
  async addFlows(bridge: string, flows: readonly string[]): Promise<void> {
    safe(bridge);
    const env = this.#env();
    for (const f of flows) await this.#o.shell.run(['ovs-ofctl', 'add-flow', this.#ofTarget(bridge), f], { env });
  }

  /**
   * Cross-connect two ofports both ways (the vswitch as a patch between generator and DUT). Adds to
   * the bridge's flows, so several pairs share a bridge; empty it first (setFlows(bridge, [])) to drop
   * the NORMAL flow a new bridge starts with.
   */
  async crossConnect(bridge: string, a: number, b: number): Promise<void> {
    await this.addFlows(bridge, [`in_port=${a},actions=output:${b}`, `in_port=${b},actions=output:${a}`]);
  }

  async pmdStats(): Promise<PmdStats> {
    return parsePmdStats(await this.appctl('dpif-netdev/pmd-stats-show'));
  }

  async clearPmdStats(): Promise<void> {
    await this.appctl('dpif-netdev/pmd-stats-clear');
  }

  /** `ovs-vsctl get Interface <port> statistics` → {rx_packets: n, ...}. */
  async interfaceStatistics(port: string): Promise<Record<string, number>> {
    safe(port);
    const out = (await this.vsctl('get', 'Interface', port, 'statistics')).trim();
    const m = /^\{(.*)\}$/.exec(out);
    if (!m) throw new ProvisionError(`unexpected ovs-vsctl statistics output: ${out.slice(0, 200)}`, { where: this.#o.shell.name });
    const stats: Record<string, number> = {};
    for (const pair of m[1]!.split(',').map((s) => s.trim()).filter(Boolean)) {
      const kv = /^"?([\w-]+)"?=(\d+)$/.exec(pair);
      if (!kv) throw new ProvisionError(`unexpected statistics entry ${pair}`, { where: this.#o.shell.name });
      stats[kv[1]!] = Number(kv[2]);
    }
    return stats;
  }

  /** vswitchd `exit --cleanup` (removes its ports and DPDK state), ovsdb-server exit, kill leftovers, remove the run dir. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const { shell, runDir } = this.#o;
    const env = this.#env();
    await shell.exec(['ovs-appctl', '-t', this.vswitchdCtl, 'exit', '--cleanup'], { env, timeoutMs: 10_000 }).catch(() => undefined);
    await shell.exec(['ovs-appctl', '-t', `${runDir}/ovsdb-server.ctl`, 'exit'], { env, timeoutMs: 5000 }).catch(() => undefined);
    for (const p of [...this.#procs].reverse()) {
      const done = await Promise.race([p.wait(), new Promise<null>((r) => setTimeout(() => r(null), 3000))]);
      if (done === null || !p.exited()) await p.kill(2000);
    }
    // ovs-vswitchd's EAL keeps its runtime files in the default /var/run/dpdk/<prefix> (OVS passes no runtime
    // directory): 66 such directories of OVS test runs had piled up on the dev machine.
    await shell.run(['rm', '-rf', '--', runDir, `/var/run/dpdk/${this.#o.filePrefix}`]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #env(): Record<string, string> {
    const d = this.#o.runDir;
    return { OVS_RUNDIR: d, OVS_LOGDIR: d, OVS_DBDIR: d, OVS_SYSCONFDIR: d };
  }

  #vsctlArgv(args: readonly string[]): string[] {
    return ['ovs-vsctl', `--db=unix:${this.dbSocket}`, ...args];
  }

  #ofTarget(bridge: string): string {
    return `unix:${this.#o.runDir}/${bridge}.mgmt`;
  }

  async #until(what: string, ready: () => Promise<boolean>): Promise<void> {
    const timeoutMs = this.#o.startTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await ready()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new TimeoutError(`waiting for ${what}`, timeoutMs, { where: this.#o.shell.name, hint: `see the logs in ${this.#o.runDir}` });
  }
}

function safe(name: string): void {
  if (!SAFE.test(name)) throw new ProvisionError(`invalid OVS name ${JSON.stringify(name)}`, { hint: 'letters, digits, _ . : - only' });
}
