/**
 * The list of preflight checks. Built-in checks register from local-checks.ts and host-checks.ts; other
 * areas register theirs from their own module and add one import line to lab/preflight/index.ts.
 * A check may also expand into several (one per NIC port): register a factory with `registerChecks`.
 */
import type { Lab, LabNode } from '../model.ts';
import type { PreflightCheck } from './check.ts';

/** Makes the checks of one kind for a node (often none, or one per NIC port). */
export type CheckFactory = (node: LabNode, lab: Lab) => PreflightCheck[];

const entries: { name: string; factory: CheckFactory }[] = [];

/** Add a check that every `lab check` considers, in registration order. Names are unique. */
export function registerCheck(check: PreflightCheck): void {
  registerChecks(check.name, () => [check]);
}

/** Add a factory that makes checks per node (e.g. one per NIC port), under a unique name. */
export function registerChecks(name: string, factory: CheckFactory): void {
  if (entries.some((e) => e.name === name)) throw new Error(`preflight check ${name} registered twice`);
  entries.push({ name, factory });
}

/** Names of everything registered, in order. */
export function registeredChecks(): string[] {
  return entries.map((e) => e.name);
}

/** The checks for one node: gates first, then registration order. */
export function checksFor(node: LabNode, lab: Lab): PreflightCheck[] {
  const all = entries.flatMap((e) => e.factory(node, lab));
  return [...all.filter((c) => c.gate), ...all.filter((c) => !c.gate)];
}
