/**
 * `wirespeed lab check` checks for hardware nodes: IOMMU, vfio-pci, each NIC port present with the catalogue's
 * id and driver, SR-IOV possible (sriov_totalvfs), switchdev/vDPA where the lab offers vdpa, hugepages per
 * NUMA node. A check that needs a device the node does not have says `skip` with the reason when the node is
 * not expected to carry hardware (this machine), `fail` on a hardware node.
 */
import { quoteArg } from '../shell/quote.ts';
import type { Shell } from '../shell/shell.ts';
import type { LabNode } from '../../lab/model.ts';
import type { DatapathKind } from '../../lab/schema.ts';
import { DEFAULT_HOST_PATHS, pciDevicePath, type HostPaths } from './host-paths.ts';
import { nicModel, type NicModel } from './nic-catalogue.ts';
import { parseCmdline, parseHugepagesPerNode } from './parse-system.ts';
import { readPciFunction } from './pci-function.ts';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface HardwareCheckResult {
  /** Stable id: host.iommu, host.vfio-pci, nic.present, nic.driver, nic.sriov, nic.switchdev, nic.vdpa, host.hugepages. */
  readonly id: string;
  /** node or node.port */
  readonly subject: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly hint?: string;
}

export interface HardwareCheckContext {
  readonly node: Pick<LabNode, 'name' | 'nics' | 'hugepages'>;
  readonly shell: Shell;
  readonly datapaths: readonly DatapathKind[];
  readonly paths?: HostPaths;
  /**
   * False when the node cannot carry the NICs (the local machine running checks on an example inventory):
   * missing devices are then `skip` with the reason instead of `fail`.
   */
  readonly hardwareExpected: boolean;
}

/** Does this node describe PCI hardware (any port with a PCI address)? */
export function isHardwareNode(node: Pick<LabNode, 'nics'>): boolean {
  return node.nics.some((n) => n.model !== 'virtual' && n.ports.some((p) => p.pci !== undefined));
}

/** Run every hardware check for one node; never throws for a check's own failure. */
export async function runHardwareChecks(ctx: HardwareCheckContext): Promise<HardwareCheckResult[]> {
  const paths = ctx.paths ?? DEFAULT_HOST_PATHS;
  const { shell, node } = ctx;
  const out: HardwareCheckResult[] = [];
  const add = (r: HardwareCheckResult) => out.push(r);
  const missing = (id: string, subject: string, what: string, hint: string): HardwareCheckResult =>
    ctx.hardwareExpected
      ? { id, subject, status: 'fail', detail: what, hint }
      : { id, subject, status: 'skip', detail: `${what}: needs the lab's hardware, none on ${shell.name}` };
  if (!isHardwareNode(node)) return out;

  // IOMMU: requested on the command line and groups present
  try {
    const cmdline = parseCmdline(await shell.readFile(`${paths.procRoot}/cmdline`));
    const groups = await shell.exec({ script: `ls ${quoteArg(paths.sysfsRoot + '/kernel/iommu_groups')} 2>/dev/null | head -1` });
    const active = groups.stdout.trim() !== '';
    if (active) add({ id: 'host.iommu', subject: node.name, status: 'pass', detail: `IOMMU groups present${cmdline.iommuPassthrough ? ', iommu=pt' : ''}` });
    else
      add(missing('host.iommu', node.name, `no IOMMU groups (cmdline: ${cmdline.intelIommu ? `intel_iommu=${cmdline.intelIommu}` : 'no intel_iommu/amd_iommu'})`,
        'enable VT-d/AMD-Vi in the BIOS and add intel_iommu=on iommu=pt to the kernel command line; vfio-pci needs it'));
  } catch (e) {
    add({ id: 'host.iommu', subject: node.name, status: 'fail', detail: errText(e) });
  }

  const vfio = await shell.exec(['test', '-d', `${paths.sysfsRoot}/module/vfio_pci`]);
  if (vfio.exitCode === 0) add({ id: 'host.vfio-pci', subject: node.name, status: 'pass', detail: 'vfio_pci module loaded' });
  else add(missing('host.vfio-pci', node.name, 'vfio_pci module not loaded', 'modprobe vfio-pci (and add it to /etc/modules-load.d)'));

  for (const nic of node.nics) {
    if (nic.model === 'virtual') continue;
    let model: NicModel | undefined;
    try {
      model = nicModel(nic.model);
    } catch (e) {
      add({ id: 'nic.present', subject: `${node.name}.${nic.name}`, status: 'fail', detail: errText(e) });
      continue;
    }
    const wantId = nic.pciId ?? model.pfPciId;
    for (const port of nic.ports) {
      const subject = `${node.name}.${port.name}`;
      if (!port.pci) continue;
      const exists = await shell.exec(['test', '-e', pciDevicePath(paths, port.pci)]);
      if (exists.exitCode !== 0) {
        add(missing('nic.present', subject, `PCI device ${port.pci} (${model.name}) not found`, `check the address with lspci -Dnn | grep ${wantId}`));
        for (const id of ['nic.driver', 'nic.sriov']) add({ id, subject, status: 'skip', detail: `device ${port.pci} absent` });
        continue;
      }
      const fn = await readPciFunction(shell, paths, port.pci);
      if (fn.pciId !== wantId) {
        add({ id: 'nic.present', subject, status: 'fail', detail: `${port.pci} is ${fn.pciId}, the inventory says ${nic.model} (${wantId})`, hint: 'fix the model or the PCI address in the inventory' });
        continue;
      }
      add({ id: 'nic.present', subject, status: 'pass', detail: `${port.pci} ${wantId} (${model.model}), NUMA node ${fn.numaNode ?? 'n/a'}` });
      const okDrivers = model.dpdkBinding === 'bifurcated' ? [model.pfKernelDriver] : [model.pfKernelDriver, 'vfio-pci'];
      add(fn.driver !== null && okDrivers.includes(fn.driver)
        ? { id: 'nic.driver', subject, status: 'pass', detail: `bound to ${fn.driver}` }
        : { id: 'nic.driver', subject, status: 'fail', detail: `bound to ${fn.driver ?? 'no driver'}, expected ${okDrivers.join(' or ')}`, hint: `load ${model.pfKernelDriver} and bind the PF to it` });
      add(fn.sriov && fn.sriov.totalVfs > 0
        ? { id: 'nic.sriov', subject, status: 'pass', detail: `sriov_totalvfs ${fn.sriov.totalVfs}, ${fn.sriov.numVfs} VFs now` }
        : { id: 'nic.sriov', subject, status: ctx.datapaths.includes('sriov') ? 'fail' : 'warn', detail: 'no SR-IOV (sriov_totalvfs missing or 0)', hint: 'enable SR-IOV in the BIOS and NIC firmware' });
      if (ctx.datapaths.includes('vdpa')) {
        if (!model.capabilities.switchdev || !model.capabilities.vdpa) {
          add({ id: 'nic.vdpa', subject, status: 'fail', detail: `${model.name} has no vDPA support`, hint: 'vDPA needs ConnectX-6 Dx/Lx or later' });
          continue;
        }
        const dl = await shell.exec(['devlink', '-j', 'dev', 'eswitch', 'show', `pci/${port.pci}`]);
        add(dl.exitCode === 0
          ? { id: 'nic.switchdev', subject, status: 'pass', detail: `devlink eswitch answers (${dl.stdout.includes('switchdev') ? 'switchdev' : 'legacy'} now)` }
          : { id: 'nic.switchdev', subject, status: 'fail', detail: `devlink eswitch show failed: ${dl.stderr.trim() || `exit ${dl.exitCode}`}`, hint: 'install iproute2 devlink; check the mlx5 firmware' });
        const vd = await shell.exec(['vdpa', '-j', 'mgmtdev', 'show']);
        add(vd.exitCode === 0
          ? { id: 'nic.vdpa', subject, status: 'pass', detail: 'vdpa tool and vdpa bus available' }
          : { id: 'nic.vdpa', subject, status: 'fail', detail: `vdpa mgmtdev show failed: ${vd.stderr.trim() || `exit ${vd.exitCode}`}`, hint: 'modprobe vdpa mlx5_vdpa vhost_vdpa; iproute2 >= 5.11 has the vdpa tool' });
      }
    }
  }

  const hp = node.hugepages;
  if (hp) {
    const sys = quoteArg(paths.sysfsRoot);
    const r = await shell.exec({ script: `grep -H . ${sys}/devices/system/node/node*/hugepages/hugepages-*kB/nr_hugepages 2>/dev/null || true` });
    try {
      const counts = parseHugepagesPerNode(r.stdout).filter((c) => c.sizeKb === hp.sizeKb && (hp.numaNode === undefined || c.numaNode === hp.numaNode));
      const total = counts.reduce((s, c) => s + c.total, 0);
      const where = hp.numaNode === undefined ? 'all nodes' : `NUMA node ${hp.numaNode}`;
      if (counts.length === 0) add(missing('host.hugepages', node.name, `no ${hp.sizeKb} kB hugepage pool on ${where}`, `reserve them: hugepagesz=${hp.sizeKb === 2048 ? '2M' : '1G'} hugepages=${hp.count}`));
      else if (total >= hp.count) add({ id: 'host.hugepages', subject: node.name, status: 'pass', detail: `${total} x ${hp.sizeKb} kB on ${where} (need ${hp.count})` });
      else add({ id: 'host.hugepages', subject: node.name, status: 'fail', detail: `${total} x ${hp.sizeKb} kB on ${where}, need ${hp.count}`, hint: 'reserve more at boot (hugepages=) or write nr_hugepages' });
    } catch (e) {
      add({ id: 'host.hugepages', subject: node.name, status: 'fail', detail: errText(e) });
    }
  }
  return out;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
