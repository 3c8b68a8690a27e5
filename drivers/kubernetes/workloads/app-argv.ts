/**
 * The application command line of each workload role on the EAL arguments of its pod. Lcore 0 is the main
 * lcore; polling lcores are 1..n-1, spread over the ports (port ids as podEal reports them).
 */
import type { PodEal } from '../pod-devices.ts';
import type { WorkloadRole } from './pod-spec.ts';

export function appArgv(role: WorkloadRole, eal: PodEal, lcoreCount: number): string[] {
  const ports = eal.ports.map((p) => p.port);
  const workers = Math.max(1, lcoreCount - 1);
  const lcoreOf = (port: number) => 1 + (port % workers);
  const portmask = `0x${ports.reduce((m, p) => m | (1 << p), 0).toString(16)}`;
  const virtioUser = eal.ports.some((p) => p.device.kind === 'vhost-user' || p.device.kind === 'vdpa');
  switch (role) {
    case 'l3fwd':
      return ['dpdk-l3fwd', ...eal.argv, '--', '-p', portmask, ...(virtioUser ? [] : ['-P']), `--config=${ports.map((p) => `(${p},0,${lcoreOf(p)})`).join(',')}`, '--parse-ptype'];
    case 'testpmd':
      return ['dpdk-testpmd', ...eal.argv, '--', '--forward-mode=io', `--nb-cores=${Math.min(workers, ports.length)}`, '--auto-start', '--disable-link-check', ...(ports.length === 1 ? ['--port-topology=loop'] : [])];
    case 'wsp-gen':
      // wirespeed's generator takes its ports from the EAL arguments and is driven over stdin (drivers/loadgen).
      return ['wsp-gen', ...eal.argv];
    case 'generator':
      // pktgen-dpdk: -m "[rx:tx].port" per port (driver-formats §1.2); -P promiscuous, -T themed console off.
      return ['pktgen', ...eal.argv, '--', '-P', '-m', ports.map((p) => `[${lcoreOf(p)}].${p}`).join(',')];
    case 'vpp':
      return vppCommand(eal);
  }
}

/** VPP takes devices in startup.conf, not as EAL arguments; memif comes from its CLI (§5.2, §7.4). */
function vppCommand(eal: PodEal): string[] {
  const lines: string[] = ['vpp', '-c', '/etc/vpp/startup.conf', '#', 'dpdk {'];
  const cli: string[] = [];
  let memifSocket = 1;
  for (const { device: d } of eal.ports) {
    if (d.kind === 'pci') lines.push(`  dev ${d.pciAddress}`);
    else if (d.kind === 'vhost-user' || d.kind === 'vdpa') lines.push(`  vdev net_virtio_user${memifSocket},path=${d.path}${d.kind === 'vhost-user' && d.podIsServer ? ',server=1' : ''}`);
    else {
      cli.push(`create memif socket id ${memifSocket} filename ${d.path}`, `create interface memif id 0 socket-id ${memifSocket} ${d.role === 'server' ? 'master' : 'slave'} no-zero-copy`, `set int state memif${memifSocket}/0 up`);
    }
    memifSocket++;
  }
  lines.push('}');
  return [...lines, ...(cli.length ? ['#', 'vppctl:', ...cli] : [])];
}
