/**
 * The hugepage budget of a local datapath, checked before anything starts: a DPDK process that finds
 * too few free pages fails deep inside EAL with a message that does not say who took them.
 */
import { ProvisionError } from '../../../core/errors.ts';
import type { Shell } from '../../shell/shell.ts';

const HP_2M = '/sys/kernel/mm/hugepages/hugepages-2048kB';

export interface HugepageNeed {
  /** Who needs how much, e.g. { 'l3fwd (dut)': 256, generator: 256 }. */
  readonly byRoleMb: Readonly<Record<string, number>>;
}

/** Free and total 2 MB hugepages on the node of `shell`. */
export async function hugepages2m(shell: Shell): Promise<{ free: number; total: number }> {
  const r = await shell.run(['cat', `${HP_2M}/free_hugepages`, `${HP_2M}/nr_hugepages`], { timeoutMs: 10_000 });
  const [free, total] = r.stdout.trim().split(/\s+/).map(Number);
  if (free === undefined || total === undefined || !Number.isInteger(free) || !Number.isInteger(total)) {
    throw new ProvisionError(`cannot read the 2 MB hugepage counters: ${JSON.stringify(r.stdout)}`, { where: shell.name });
  }
  return { free, total };
}

/** Throws ProvisionError when fewer 2 MB pages are free than the roles need together. */
export async function checkHugepageBudget(shell: Shell, need: HugepageNeed, what: string): Promise<void> {
  const pages = Object.values(need.byRoleMb).reduce((s, mb) => s + Math.ceil(mb / 2), 0);
  const { free, total } = await hugepages2m(shell);
  if (free < pages) {
    const parts = Object.entries(need.byRoleMb)
      .map(([role, mb]) => `${role} ${mb} MB`)
      .join(', ');
    throw new ProvisionError(`${what} needs ${pages} free 2 MB hugepages (${parts}), but only ${free} of ${total} are free`, {
      where: shell.name,
      hint: 'other DPDK processes hold the rest (ls /dev/hugepages shows their <prefix>map_* files); stop them, remove files of dead ones, or raise WIRESPEED_HUGEPAGES and run `npm run setup`',
    });
  }
}
