/**
 * The preflight check framework: a check looks at one node through its shell (or, a lab check, at the lab
 * as a whole: its cluster) and says pass, fail or skip with a detail a person can act on. The checks
 * `wirespeed lab check` runs are listed in checks.ts; a new check is added to that list (docs/lab.md).
 */
import type { Lab, LabNode } from '../../../lab/model.ts';
import type { Shell } from '../../shell/shell.ts';
import type { HostPaths } from '../host-paths.ts';

export type CheckStatus = 'pass' | 'fail' | 'skip';

/** What a check found: `detail` says what (for a skip: why it did not run); a failure may add what to do. */
export interface CheckOutcome {
  status: CheckStatus;
  detail: string;
  hint?: string;
}

/** One line of `wirespeed lab check` (and of its --json output). */
export interface CheckResult {
  /** The node checked; null for a check of the lab as a whole (its cluster's kubeconfig, say). */
  node: string | null;
  name: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
}

export interface CheckContext {
  lab: Lab;
  node: LabNode;
  /** The node's shell (inside its netns if it has one). */
  shell: Shell;
  /** Nodes on the same host as this one (itself included): they share CPUs and hugepages. */
  hostNodes: LabNode[];
  /** Where the node's sysfs and procfs are (tests point them at a fake tree). */
  paths: HostPaths;
}

/** A check that looks at the node through its shell (most of them). */
export interface NodeCheck extends CheckBase {
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

/**
 * A check of what must hold before the node's shell can be opened (its key file, say): it reads the
 * inventory and this machine only, so it runs, and can fail as a gate, when the shell could not open.
 */
export interface InventoryCheck extends CheckBase {
  inspect(ctx: Omit<CheckContext, 'shell'>): Promise<CheckOutcome>;
}

export type PreflightCheck = NodeCheck | InventoryCheck;

interface CheckBase {
  /** Short, stable name (kebab-case); per-item checks may add the item, e.g. `nic nic0.p0`. */
  name: string;
  /**
   * Whether the check belongs on this node: true to run it; a string to list it as `skip` with that
   * reason; false to leave it out (e.g. a NIC check on the local lab, which has no NIC).
   */
  appliesTo(node: LabNode, lab: Lab): boolean | string;
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

/**
 * A check of the lab as a whole rather than of one node (a Kubernetes lab's kubeconfig, its API server,
 * its release manifests). It runs no command on a node; its result has `node: null`.
 */
export interface LabCheck {
  /** Short, stable name (kebab-case); per-item checks add the item, e.g. `manifests multus`. */
  name: string;
  /** As for node checks: true to run it, a string to list it as `skip` with that reason, false to leave it out. */
  appliesTo(lab: Lab): boolean | string;
  /** When a gate fails, the lab's remaining lab checks are skipped with that reason. */
  gate?: boolean;
  /** Give up after this long (default 30 s): the check then fails with "timed out". */
  timeoutMs?: number;
  inspect(lab: Lab): Promise<CheckOutcome>;
}

/** Makes lab checks per item (one per release bundle, say). */
export interface LabCheckFactory {
  readonly name: string;
  checksFor(lab: Lab): LabCheck[];
}

export type LabCheckSource = LabCheck | LabCheckFactory;

/** Helpers for check bodies. */
export const pass = (detail: string): CheckOutcome => ({ status: 'pass', detail });
/** A failure says what is wrong (`detail`) and what to do about it (`hint`): both, always. */
export const fail = (detail: string, hint: string): CheckOutcome => ({ status: 'fail', detail, hint });
export const skip = (detail: string): CheckOutcome => ({ status: 'skip', detail });
