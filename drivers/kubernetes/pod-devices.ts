/**
 * From network-status to what a DPDK process in the pod needs: the device each requested network gave
 * (a VF's PCI address, a vhost-vdpa char device, a vhost-user socket, a memif socket), checked against the
 * kind of attachment the scenario asked for, and the EAL arguments that open them.
 */
import { ProvisionError } from '../../core/errors.ts';
import { ealArgs, type LcoreCpus } from '../dpdk/eal.ts';
import type { NetworkStatusEntry } from './network-status.ts';
import type { UserspaceAttachment } from './userspace-config.ts';

/** The attachment kinds a workload network can be. */
export type AttachmentKind = 'pci' | 'vdpa' | 'vhost-user' | 'memif';

export type PodDevice =
  | { kind: 'pci'; network: string; interface: string; pciAddress: string }
  | { kind: 'vdpa'; network: string; interface: string; path: string }
  | { kind: 'vhost-user'; network: string; interface: string; path: string; podIsServer: boolean }
  | { kind: 'memif'; network: string; interface: string; path: string; role: 'server' | 'client' };

export interface RequestedNetwork {
  /** "namespace/nad" as Multus names it in network-status. */
  network: string;
  /** The interface name asked for (`net1`); with the same NAD twice, this tells the entries apart. */
  interface?: string;
  expect: AttachmentKind;
}

const DESCRIBE: Record<AttachmentKind, string> = {
  pci: 'a PCI device (an SR-IOV VF)',
  vdpa: 'a vDPA device',
  'vhost-user': 'a vhost-user socket',
  memif: 'a memif socket',
};

/**
 * The device of each requested network, in request order; ProvisionError naming pod and network otherwise.
 * vhost-user and memif sockets come from network-status device-info when a CNI writes it, else from the
 * userspace CNI's configuration data (it writes no device-info).
 */
export function podDevices(pod: string, status: readonly NetworkStatusEntry[], requested: readonly RequestedNetwork[], userspace: readonly UserspaceAttachment[] = []): PodDevice[] {
  const used = new Set<NetworkStatusEntry>();
  return requested.map((r) => {
    // The same NAD may be attached twice (two VFs of one pool): take entries in order, by interface when named.
    const e = status.find((s) => s.name === r.network && !used.has(s) && (r.interface === undefined || s.interface === r.interface));
    if (e) used.add(e);
    const where = `pod ${pod}, network ${r.network}`;
    if (!e) {
      throw new ProvisionError(`network-status has no entry for ${r.network} (it lists ${status.map((s) => s.name).join(', ') || 'nothing'})`, { where, hint: 'the network was not attached: look at the pod events (FailedCreatePodSandBox)' });
    }
    const di = e['device-info'];
    const iface = e.interface ?? '?';
    if (!di && (r.expect === 'vhost-user' || r.expect === 'memif')) {
      const u = userspace.find((a) => a.ifName === iface);
      if (!u) {
        throw new ProvisionError(`no device-info in network-status and no userspace CNI configuration data for ${iface}, expected ${DESCRIBE[r.expect]}`, {
          where,
          hint: 'the userspace CNI writes userspace/configuration-data only with a kubeconfig in the NAD and the pod volume named shared-dir',
        });
      }
      if (u.kind !== r.expect) throw new ProvisionError(`the userspace CNI attached a ${u.kind} interface, expected ${DESCRIBE[r.expect]}`, { where, hint: 'the NAD behind this network is not the kind the scenario asked for' });
      if (u.kind === 'vhost-user') return { kind: 'vhost-user', network: r.network, interface: iface, path: u.path, podIsServer: u.podMode === 'server' };
      return { kind: 'memif', network: r.network, interface: iface, path: u.path, role: u.podMode === 'master' ? 'server' : 'client' };
    }
    if (!di) throw new ProvisionError(`network-status entry has no device-info, expected ${DESCRIBE[r.expect]}`, { where, hint: 'device-info needs Multus ≥ 3.7 and a CNI that reports it (sriov-cni)' });
    if (di.type !== r.expect) {
      throw new ProvisionError(`device-info is of type ${di.type}, expected ${DESCRIBE[r.expect]}`, { where, hint: 'the NAD behind this network is not the kind the scenario asked for' });
    }
    switch (di.type) {
      case 'pci':
        return { kind: 'pci', network: r.network, interface: iface, pciAddress: di.pci['pci-address'].toLowerCase() };
      case 'vdpa': {
        if (di.vdpa.driver !== 'vhost' || !di.vdpa.path) {
          throw new ProvisionError(`the vDPA device uses the ${di.vdpa.driver} driver: it is a kernel netdev, DPDK cannot open it`, { where, hint: 'use vdpaType: vhost in the SriovNetworkNodePolicy to get a /dev/vhost-vdpa-N device' });
        }
        return { kind: 'vdpa', network: r.network, interface: iface, path: di.vdpa.path };
      }
      case 'vhost-user':
        return { kind: 'vhost-user', network: r.network, interface: iface, path: di['vhost-user'].path, podIsServer: di['vhost-user'].mode === 'server' };
      case 'memif': {
        const role = ['master', 'primary', 'server'].includes(di.memif.role) ? 'server' : 'client';
        return { kind: 'memif', network: r.network, interface: iface, path: di.memif.path, role };
      }
    }
  });
}

export interface PodEalOptions {
  filePrefix: string;
  lcores: readonly LcoreCpus[];
  memoryMb: number;
  /** virtio_user ring depth (default 1024); deep rings ride out a poller descheduled for milliseconds. */
  queueSize?: number;
}

export interface PodEal {
  /** EAL argv (before `--`). */
  argv: string[];
  /** The vdevs among them, in port order after the PCI devices (for drivers that build their own EAL line). */
  vdevs: string[];
  /** DPDK port id of each device: PCI devices are probed before vdevs, in bus order. */
  ports: { port: number; device: PodDevice }[];
}

/** EAL arguments opening every device of the pod. */
export function podEal(devices: readonly PodDevice[], opts: PodEalOptions): PodEal {
  const pci = devices.filter((d): d is Extract<PodDevice, { kind: 'pci' }> => d.kind === 'pci').sort((a, b) => a.pciAddress.localeCompare(b.pciAddress));
  const virtual = devices.filter((d) => d.kind !== 'pci');
  const vdevs = virtual.map((d, i) => {
    switch (d.kind) {
      case 'vhost-user':
        return `net_virtio_user${i},path=${d.path},queues=1,queue_size=${opts.queueSize ?? 1024}${d.podIsServer ? ',server=1' : ''}`;
      case 'vdpa':
        return `net_virtio_user${i},path=${d.path},queues=1`;
      case 'memif':
        return `net_memif${i},role=${d.role},id=0,socket=${d.path},socket-abstract=no`;
      default:
        throw new Error('unreachable: PCI devices are not vdevs');
    }
  });
  const argv = ealArgs({
    filePrefix: opts.filePrefix,
    lcores: opts.lcores,
    memoryMb: opts.memoryMb,
    noPci: pci.length === 0,
    allowPci: pci.map((d) => d.pciAddress),
    vdevs,
    // virtio-user and memif share memory with the peer: one file per segment list.
    singleFileSegments: virtual.length > 0,
  });
  return { argv, vdevs, ports: [...pci, ...virtual].map((device, port) => ({ port, device })) };
}
