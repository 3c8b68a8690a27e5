/**
 * The preflight check framework: a check looks at one node through its shell and says pass, fail or
 * skip with a detail a person can act on. The checks `wirespeed lab check` runs are listed in checks.ts;
 * a new check is added to that list (docs/lab.md).
 */
import type { Lab, LabNode } from '../../../lab/model.ts';
import type { Shell } from '../../shell/shell.ts';

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

/** Makes the checks of one kind for a node (often none, or one per NIC port). */
export interface CheckFactory {
  /** Short, stable name of the kind (the checks it makes are named `<name> <item>`). */
  readonly name: string;
  checksFor(node: LabNode, lab: Lab): PreflightCheck[];
}

/** An entry of the check list: one check, or a factory of per-item checks. */
export type CheckSource = PreflightCheck | CheckFactory;

/** Helpers for check bodies. */
export const pass = (detail: string): CheckOutcome => ({ status: 'pass', detail });
export const fail = (detail: string): CheckOutcome => ({ status: 'fail', detail });
export const skip = (detail: string): CheckOutcome => ({ status: 'skip', detail });
