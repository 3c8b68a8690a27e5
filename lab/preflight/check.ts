/**
 * The preflight check framework: a check looks at one node through its shell and says pass, fail or
 * skip with a detail a person can act on. Other areas add checks with `registerCheck` (see registry.ts
 * and docs/lab.md), e.g. SR-IOV and vDPA readiness from drivers/host/.
 */
import type { Shell } from '../../drivers/shell/shell.ts';
import type { Lab, LabNode } from '../model.ts';

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckOutcome {
  status: CheckStatus;
  detail: string;
}

/** One line of `wirespeed lab check` (and of its --json output). */
export interface CheckResult {
  node: string;
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface CheckContext {
  lab: Lab;
  node: LabNode;
  /** The node's shell (inside its netns if it has one). */
  shell: Shell;
  /** Nodes on the same host as this one (itself included): they share CPUs and hugepages. */
  hostNodes: LabNode[];
}

export interface PreflightCheck {
  /** Short, stable name (kebab-case); per-item checks may add the item, e.g. `nic nic0.p0`. */
  name: string;
  /**
   * Whether the check belongs on this node: true to run it; a string to list it as `skip` with that
   * reason; false to leave it out (e.g. a NIC check on the local lab, which has no NIC).
   */
  appliesTo(node: LabNode, lab: Lab): boolean | string;
  run(ctx: CheckContext): Promise<CheckOutcome>;
  /** When a gate check fails, the node's remaining checks are skipped (e.g. SSH unreachable). */
  gate?: boolean;
  /** Give up after this long (default 30 s): the check then fails with "timed out". */
  timeoutMs?: number;
}

/** Helpers for check bodies. */
export const pass = (detail: string): CheckOutcome => ({ status: 'pass', detail });
export const fail = (detail: string): CheckOutcome => ({ status: 'fail', detail });
export const skip = (detail: string): CheckOutcome => ({ status: 'skip', detail });
