/**
 * The certification plan of a profile on a lab: every cell of the profile's matrix (datapath × frame size
 * × DUT cores, or datapath × conformance test) either runs, or is not applicable with the reason. What
 * runs becomes the selection of `wirespeed run` (suites, datapaths, frame sizes, flows). Pure: the lab
 * comes in as the few facts the plan needs.
 */
import { ConfigError } from '../core/errors.ts';
import { DATAPATHS, MAY_RESTART_DEVICE_PLUGIN } from '../lab/schema.ts';
import type { Lab } from '../lab/model.ts';
import { frameTag, type ConformanceTest, type FrameSize, type Profile } from './profile/schema.ts';
import { NIC_DATAPATHS } from './profile/validate.ts';
import { HOST_SRIOV_CHECKS } from '../drivers/host/conformance/sriov-checks.ts';
import { ENV } from '../contract/env.ts';

/** What the plan needs to know about the lab. */
export interface LabForPlan {
  readonly name: string;
  readonly kind: 'local' | 'baremetal' | 'kubernetes';
  readonly datapaths: readonly string[];
  /** The NIC under certification (on the DUT node), with its ports' PCI addresses. */
  readonly nic: { readonly name: string; readonly model: string; readonly pciId?: string; readonly pciAddresses: readonly string[] };
  /** The device plugin's DaemonSet the inventory lets the run restart (cluster.mayRestart.devicePlugin). */
  readonly mayRestartDevicePlugin?: string;
  /** CPUs the DUT may poll on (cpus.dut of the DUT node). */
  readonly dutCpus: number;
  /** What the inventory declares per node (the certificate shows it beside what the run recorded). */
  readonly nodes: readonly {
    readonly name: string;
    readonly roles: readonly string[];
    readonly tgCpus: readonly number[];
    readonly dutCpus: readonly number[];
    readonly isolatedCpus: readonly number[];
    readonly numaNode: number;
  }[];
}

/**
 * DUT core counts this wirespeed runs: l3fwd on 1, 2 or 4 lcores, one per physical core, with as many RSS
 * queues per port (`wirespeed run --dut-cores`; scenario ids `…-64b-2t2c-ndrpdr`). Other counts are
 * refused by the plan, so that a profile asking for 8 says why instead of running an untested layout.
 */
export const SUPPORTED_DUT_CORES: readonly number[] = [1, 2, 4];

export interface PerformanceCell {
  readonly datapath: string;
  readonly frameSize: FrameSize;
  /** Scenario-id tag: 64b, imix. */
  readonly frame: string;
  readonly dutCores: number;
  /** Why the cell does not run on this lab; absent when it runs. */
  readonly notApplicable?: string;
}

export interface ConformanceCell {
  readonly datapath: string;
  readonly test: ConformanceTest;
  readonly notApplicable?: string;
}

export interface CertifyPlan {
  readonly profile: Profile;
  readonly lab: LabForPlan;
  /** The lab's NIC is virtual (the local lab): the certificate says so in its title. */
  readonly virtualNic: boolean;
  readonly quick: boolean;
  /** Performance plans: datapath × frame × cores; conformance plans: datapath × test. */
  readonly performance: readonly PerformanceCell[];
  readonly conformance: readonly ConformanceCell[];
  /** Failover events (conformance plans), per datapath, with why not when they cannot run. */
  readonly failover: readonly { readonly datapath: string; readonly event: string; readonly notApplicable?: string }[];
  /** What `wirespeed run` runs; undefined when nothing of the profile applies to the lab. */
  readonly run:
    | {
        readonly suites: readonly string[];
        readonly datapaths: readonly string[];
        /** As `--frame-size` takes them: 64, imix. */
        readonly frameSizes: readonly string[];
        readonly flows: number;
        /** DUT core counts that run (`--dut-cores`; scenario ids carry them: 64b-ndrpdr, 64b-2t2c-ndrpdr). */
        readonly dutCores: readonly number[];
        /** Extra environment for the suites (the conformance parameters). */
        readonly env?: Readonly<Record<string, string>>;
      }
    | undefined;
}

/** A NIC the inventory calls virtual, or any NIC of the local lab (software ports only). */
export function isVirtualNic(lab: LabForPlan): boolean {
  return lab.kind === 'local' || lab.nic.model === 'virtual';
}

/** Why `datapath` cannot run on this lab, or undefined when it can. */
function datapathGap(lab: LabForPlan, datapath: string, virtualNic: boolean): string | undefined {
  if (virtualNic && NIC_DATAPATHS.includes(datapath)) {
    return `the NIC of lab '${lab.name}' is virtual: the ${datapath} datapath needs a physical NIC`;
  }
  if (!(DATAPATHS as readonly string[]).includes(datapath)) {
    return `this wirespeed has no ${datapath} datapath`;
  }
  if (!lab.datapaths.includes(datapath)) return `lab '${lab.name}' does not offer the ${datapath} datapath (it offers ${lab.datapaths.join(', ')})`;
  return undefined;
}

function coresGap(lab: LabForPlan, cores: number, virtualNic: boolean, supported: readonly number[]): string | undefined {
  if (cores === 1) return undefined;
  if (!supported.includes(cores)) return `wirespeed runs l3fwd on ${supported.join(', ')} cores, not ${cores}`;
  if (lab.dutCpus < cores) {
    return `${cores} DUT cores need ${cores} DUT CPUs: lab '${lab.name}' gives the DUT ${lab.dutCpus} (cpus.dut${lab.kind === 'local' ? '; the generator polls on the other CPU of this machine' : ''})`;
  }
  if (virtualNic) return `${cores} DUT cores need RSS to spread flows over ${cores} queues per port: the virtual ports of lab '${lab.name}' have none`;
  if (lab.kind === 'kubernetes') return `${cores} DUT cores: the DUT pods of a Kubernetes lab run on one lcore`;
  return undefined;
}

/** Why a conformance test cannot run on this lab, or undefined when the sriov-conformance suite runs it. */
function conformanceGap(lab: LabForPlan, test: ConformanceTest): string | undefined {
  if (lab.kind === 'kubernetes') return `the SR-IOV checks act on a node through its shell; lab '${lab.name}' is a Kubernetes lab, whose conformance suite checks the operator instead`;
  return (HOST_SRIOV_CHECKS as readonly string[]).includes(test) ? undefined : `no check ${test} in this wirespeed`;
}

/**
 * Why a failover event of a conformance plan cannot run on this lab, or undefined when the failover suite
 * injects it (pf-link-down, vf-link-down: bare-metal sriov stacks, through the PF on the DUT node;
 * device-plugin-restart: Kubernetes labs whose inventory lets the run restart the plugin).
 */
function failoverGap(lab: LabForPlan, datapath: string, event: string): string | undefined {
  if (event === 'device-plugin-restart') {
    if (lab.kind !== 'kubernetes') return `a device-plugin restart needs a Kubernetes lab (lab '${lab.name}' is ${lab.kind})`;
    if (lab.mayRestartDevicePlugin === undefined) return `lab '${lab.name}' names no device plugin the run may restart (${MAY_RESTART_DEVICE_PLUGIN}): restarting it deletes a pod wirespeed did not create`;
    return undefined;
  }
  if (lab.kind === 'kubernetes') return `${event} acts on the PF through the DUT node's shell; lab '${lab.name}' is a Kubernetes lab, whose pods get VFs`;
  if (datapath !== 'sriov') return `${event} takes down the link of a PF in the kernel's hands under a DUT on its VF: the sriov datapath, not ${datapath}`;
  return undefined;
}

/** The plan of `profile` on `lab`. */
export function makePlan(profile: Profile, lab: LabForPlan, opts: { quick: boolean; supportedDutCores?: readonly number[] }): CertifyPlan {
  const supportedCores = opts.supportedDutCores ?? SUPPORTED_DUT_CORES;
  const virtualNic = isVirtualNic(lab);
  const plan = profile.plan;
  // On a virtual NIC the NIC datapaths are listed (not applicable) and the stand-ins run.
  const datapaths = [...new Set(virtualNic ? [...plan.datapaths, ...(plan.virtualNic?.datapaths ?? [])] : plan.datapaths)];
  const gapOf = (d: string): string | undefined => {
    if (lab.kind === 'kubernetes' && plan.kind === 'performance') return `lab '${lab.name}' is a Kubernetes lab, where wirespeed deploys the stack but measures no traffic yet`;
    return datapathGap(lab, d, virtualNic);
  };
  const runnable = datapaths.filter((d) => gapOf(d) === undefined);

  if (plan.kind === 'performance') {
    const sizes = opts.quick ? plan.quickFrameSizes : plan.frameSizes;
    const performance: PerformanceCell[] = [];
    for (const datapath of datapaths) {
      const dpGap = gapOf(datapath);
      for (const frameSize of sizes) {
        for (const dutCores of plan.dutCores) {
          const why = dpGap ?? coresGap(lab, dutCores, virtualNic, supportedCores);
          performance.push({ datapath, frameSize, frame: frameTag(frameSize), dutCores, ...(why === undefined ? {} : { notApplicable: why }) });
        }
      }
    }
    const runs = performance.some((c) => c.notApplicable === undefined);
    return {
      profile,
      lab,
      virtualNic,
      quick: opts.quick,
      performance,
      conformance: [],
      failover: [],
      run: runs
        ? {
            suites: [...plan.suites],
            datapaths: runnable,
            frameSizes: sizes.map((f) => (f === 'imix' ? 'imix' : String(f))),
            flows: plan.flowsPerDirection,
            dutCores: [...new Set(performance.filter((c) => c.notApplicable === undefined).map((c) => c.dutCores))],
          }
        : undefined,
    };
  }

  const conformance: ConformanceCell[] = [];
  const failover: CertifyPlan['failover'][number][] = [];
  for (const datapath of datapaths) {
    const dpGap = gapOf(datapath);
    for (const test of plan.tests) {
      const why = dpGap ?? conformanceGap(lab, test);
      conformance.push({ datapath, test, ...(why === undefined ? {} : { notApplicable: why }) });
    }
    for (const event of plan.failover) {
      const why = dpGap ?? failoverGap(lab, datapath, event);
      failover.push({ datapath, event, ...(why === undefined ? {} : { notApplicable: why }) });
    }
  }
  const hostTests = [...new Set(conformance.filter((c) => c.notApplicable === undefined).map((c) => c.test))];
  const failoverRuns = failover.some((f) => f.notApplicable === undefined);
  return {
    profile,
    lab,
    virtualNic,
    quick: opts.quick,
    performance: [],
    conformance,
    failover,
    run:
      hostTests.length > 0 || failoverRuns
        ? {
            // The host checks first (suites/conformance/ sorts before failover.spec.ts): they recreate the VFs,
            // which they must not do under the sriov stack the failover events then bring up.
            suites: [...(hostTests.length > 0 ? ['sriov-conformance'] : []), ...(failoverRuns ? ['failover'] : [])],
            datapaths: runnable,
            frameSizes: ['64'],
            flows: 1,
            dutCores: [1],
            env: { [ENV.sriovConformance]: JSON.stringify({ vfsPerPf: plan.vfsPerPf, maxMtu: plan.maxMtu, tests: hostTests }) },
          }
        : undefined,
  };
}

/** The facts the plan needs, from a loaded lab; `nicName` picks the certified NIC among the DUT node's. */
export function labForPlan(lab: Lab, nicName?: string): LabForPlan {
  const dutNodes = lab.nodesWithRole('dut');
  const nics = dutNodes.flatMap((n) => n.nics);
  const nic = nicName === undefined ? nics[0] : nics.find((n) => n.name === nicName);
  if (!nic) {
    throw new ConfigError(nicName === undefined ? `lab ${lab.name} has no NIC on its DUT node` : `lab ${lab.name} has no NIC named "${nicName}" on its DUT node`, {
      where: '--nic',
      hint: nics.length ? `NICs of the DUT node: ${nics.map((n) => `${n.name} (${n.model})`).join(', ')}` : 'add the NIC under test to the DUT node in the inventory',
    });
  }
  const dutNode = dutNodes.find((n) => n.nics.includes(nic))!;
  return {
    name: lab.name,
    kind: lab.kind,
    datapaths: lab.datapaths,
    nic: {
      name: nic.name,
      model: nic.model,
      ...(nic.pciId === undefined ? {} : { pciId: nic.pciId }),
      pciAddresses: nic.ports.flatMap((p) => (p.pci === undefined ? [] : [p.pci])),
    },
    ...(lab.cluster?.mayRestart ? { mayRestartDevicePlugin: lab.cluster.mayRestart.devicePlugin } : {}),
    dutCpus: dutNode.cpus.dut.length,
    nodes: lab.nodes.map((n) => ({ name: n.name, roles: [...n.roles], tgCpus: n.cpus.tg, dutCpus: n.cpus.dut, isolatedCpus: n.cpus.isolated, numaNode: n.cpus.numaNode })),
  };
}
