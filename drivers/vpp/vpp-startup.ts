/**
 * VPP's startup.conf for a DUT run: private CLI and stats sockets under the run dir, main core and workers
 * from the inventory's dut CPUs, PCI devices (or no-pci for memif/vhost-user only), plugins we need.
 */
export interface VppStartupSpec {
  readonly runDir: string;
  readonly mainCore: number;
  readonly workerCores: readonly number[];
  /**
   * PCI functions given to VPP's dpdk plugin, each named `vppPortName(i)` (empty = `no-pci`: memif /
   * vhost-user only). Without a name VPP calls a port after its speed and bus position
   * (TenGigabitEthernet3b/0/0), which says nothing about which inventory port it is.
   */
  readonly pci: readonly string[];
  readonly hugepageMb?: number;
  readonly memifPlugin?: boolean;
  readonly vhostPlugin?: boolean;
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
  const lines = [
    'unix {',
    '  nodaemon',
    `  cli-listen ${s.runDir}/cli.sock`,
    `  log ${s.runDir}/vpp.log`,
    `  runtime-dir ${s.runDir}`,
    '}',
    `statseg { socket-name ${s.runDir}/stats.sock }`,
    `api-segment { prefix ${s.runDir.replace(/[^A-Za-z0-9]/g, '_')} }`,
    'cpu {',
    `  main-core ${s.mainCore}`,
    ...(s.workerCores.length ? [`  corelist-workers ${s.workerCores.join(',')}`] : []),
    '}',
    `buffers { buffers-per-numa 16384 }`,
    'dpdk {',
    ...(s.pci.length ? s.pci.map((p, i) => `  dev ${p} { name ${vppPortName(i)} }`) : ['  no-pci']),
    '}',
    'plugins {',
    '  plugin default { disable }',
    '  plugin dpdk_plugin.so { enable }',
    ...(s.memifPlugin !== false ? ['  plugin memif_plugin.so { enable }'] : []),
    ...(s.vhostPlugin ? ['  plugin vhost_plugin.so { enable }'] : []),
    '}',
  ];
  return lines.join('\n') + '\n';
}
