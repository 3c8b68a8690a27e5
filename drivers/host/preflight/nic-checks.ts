/**
 * Hardware checks of NIC ports, next to host-checks.ts's ssh-reachable, iommu and nic-present checks:
 * vfio-pci loaded, each port's driver, SR-IOV possible (sriov_totalvfs), switchdev and vDPA where the lab
 * offers vdpa (the hugepages check of local-checks.ts already covers NUMA nodes).
 * A port whose device is absent is `skip` here (the nic check already fails or explains it).
 */
import type { Lab, LabNode, Nic, Port } from '../../../lab/model.ts';
import { DEFAULT_HOST_PATHS, pciDevicePath } from '../host-paths.ts';
import { NIC_CATALOGUE, type NicModel } from '../../../lab/nic-catalogue.ts';
import { readPciFunction } from '../pci-function.ts';
import { fail, pass, skip, type CheckFactory, type PreflightCheck } from './check.ts';

const paths = DEFAULT_HOST_PATHS;
const hwNode = (node: LabNode, lab: Lab): boolean => lab.kind !== 'local' && node.ports.some((p) => p.pci !== undefined);
const modelOf = (nic: Nic): NicModel | undefined => NIC_CATALOGUE.find((m) => m.model === nic.model);

export const vfioPciCheck: PreflightCheck = {
  name: 'vfio-pci',
  appliesTo: (node, lab) => hwNode(node, lab) && node.nics.some((n) => modelOf(n)?.dpdkBinding === 'vfio-pci'),
  async run({ shell }) {
    const r = await shell.exec(['test', '-d', `${paths.sysfsRoot}/module/vfio_pci`]);
    return r.exitCode === 0 ? pass('vfio_pci module loaded') : fail('vfio_pci module not loaded: DPDK cannot take Intel ports and VFs', 'modprobe vfio-pci, and list it in /etc/modules-load.d/');
  },
};

function portChecks(node: LabNode, lab: Lab, make: (nic: Nic, model: NicModel, port: Port & { pci: string }) => PreflightCheck | undefined): PreflightCheck[] {
  if (!hwNode(node, lab)) return [];
  return node.nics.flatMap((nic) => {
    const model = modelOf(nic);
    if (!model) return [];
    return nic.ports.flatMap((p) => (p.pci === undefined ? [] : [make(nic, model, p as Port & { pci: string })].filter((c): c is PreflightCheck => c !== undefined)));
  });
}

async function absent(shell: { exec: (argv: string[]) => Promise<{ exitCode: number | null }> }, pci: string): Promise<boolean> {
  return (await shell.exec(['test', '-e', pciDevicePath(paths, pci)])).exitCode !== 0;
}

export const nicDriverChecks: CheckFactory = {
  name: 'nic-driver',
  checksFor: (node, lab) =>
  portChecks(node, lab, (nic, model, port) => ({
    name: `nic-driver ${nic.name}.${port.name}`,
    appliesTo: () => true,
    async run({ shell }) {
      if (await absent(shell, port.pci)) return skip(`no device at ${port.pci} on ${shell.name}: needs the lab's NIC`);
      const fn = await readPciFunction(shell, paths, port.pci);
      const ok = model.dpdkBinding === 'bifurcated' ? [model.pfKernelDriver] : [model.pfKernelDriver, 'vfio-pci'];
      if (fn.driver !== null && ok.includes(fn.driver)) return pass(`${port.pci} bound to ${fn.driver}, NUMA node ${fn.numaNode ?? 'n/a'}`);
      return fail(`${port.pci} bound to ${fn.driver ?? 'no driver'}, expected ${ok.join(' or ')}`, `load ${model.pfKernelDriver} (modprobe ${model.pfKernelDriver}) and bind the PF to it`);
    },
  })),
};

export const sriovChecks: CheckFactory = {
  name: 'sriov',
  checksFor: (node, lab) =>
  portChecks(node, lab, (nic, model, port) => {
    if (!lab.datapaths.includes('sriov') && !lab.datapaths.includes('vdpa')) return undefined;
    return {
      name: `sriov ${nic.name}.${port.name}`,
      appliesTo: () => (model.capabilities.sriov ? true : `${model.name} has no SR-IOV`),
      async run({ shell }) {
        if (await absent(shell, port.pci)) return skip(`needs a NIC with SR-IOV at ${port.pci}: none on ${shell.name}`);
        const fn = await readPciFunction(shell, paths, port.pci);
        if (!fn.sriov || fn.sriov.totalVfs === 0) return fail(`${port.pci}: no SR-IOV (sriov_totalvfs missing or 0)`, 'enable SR-IOV and VT-d in the BIOS and in the NIC firmware');
        return pass(`${port.pci}: up to ${fn.sriov.totalVfs} VFs (${fn.sriov.numVfs} now, autoprobe ${fn.sriov.driversAutoprobe === false ? 'off' : 'on'})`);
      },
    };
  }),
};

export const vdpaChecks: CheckFactory = {
  name: 'vdpa',
  checksFor: (node, lab) =>
  portChecks(node, lab, (nic, model, port) => {
    if (!lab.datapaths.includes('vdpa')) return undefined;
    return {
      name: `vdpa ${nic.name}.${port.name}`,
      appliesTo: () => (model.capabilities.vdpa && model.capabilities.switchdev ? true : `${model.name} has no vDPA (needs ConnectX-6 Dx/Lx or later)`),
      async run({ shell }) {
        if (await absent(shell, port.pci)) return skip(`needs a vDPA-capable NIC at ${port.pci}: none on ${shell.name}`);
        const dl = await shell.exec(['devlink', '-j', 'dev', 'eswitch', 'show', `pci/${port.pci}`]);
        if (dl.exitCode !== 0) return fail(`devlink dev eswitch show pci/${port.pci} failed (${dl.stderr.trim() || `exit ${dl.exitCode}`})`, 'install iproute2 with devlink, check the firmware');
        const vd = await shell.exec(['vdpa', '-j', 'mgmtdev', 'show']);
        if (vd.exitCode !== 0) return fail(`vdpa mgmtdev show failed (${vd.stderr.trim() || `exit ${vd.exitCode}`})`, 'modprobe vdpa mlx5_vdpa vhost_vdpa virtio_vdpa; iproute2 >= 5.11 has the vdpa tool');
        return pass(`eswitch ${dl.stdout.includes('switchdev') ? 'switchdev' : 'legacy (switched at run time)'}; vdpa tool present`);
      },
    };
  }),
};
