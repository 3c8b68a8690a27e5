/** `wirespeed lab check` (preflight on every node) and `wirespeed lab show` (the resolved topology). */
import { nodeShells } from '../../drivers/shell/node-shells.ts';
import { relative } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { loadLab, LOCAL_LAB_PATH } from '../../lab/load.ts';
import type { CheckResult } from '../../drivers/host/preflight/check.ts';
import { runLabChecks, runPreflight } from '../../drivers/host/preflight/run.ts';
import { formatLabTopology, labTopologyJson } from './lab-show.ts';
import { terminalSafeLine } from '../../core/terminal-text.ts';

interface LabArgs {
  lab: string;
  json: boolean;
}

const labOptions = <T>(y: Argv<T>): Argv<T & LabArgs> =>
  y
    .option('lab', { type: 'string', default: relative(process.cwd(), LOCAL_LAB_PATH) || LOCAL_LAB_PATH, describe: 'lab inventory file' })
    .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' });

/** A plain table: columns padded to their widest cell, the last one free. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/** The people's view of check results, with a summary line. */
export function formatChecks(labName: string, results: readonly CheckResult[]): string {
  // Details quote remote output and inventory fields: one line each, control characters escaped.
  const rows = [
    ['NODE', 'CHECK', 'STATUS', 'DETAIL'],
    ...results.map((r) => [r.node ?? '(lab)', terminalSafeLine(r.name), r.status.toUpperCase(), terminalSafeLine(r.hint === undefined ? r.detail : `${r.detail} — ${r.hint}`)]),
  ];
  const count = (s: string): number => results.filter((r) => r.status === s).length;
  const failed = count('fail');
  return `${formatTable(rows)}\n\nlab ${labName}: ${results.length} checks, ${count('pass')} pass, ${failed} fail, ${count('skip')} skip${failed ? ' — not ready' : ' — ready'}\n`;
}

const checkCommand: CommandModule<object, LabArgs> = {
  command: 'check',
  describe: 'run preflight checks on every node of a lab; exit 0 only when none fails',
  builder: labOptions,
  handler: async (argv) => {
    // Key and known_hosts files are checks of their nodes (ssh-files), the kubeconfig and manifests checks
    // of the lab, not load errors: one missing file must not hide what the other checks would say.
    const lab = await loadLab(argv.lab, { checkFiles: false });
    const shells = nodeShells(lab);
    try {
      const [labChecks, nodeChecks] = await Promise.all([runLabChecks(lab), runPreflight(lab, (node) => shells.of(node))]);
      const checks = [...labChecks, ...nodeChecks];
      process.stdout.write(argv.json ? `${JSON.stringify({ lab: lab.name, checks })}\n` : formatChecks(lab.name, checks));
      // A failed check is a lab problem (exit 3, see README).
      process.exitCode = checks.some((c) => c.status === 'fail') ? 3 : 0;
    } finally {
      await shells.close();
    }
  },
};

const showCommand: CommandModule<object, LabArgs> = {
  command: 'show',
  describe: 'print the resolved lab topology: nodes, roles, shells, CPUs, NICs and ports, links',
  builder: labOptions,
  handler: async (argv) => {
    // Showing needs no key files: an example inventory shows before its keys exist.
    const lab = await loadLab(argv.lab, { checkFiles: false });
    process.stdout.write(argv.json ? `${JSON.stringify(labTopologyJson(lab), null, 2)}\n` : formatLabTopology(lab));
  },
};

export const labCommand: CommandModule = {
  command: 'lab <command>',
  describe: 'check or show a lab inventory',
  builder: (y) => y.command(checkCommand).command(showCommand).demandCommand(1, 'name a lab command: check or show'),
  handler: () => {},
};
