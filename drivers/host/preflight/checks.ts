/**
 * The checks `wirespeed lab check` runs, in this order (gates first: see run.ts). The list is explicit: a
 * new check is written beside these and added here, never registered as a side effect of an import.
 */
import type { CheckSource, LabCheckSource } from './check.ts';
import { clusterApiCheck, kubeconfigCheck, manifestChecks } from './cluster-checks.ts';
import { cpuIsolationCheck, governorCheck, nicNumaChecks } from './host-fact-checks.ts';
import { iommuCheck, nicPresentChecks, sshFilesCheck, sshReachableCheck } from './host-checks.ts';
import { cpusCheck, dpdkRuntimeCheck, hugepagesCheck, hugetlbfsCheck, libdpdkCheck, netnsCheck, rootCheck } from './local-checks.ts';
import { nicDriverChecks, sriovChecks, vdpaChecks, vfioPciCheck } from './nic-checks.ts';

export const PREFLIGHT_CHECKS: readonly CheckSource[] = [
  // every node, and the local lab's runtime
  rootCheck,
  dpdkRuntimeCheck,
  libdpdkCheck,
  hugepagesCheck,
  hugetlbfsCheck,
  netnsCheck,
  cpusCheck,
  // hardware nodes
  sshFilesCheck,
  sshReachableCheck,
  iommuCheck,
  nicPresentChecks,
  // host facts against what the inventory pins
  cpuIsolationCheck,
  governorCheck,
  nicNumaChecks,
  vfioPciCheck,
  nicDriverChecks,
  sriovChecks,
  vdpaChecks,
];

/** The checks of the lab as a whole, before the nodes' (a Kubernetes lab's cluster: see cluster-checks.ts). */
export const LAB_CHECKS: readonly LabCheckSource[] = [kubeconfigCheck, clusterApiCheck, manifestChecks];
