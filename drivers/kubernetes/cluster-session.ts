/**
 * A worker's session with the lab's cluster, as the pod-backed stack uses it: the connected Cluster, the
 * pinned versions and manifests of the components, the DUT node's hugepage size, and the scenarios deployed
 * in it. Whoever connects (suites/fixtures/kube-session.ts: the real cluster, or the fake one of
 * fixtures/kube when the kubeconfig asks for it) shares it between its users; the last `release()` tears
 * down what the run created.
 */
import type { DatapathKind, SriovVia } from '../../lab/schema.ts';
import type { Cluster } from './cluster.ts';
import type { Deployed } from './scenario.ts';
import type { ComponentSources } from './stack/component.ts';

export interface ClusterSession {
  readonly cluster: Cluster;
  /** Pinned versions and the manifests to install what the cluster lacks. */
  readonly sources: ComponentSources;
  /** Hugepage size of the DUT node (what the workload pods request). */
  readonly pageSize: '2Mi' | '1Gi';
  /** Who gives pods their VFs: the SR-IOV operator, or the device plugin alone (the lab's cluster.sriov.via). */
  readonly sriovVia: SriovVia;
  /** The device plugin's DaemonSet (`namespace/name`) the inventory lets the run restart (cluster.mayRestart.devicePlugin). */
  readonly mayRestartDevicePlugin?: string;
  /** The scenario a pod-backed stack deployed, by datapath, while it runs (the Kubernetes smoke reports it). */
  readonly deployments: Map<DatapathKind, Deployed>;
  /** Give the session back; the last release tears it down. Idempotent. */
  release(): Promise<void>;
}
