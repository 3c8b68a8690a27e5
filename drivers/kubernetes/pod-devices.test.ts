import { expect, test } from '@playwright/test';
import { ProvisionError } from '../../core/errors.ts';
import { NETWORK_STATUS_ANNOTATION } from './conditions.ts';
import type { KubeObject } from './kube-object.ts';
import { parseNetworkStatus } from './network-status.ts';
import { podDevices, podEal } from './pod-devices.ts';
import { parseUserspaceConfig } from './userspace-config.ts';

const pod = (annotation: string | undefined): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'dut', namespace: 'wsp', ...(annotation === undefined ? {} : { annotations: { [NETWORK_STATUS_ANNOTATION]: annotation } }) },
});

// Shapes as Multus writes them (driver-formats §7.1): default network first, secondaries "ns/nad".
const SRIOV = JSON.stringify([
  { name: 'k8s-pod-network', ips: ['10.1.17.141'], default: true, dns: {} },
  { name: 'wsp/sriov-vfio', interface: 'net1', mac: '26:e4:aa:f4:ce:ba', dns: {}, 'device-info': { type: 'pci', version: '1.1.0', pci: { 'pci-address': '0000:3b:02.1' } } },
  { name: 'wsp/sriov-vfio', interface: 'net2', mac: '26:e4:aa:f4:ce:bb', dns: {}, 'device-info': { type: 'pci', version: '1.1.0', pci: { 'pci-address': '0000:3b:02.0', 'pf-pci-address': '0000:3b:00.0' } } },
]);
const VHOST = JSON.stringify([
  { name: 'cbr0', interface: 'eth0', ips: ['10.244.0.5'], default: true },
  { name: 'wsp/vhost-a', interface: 'net1', 'device-info': { type: 'vhost-user', version: '1.1.0', 'vhost-user': { mode: 'server', path: '/var/lib/cni/usrspcni/3f2a-net1' } } },
]);
const MEMIF = JSON.stringify([
  { name: 'cbr0', interface: 'eth0', default: true },
  { name: 'wsp/memif-a', interface: 'net1', 'device-info': { type: 'memif', version: '1.1.0', memif: { role: 'slave', mode: 'ethernet', path: '/var/lib/cni/usrspcni/memif-3f2a-net1.sock' } } },
]);

const eal = { filePrefix: 'wsp-r1-dut', lcores: [4, 5, 6], memoryMb: 1024 };

test('SR-IOV (vfio-pci): each VF from network-status is allowed by PCI address, ports in bus order', () => {
  const devs = podDevices('wsp/dut', parseNetworkStatus(pod(SRIOV)), [
    { network: 'wsp/sriov-vfio', interface: 'net1', expect: 'pci' },
    { network: 'wsp/sriov-vfio', interface: 'net2', expect: 'pci' },
  ]);
  expect(devs.map((d) => d.kind === 'pci' && d.pciAddress)).toEqual(['0000:3b:02.1', '0000:3b:02.0']);
  const r = podEal(devs, eal);
  expect(r.argv).toEqual(['--file-prefix=wsp-r1-dut', '--lcores=0@4,1@5,2@6', '-m', '1024', '-a', '0000:3b:02.0', '-a', '0000:3b:02.1']);
  // DPDK probes PCI in bus order: port 0 is 02.0 even though net1 is 02.1.
  expect(r.ports.map((p) => [p.port, p.device.kind === 'pci' && p.device.pciAddress])).toEqual([[0, '0000:3b:02.0'], [1, '0000:3b:02.1']]);
});

test('vhost-user: a virtio_user vdev on the socket, server=1 when the pod side is the vhost server', () => {
  const devs = podDevices('wsp/dut', parseNetworkStatus(pod(VHOST)), [{ network: 'wsp/vhost-a', expect: 'vhost-user' }]);
  const r = podEal(devs, eal);
  expect(r.argv).toContain('--no-pci');
  expect(r.argv).toContain('--single-file-segments');
  expect(r.argv[r.argv.indexOf('--vdev') + 1]).toBe('net_virtio_user0,path=/var/lib/cni/usrspcni/3f2a-net1,queues=1,queue_size=1024,server=1');
});

test('memif: slave in device-info is the DPDK client role, with a filesystem socket', () => {
  const devs = podDevices('wsp/dut', parseNetworkStatus(pod(MEMIF)), [{ network: 'wsp/memif-a', expect: 'memif' }]);
  const r = podEal(devs, eal);
  expect(r.argv[r.argv.indexOf('--vdev') + 1]).toBe('net_memif0,role=client,id=0,socket=/var/lib/cni/usrspcni/memif-3f2a-net1.sock,socket-abstract=no');
});

test('bad input from the cluster gives errors naming the pod and what is wrong', () => {
  const err = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(ProvisionError);
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };
  expect(err(() => parseNetworkStatus(pod(undefined)))).toMatch(/pod wsp\/dut: the pod has no k8s\.v1\.cni\.cncf\.io\/network-status annotation[\s\S]*hint: Multus/);
  expect(err(() => parseNetworkStatus(pod('[{"name": "wsp/x", ')))).toMatch(/pod wsp\/dut: k8s\.v1\.cni\.cncf\.io\/network-status is not valid JSON/);
  expect(err(() => parseNetworkStatus(pod(JSON.stringify([{ name: 'wsp/x', 'device-info': { type: 'pci', version: '1.1.0', pci: { 'pci-address': 'eth0' } } }]))))).toMatch(/unexpected shape at \[0\.device-info\.pci\.pci-address\]/);
  // A memif attachment where the scenario asked for an SR-IOV VF.
  expect(err(() => podDevices('wsp/dut', parseNetworkStatus(pod(MEMIF)), [{ network: 'wsp/memif-a', expect: 'pci' }]))).toMatch(/network wsp\/memif-a: device-info is of type memif, expected a PCI device/);
  expect(err(() => podDevices('wsp/dut', parseNetworkStatus(pod(MEMIF)), [{ network: 'wsp/other', expect: 'memif' }]))).toMatch(/no entry for wsp\/other \(it lists cbr0, wsp\/memif-a\)/);
  const vdpaVirtio = JSON.stringify([{ name: 'wsp/v', interface: 'net1', 'device-info': { type: 'vdpa', version: '1.1.0', vdpa: { driver: 'virtio', 'pci-address': '0000:65:00.2' } } }]);
  expect(err(() => podDevices('wsp/dut', parseNetworkStatus(pod(vdpaVirtio)), [{ network: 'wsp/v', expect: 'vdpa' }]))).toMatch(/virtio driver: it is a kernel netdev[\s\S]*vdpaType: vhost/);
});

test('vDPA (vhost-vdpa): a virtio_user vdev on the /dev/vhost-vdpa-N device network-status reports', () => {
  const status = JSON.stringify([{ name: 'wsp/vdpa-net', interface: 'net1', mac: 'b8:3f:d2:e4:ab:86', 'device-info': { type: 'vdpa', version: '1.1.0', vdpa: { 'parent-device': 'vdpa:0000:65:00.2', driver: 'vhost', path: '/dev/vhost-vdpa-1', 'pci-address': '0000:65:00.2', 'pf-pci-address': '0000:65:00.0' } } }]);
  const r = podEal(podDevices('wsp/dut', parseNetworkStatus(pod(status)), [{ network: 'wsp/vdpa-net', expect: 'vdpa' }]), eal);
  expect(r.argv.slice(r.argv.indexOf('--vdev'), r.argv.indexOf('--vdev') + 2)).toEqual(['--vdev', 'net_virtio_user0,path=/dev/vhost-vdpa-1,queues=1']);
});

test('userspace CNI: no device-info, the socket and its side come from userspace/configuration-data and mapped-dir', () => {
  const status = JSON.stringify([{ name: 'cbr0', interface: 'eth0', default: true }, { name: 'wsp/vhost-a', interface: 'net1', dns: {} }, { name: 'wsp/memif-a', interface: 'net2', dns: {} }]);
  const config = JSON.stringify([
    { containerId: '5b8348d85ad9ca28', ifName: 'net1', name: 'vhost-a', config: { engine: 'ovs-dpdk', iftype: 'vhostuser', netType: 'interface', vhost: { mode: 'server', socketfile: '5b8348d85ad9-net1' } }, ipResult: {} },
    { containerId: '5b8348d85ad9ca28', ifName: 'net2', name: 'memif-a', config: { engine: 'vpp', iftype: 'memif', netType: 'interface', memif: { role: 'slave', mode: 'ethernet', socketfile: 'memif-5b8348d85ad9-net2.sock' } } },
  ]);
  const p: KubeObject = { ...pod(status), metadata: { name: 'dut', namespace: 'wsp', annotations: { [NETWORK_STATUS_ANNOTATION]: status, 'userspace/configuration-data': config, 'userspace/mapped-dir': '/var/lib/cni/usrspcni/' } } };
  const devs = podDevices('wsp/dut', parseNetworkStatus(p), [
    { network: 'wsp/vhost-a', interface: 'net1', expect: 'vhost-user' },
    { network: 'wsp/memif-a', interface: 'net2', expect: 'memif' },
  ], parseUserspaceConfig(p));
  expect(devs).toEqual([
    { kind: 'vhost-user', network: 'wsp/vhost-a', interface: 'net1', path: '/var/lib/cni/usrspcni/5b8348d85ad9-net1', podIsServer: true },
    { kind: 'memif', network: 'wsp/memif-a', interface: 'net2', path: '/var/lib/cni/usrspcni/memif-5b8348d85ad9-net2.sock', role: 'client' },
  ]);
  expect(podEal(devs, { ...eal, queueSize: 4096 }).vdevs[0]).toBe('net_virtio_user0,path=/var/lib/cni/usrspcni/5b8348d85ad9-net1,queues=1,queue_size=4096,server=1');
  // Without the annotation (no kubeconfig in the NAD, or no shared-dir volume) the pod cannot know its socket.
  expect(() => podDevices('wsp/dut', parseNetworkStatus(pod(status)), [{ network: 'wsp/vhost-a', interface: 'net1', expect: 'vhost-user' }], [])).toThrow(
    /no device-info in network-status and no userspace CNI configuration data for net1[\s\S]*hint: the userspace CNI writes userspace\/configuration-data only with a kubeconfig in the NAD and the pod volume named shared-dir/,
  );
  expect(() => parseUserspaceConfig({ ...p, metadata: { ...p.metadata, annotations: { 'userspace/configuration-data': '[{"ifName": "net1"}]' } } })).toThrow(/pod wsp\/dut: userspace\/configuration-data has an unexpected shape at \[0\.containerId\]/);
});
