/** The resolved topology of a lab, for `wirespeed lab show`. */
import { relative } from 'node:path';
import { formatCpuList } from '../../lab/cpu-list.ts';
import type { Lab, LabNode } from '../../lab/model.ts';
import { terminalSafe, terminalSafeLine } from '../../core/terminal-text.ts';

function shellText(node: LabNode): string {
  const sh = node.config.shell;
  const base =
    sh.kind === 'local'
      ? 'local'
      : `ssh ${sh.user}@${sh.host}:${sh.port} (key ${terminalSafeLine(sh.key)}, host key ${sh.hostKeySha256 ?? `from ${terminalSafeLine(sh.knownHosts ?? '')}`})`;
  return node.netns ? `${base}, netns ${node.netns}` : base;
}

function cpusText(node: LabNode): string {
  const parts: string[] = [];
  if (node.cpus.tg.length) parts.push(`tg ${formatCpuList(node.cpus.tg)}`);
  if (node.cpus.dut.length) parts.push(`dut ${formatCpuList(node.cpus.dut)}`);
  if (node.cpus.isolated.length) parts.push(`isolated ${formatCpuList(node.cpus.isolated)}`);
  parts.push(`NUMA ${node.cpus.numaNode}`);
  return parts.join(', ');
}

/** Human-readable topology. */
export function formatLabTopology(lab: Lab): string {
  const out: string[] = [];
  out.push(`lab ${lab.name} (kind ${lab.kind}) from ${relative(process.cwd(), lab.file) || lab.file}`);
  // The description is free text: its lines are indented, its control characters shown as escapes.
  if (lab.description) out.push(...terminalSafe(lab.description).trimEnd().split('\n').map((l) => `  ${l}`));
  out.push('', 'nodes:');
  for (const n of lab.nodes) {
    out.push(`  ${n.name}  roles: ${n.roles.join(', ')}`);
    out.push(`    shell: ${shellText(n)}`);
    out.push(`    cpus: ${cpusText(n)}`);
    if (n.hugepages) {
      out.push(`    hugepages: ${n.hugepages.count} x ${n.hugepages.sizeKb} kB${n.hugepages.numaNode === undefined ? '' : ` on NUMA ${n.hugepages.numaNode}`}`);
    }
    for (const nic of n.nics) {
      out.push(`    nic ${nic.name}: ${terminalSafeLine(nic.model)}${nic.pciId ? ` [${nic.pciId}]` : ''}`);
      for (const p of nic.ports) {
        const peer = lab.peer({ node: n.name, port: p.name });
        const attrs = [p.pci, p.mac].filter(Boolean).join(' ');
        out.push(`      ${p.name}${attrs ? ` ${attrs}` : ''}${peer ? `  <-> ${peer.node}.${peer.port}` : '  (not linked)'}`);
      }
    }
  }
  out.push('', 'links:');
  if (!lab.links.length) out.push('  (none)');
  for (const l of lab.links) out.push(`  ${l.a.node}.${l.a.port} <-> ${l.b.node}.${l.b.port}`);
  out.push('', `datapaths: ${lab.datapaths.join(', ')}`);
  if (lab.cluster) {
    out.push(terminalSafeLine(`cluster: kubeconfig ${lab.cluster.kubeconfig}${lab.cluster.context ? `, context ${lab.cluster.context}` : ''}, namespace ${lab.cluster.namespace}`));
  }
  return `${out.join('\n')}\n`;
}

/** The same as data. */
export function labTopologyJson(lab: Lab): unknown {
  return {
    name: lab.name,
    kind: lab.kind,
    file: lab.file,
    nodes: lab.nodes.map((n) => ({
      name: n.name,
      roles: n.roles,
      host: n.host,
      shell: n.config.shell,
      netns: n.netns ?? null,
      cpus: n.cpus,
      hugepages: n.hugepages ?? null,
      nics: n.nics,
    })),
    links: lab.links,
    datapaths: lab.datapaths,
    cluster: lab.cluster ?? null,
  };
}
