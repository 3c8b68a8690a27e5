/**
 * What a scenario needs of a lab, as a typed union (STYLE: suites declare what they need and are skipped
 * with that reason on a lab that lacks it), and what each datapath needs beyond being offered by the lab.
 * Checked against the lab's facts before anything starts.
 */
import type { DatapathKind } from '../../../lab/schema.ts';
import type { LabFacts } from './lab-facts.ts';

/** A requirement of a scenario on the lab. */
export type Capability =
  | { readonly kind: 'sriov' }
  /** DPDK owns a physical function: a bare-metal host with a NIC (not a local lab, not a pod). */
  | { readonly kind: 'physical-nic' }
  | { readonly kind: 'vdpa' }
  /** OVS-DPDK: the lab offers vhost-user-ovs. */
  | { readonly kind: 'ovs' }
  | { readonly kind: 'two-links' }
  | { readonly kind: 'kubernetes' }
  /** At least this many CPUs for polling processes. */
  | { readonly kind: 'cores'; readonly atLeast: number }
  /** The lab lists this datapath. */
  | { readonly kind: 'datapath'; readonly datapath: DatapathKind };

/** Shorthands for `test.use({ requires: [...] })`. */
export const need = {
  sriov: { kind: 'sriov' },
  physicalNic: { kind: 'physical-nic' },
  vdpa: { kind: 'vdpa' },
  ovs: { kind: 'ovs' },
  twoLinks: { kind: 'two-links' },
  kubernetes: { kind: 'kubernetes' },
  cores: (atLeast: number): Capability => ({ kind: 'cores', atLeast }),
  datapath: (datapath: DatapathKind): Capability => ({ kind: 'datapath', datapath }),
} as const satisfies Record<string, Capability | ((...a: never[]) => Capability)>;

/** Words for a capability in messages: "cores>=3", "datapath memif". */
export function capabilityName(c: Capability): string {
  switch (c.kind) {
    case 'cores':
      return `cores>=${c.atLeast}`;
    case 'datapath':
      return `the ${c.datapath} datapath`;
    default:
      return c.kind;
  }
}

/**
 * What a scenario on a datapath needs of the lab: the datapath's own needs first (their reason is the true
 * one: "a local lab with no NIC" rather than "not listed"), then being listed by the lab, then the scenario's.
 */
export function scenarioRequirements(kind: DatapathKind, requires: readonly Capability[] = []): Capability[] {
  return [...datapathRequirements(kind), need.datapath(kind), ...requires];
}

/** What each datapath needs beyond being offered by the lab. */
export function datapathRequirements(kind: DatapathKind): Capability[] {
  switch (kind) {
    case 'sriov':
      return [need.sriov];
    case 'pf':
      return [need.physicalNic];
    case 'vdpa':
      return [need.vdpa];
    case 'vhost-user-ovs':
      // Generator, OVS PMD and DUT each poll a core (local-lab-findings §5).
      return [need.ovs, need.cores(3)];
    case 'vhost-user':
    case 'memif':
    case 'veth':
    // VPP as vswitch runs on two cores: without a third it shares the DUT's CPU (docs/local-lab.md: slow, but it runs).
    case 'memif-vpp':
    case 'vhost-user-vpp':
      return [];
  }
}

/** Why the lab cannot run something needing `caps` (the first unmet one), or null when it can. */
export function missingCapability(lab: LabFacts, caps: readonly Capability[]): string | null {
  for (const cap of caps) {
    const reason = check(lab, cap);
    if (reason !== null) return reason;
  }
  return null;
}

function check(lab: LabFacts, cap: Capability): string | null {
  switch (cap.kind) {
    case 'cores':
      return lab.cpuCount >= cap.atLeast
        ? null
        : `needs cores>=${cap.atLeast}: lab '${lab.name}' has ${lab.cpuCount} CPU${lab.cpuCount === 1 ? '' : 's'} for polling processes`;
    case 'datapath':
      return lab.datapaths.includes(cap.datapath) ? null : `needs the ${cap.datapath} datapath: lab '${lab.name}' offers ${lab.datapaths.join(', ')}`;
    case 'sriov':
    case 'vdpa': {
      const what = cap.kind === 'sriov' ? 'SR-IOV needs a physical NIC with virtual functions' : 'vDPA needs a NIC with vDPA support (e.g. ConnectX-6 Dx) in switchdev mode';
      if (lab.kind === 'local') return `needs ${cap.kind}: lab '${lab.name}' is a local lab with no NIC (${what})`;
      return lab.datapaths.includes(cap.kind) ? null : `needs ${cap.kind}: lab '${lab.name}' does not list the ${cap.kind} datapath (${what})`;
    }
    case 'physical-nic':
      if (lab.kind === 'local') return `needs a physical NIC: lab '${lab.name}' is a local lab with no NIC (pf runs DPDK on the physical functions of a NIC)`;
      if (lab.kind === 'kubernetes') return `needs a physical NIC owned by DPDK: lab '${lab.name}' is a Kubernetes lab, whose pods get VFs (the sriov datapath), not the PF`;
      return null;
    case 'ovs':
      return lab.datapaths.includes('vhost-user-ovs') ? null : `needs OVS-DPDK: lab '${lab.name}' does not offer vhost-user-ovs`;
    case 'two-links':
      return lab.links >= 2 || lab.kind === 'local' ? null : `needs two links: lab '${lab.name}' has ${lab.links}`;
    case 'kubernetes':
      return lab.kind === 'kubernetes' ? null : `needs a Kubernetes lab: lab '${lab.name}' is ${lab.kind}`;
    default: {
      // Specs are not type-checked when Playwright loads them: say so instead of passing silently.
      const unknown: unknown = (cap as { kind?: unknown }).kind;
      return `unknown capability '${String(unknown)}' (known: sriov, physical-nic, vdpa, ovs, two-links, kubernetes, cores, datapath)`;
    }
  }
}
