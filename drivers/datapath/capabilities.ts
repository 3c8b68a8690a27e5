/**
 * Optional operations a running stack may offer, as typed interfaces (the failover events, certification's
 * restarts). A datapath declares what it can do; what it cannot do carries the true reason, so a scenario
 * that needs it skips saying why. Suites ask for these; they never cast, kill processes or choose drivers.
 */
import type { InjectedEvent } from '../loadgen/failover-run.ts';
import type { DeviceProbe, DevicePluginRestartOutcome } from '../kubernetes/device-plugin-restart.ts';

/** Stop the DUT application and start it again on the same ports (vhost-user: the DUT reconnects as client). */
export interface RestartDut {
  /** Resolves when the new DUT is up (its ports may still be reconnecting). */
  restartDut(): Promise<void>;
}

/** Restart the vswitch between generator and DUT (OVS-DPDK is the vhost client of both and reconnects). */
export interface RestartVswitch {
  /** Resolves when the vswitch is up again with its ports and flows. */
  restartVswitch(): Promise<void>;
}

/** Take the DUT's link down and up again. */
export interface FlapLink {
  /**
   * Down for `downS` seconds, then up; resolves once the link is up again, with the wall-clock brackets
   * of the down and the up command (failover checks its blocked time against them).
   */
  flapLink(downS: number): Promise<InjectedEvent>;
}

/**
 * Take a NIC link down under load and bring it back (sriov-conformance's failover events): the PF's link
 * (its VFs follow it down) or the DUT's VF link alone. Bare-metal sriov stacks offer it through the PF.
 */
export interface NicLinkDown {
  /** Down for `downS` seconds, then back as it was; resolves once it is back, with when each command ran. */
  nicLinkDown(target: 'pf' | 'vf', downS: number): Promise<InjectedEvent>;
}

/** What a pod delete took, each from the delete request on, seconds. */
export interface PodDeleteOutcome {
  /** Until the old pod was gone from the API (its processes killed, its sockets removed). */
  readonly goneAfterS: number;
  /** Until the replacement pod was Ready with its networks attached (network-status). */
  readonly readyAfterS: number;
  /** Until the DUT forwarded again in the replacement (started there, its telemetry answering). */
  readonly forwardingAfterS: number;
}

/** Delete the DUT's pod under load and bring up a replacement with the DUT in it (Kubernetes labs). */
export interface DeletePod {
  /** Resolves when the DUT runs in the replacement pod. */
  deletePod(): Promise<PodDeleteOutcome>;
}

/** A device-plugin restart and the new pod that got a device after it. */
export interface DevicePluginRestarted {
  readonly restart: DevicePluginRestartOutcome;
  readonly probe: DeviceProbe;
}

/**
 * Restart the SR-IOV device plugin on the DUT node under load (Kubernetes labs whose inventory allows it:
 * cluster.mayRestart.devicePlugin), then show that a new pod gets a device; the running pods keep theirs.
 */
export interface RestartDevicePlugin {
  /** Resolves when the plugin advertises its devices again and a new pod got one. */
  restartDevicePlugin(): Promise<DevicePluginRestarted>;
}

/** What a running stack can do besides forwarding; an absent member is unavailable (see CapabilityGaps). */
export interface Capabilities {
  readonly restartDut?: RestartDut;
  readonly restartVswitch?: RestartVswitch;
  readonly flapLink?: FlapLink;
  readonly deletePod?: DeletePod;
  readonly nicLinkDown?: NicLinkDown;
  readonly restartDevicePlugin?: RestartDevicePlugin;
}

export type CapabilityName = keyof Capabilities;

/** Why each absent capability is absent, in words a skipped scenario can show. */
export type CapabilityGaps = Readonly<Partial<Record<CapabilityName, string>>>;

/** Capabilities a stack declares, with the reason for each it lacks. */
export interface Declared {
  readonly capabilities: Capabilities;
  readonly gaps: CapabilityGaps;
}

const WHAT: Readonly<Record<CapabilityName, string>> = {
  restartDut: 'a DUT restart',
  restartVswitch: 'a vswitch restart',
  flapLink: 'a link down/up',
  deletePod: 'a pod delete',
  nicLinkDown: 'a PF or VF link down',
  restartDevicePlugin: 'a device-plugin restart',
};

/** The reason `name` is missing: the declared one, else a generic one naming the datapath. */
export function whyMissing(d: Declared, name: CapabilityName, datapath: string): string {
  return d.gaps[name] ?? `the ${datapath} datapath does not offer ${WHAT[name]}`;
}
