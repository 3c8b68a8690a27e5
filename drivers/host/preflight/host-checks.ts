/**
 * Checks of hardware nodes: the SSH key and known_hosts files usable, then reachable over SSH (gates: when
 * one fails, the node's other checks are skipped with that reason), IOMMU on, and each NIC port present at
 * its PCI address with the expected vendor:device. None of them applies to the local lab, which has no NIC.
 */
import { dirname } from 'node:path';
import type { Nic, Port } from '../../../lab/model.ts';
import { sshFileIssues } from '../../../lab/validate.ts';
import { nicByPciId, NIC_CATALOGUE } from '../../../lab/nic-catalogue.ts';
import { fail, pass, skip, type CheckFactory, type InventoryCheck, type PreflightCheck } from './check.ts';

/**
 * The node's key and known_hosts files, checked here rather than at load so that `lab check` reports
 * every node (a missing key on one node used to end the command before any check ran).
 */
export const sshFilesCheck: InventoryCheck = {
  name: 'ssh-files',
  gate: true,
  appliesTo: (node) => node.config.shell.kind === 'ssh',
  async inspect({ lab, node }) {
    const shell = node.config.shell;
    if (shell.kind !== 'ssh') return skip('not an ssh node');
    const at = (...rest: (string | number)[]) => ['nodes', lab.config.nodes.indexOf(node.config), ...rest];
    const issues = sshFileIssues(node.config, at, dirname(lab.file));
    if (issues.length) return fail(issues.map((i) => i.message).join('; '), issues.map((i) => i.hint).filter(Boolean).join('; '));
    const hostKey = shell.knownHosts !== undefined ? `known_hosts ${shell.knownHosts}` : 'host key pinned (hostKeySha256)';
    return pass(`key ${shell.key} is a usable private key; ${hostKey}`);
  },
};

export const sshReachableCheck: PreflightCheck = {
  name: 'ssh-reachable',
  gate: true,
  appliesTo: (node) => node.config.shell.kind === 'ssh',
  timeoutMs: 120_000,
  async run({ shell }) {
    const started = performance.now();
    const r = await shell.run(['uname', '-srm']);
    return pass(`${shell.name}: ${r.stdout.trim()} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  },
};

const hasPciPorts = (node: { ports: Port[] }): boolean => node.ports.some((p) => p.pci !== undefined);

export const iommuCheck: PreflightCheck = {
  name: 'iommu',
  appliesTo: (node, lab) => lab.kind !== 'local' && hasPciPorts(node),
  async run({ shell }) {
    const cmdline = (await shell.readFile('/proc/cmdline')).trim();
    const flags = cmdline.split(/\s+/).filter((w) => /^(intel_iommu|amd_iommu|iommu)=/.test(w));
    const groups = await shell.exec(['ls', '/sys/kernel/iommu_groups']);
    const count = groups.exitCode === 0 ? groups.stdout.split('\n').filter(Boolean).length : 0;
    const shown = flags.length ? flags.join(' ') : 'no iommu flags';
    if (count === 0) {
      return fail(
        `no IOMMU groups in /sys/kernel/iommu_groups (kernel command line: ${shown})`,
        'enable VT-d/AMD-Vi in the BIOS, add intel_iommu=on iommu=pt to GRUB_CMDLINE_LINUX and reboot',
      );
    }
    return pass(`${count} IOMMU groups; kernel command line: ${shown}`);
  },
};

/** The vendor:device a port should show: the NIC's pciId, else the catalogue model's PF id. */
function expectedPciId(nic: Nic): string | undefined {
  return nic.pciId ?? NIC_CATALOGUE.find((m) => m.model === nic.model)?.pfPciId;
}

/** One check per NIC port with a PCI address: the device is there and is the model the inventory says. */
export const nicPresentChecks: CheckFactory = {
  name: 'nic',
  checksFor: (node, lab) =>
  lab.kind === 'local'
    ? []
    : node.nics.flatMap((nic) =>
        nic.ports
          .filter((p) => p.pci !== undefined)
          .map(
            (port): PreflightCheck => ({
              name: `nic ${nic.name}.${port.name}`,
              appliesTo: () => true,
              async run({ shell }) {
                const dev = `/sys/bus/pci/devices/${port.pci}`;
                const r = await shell.exec(['cat', `${dev}/vendor`, `${dev}/device`]);
                if (r.exitCode !== 0) {
                  return fail(`no PCI device at ${port.pci}`, 'list the Ethernet devices with `lspci -D -d ::0200` and fix the inventory');
                }
                const [vendor, device] = r.stdout.trim().split('\n').map((s) => s.trim().replace(/^0x/, ''));
                const found = `${vendor}:${device}`;
                const want = expectedPciId(nic);
                const known = nicByPciId(found);
                const what = known ? ` (${known.model.name}${known.function === 'vf' ? ' VF' : ''})` : '';
                if (want === undefined) return pass(`${port.pci} is ${found}${what}`);
                if (found !== want) {
                  return fail(`${port.pci} is ${found}${what}, but ${nic.model}${nic.pciId ? ` (pciId ${nic.pciId})` : ''} should be ${want}`, 'check the address or the model in the inventory');
                }
                return pass(`${port.pci} is ${found}${what}`);
              },
            }),
          ),
      ),
};
