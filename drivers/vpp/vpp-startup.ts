/**
 * VPP's startup.conf for one run: every socket VPP opens (CLI, binary API, stats) under the run's private
 * directory, the shared-memory API segment under a prefix named after the run (so a sweep can find what a
 * crash left in /dev/shm), main core and workers from the inventory, and only the plugins the datapath uses.
 * Without the socksvr and statseg lines VPP would take /run/vpp/api.sock and /run/vpp/stats.sock, which
 * every other VPP on the machine shares.
 */
export interface VppStartupSpec {
  readonly runDir: string;
  readonly mainCore: number;
  readonly workerCores: readonly number[];
  /**
   * PCI functions for VPP's dpdk plugin, each named `vppPortName(i)`. Without a name VPP calls a port
   * after its speed and bus position (TenGigabitEthernet3b/0/0), which says nothing about which inventory
   * port it is. Empty with `dpdk` unset: no dpdk plugin at all (memif, vhost-user and af_packet need none,
   * and the local lab's VPP is built without it); empty with `dpdk: true`: `no-pci`.
   */
  readonly pci: readonly string[];
  readonly dpdk?: boolean;
  readonly memifPlugin?: boolean;
  readonly vhostPlugin?: boolean;
  /** Shared-memory prefix of the API segment (/dev/shm/<prefix>-vpe-api ...); default derived from runDir. */
  readonly apiPrefix?: string;
  /** Packet buffers per NUMA node; default 16384. */
  readonly buffersPerNuma?: number;
  /**
   * The main loop sleeps this long when no node polls (interrupt rx-mode everywhere): a VPP that shares a
   * CPU with pollers then leaves it to them between packets. Absent: VPP's default.
   */
  readonly pollSleepUsec?: number;
}

/** The API segment prefix of a spec (also what the sweep and stop() look for in /dev/shm). */
export function vppApiPrefix(s: Pick<VppStartupSpec, 'runDir' | 'apiPrefix'>): string {
  return s.apiPrefix ?? s.runDir.replace(/[^A-Za-z0-9]/g, '_');
}

/**
 * The interface name VPP gives the i-th PCI function of a spec: the dpdk plugin's per-device `name`
 * (src/plugins/dpdk/device/init.c) replaces the name it would derive from the link speed and PCI address.
 */
export function vppPortName(i: number): string {
  return `port${i}`;
}

/** Render startup.conf. */
export function vppStartupConf(s: VppStartupSpec): string {
  const dpdk = s.dpdk ?? s.pci.length > 0;
  const lines = [
    'unix {',
    '  nodaemon',
    '  nosyslog',
    `  cli-listen ${s.runDir}/cli.sock`,
    `  log ${s.runDir}/vpp.log`,
    `  runtime-dir ${s.runDir}`,
    ...(s.pollSleepUsec === undefined ? [] : [`  poll-sleep-usec ${s.pollSleepUsec}`]),
    '}',
    `socksvr { socket-name ${s.runDir}/api.sock }`,
    `statseg { socket-name ${s.runDir}/stats.sock }`,
    `api-segment { prefix ${vppApiPrefix(s)} }`,
    'cpu {',
    `  main-core ${s.mainCore}`,
    ...(s.workerCores.length ? [`  corelist-workers ${s.workerCores.join(',')}`] : []),
    '}',
    `buffers { buffers-per-numa ${s.buffersPerNuma ?? 16384} }`,
    ...(dpdk ? ['dpdk {', ...(s.pci.length ? s.pci.map((p, i) => `  dev ${p} { name ${vppPortName(i)} }`) : ['  no-pci']), '}'] : []),
    'plugins {',
    '  plugin default { disable }',
    ...(dpdk ? ['  plugin dpdk_plugin.so { enable }'] : []),
    ...(s.memifPlugin !== false ? ['  plugin memif_plugin.so { enable }'] : []),
    ...(s.vhostPlugin ? ['  plugin vhost_plugin.so { enable }'] : []),
    '}',
  ];
  return lines.join('\n') + '\n';
}
