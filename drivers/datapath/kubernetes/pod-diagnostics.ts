/**
 * What the cluster knows of a pod whose DPDK process did not come up, added to the process's own error.
 */
import { ProvisionError, WirespeedError } from '../../../core/errors.ts';
import type { Cluster } from '../../kubernetes/cluster.ts';
import { refOf } from '../../kubernetes/kube-object.ts';
import type { RunningWorkload } from '../../kubernetes/workloads/workload.ts';

/**
 * A DPDK process in a pod did not come up: its own last output is in the error already; add what the cluster
 * knows of the pod (events, the container's log) and, for vhost-user ports the pod serves, where to look next.
 */
export async function withPodDiagnostics(err: unknown, cluster: Pick<Cluster, 'diagnose'>, w: Pick<RunningWorkload, 'pod' | 'eal'>): Promise<Error> {
  const where = `pod ${w.pod.metadata.namespace}/${w.pod.metadata.name}`;
  const diag = await cluster.diagnose(refOf(w.pod)).catch((e: unknown) => `pod diagnostics unavailable: ${(e as Error).message.split('\n')[0]}`);
  const what = err instanceof WirespeedError ? `${err.where ? `${err.where}: ` : ''}${err.what}` : (err as Error).message;
  // virtio-user in server mode waits in its port probe (before any port is set up) until the vswitch connects.
  const serving = w.eal.vdevs.filter((v) => /\bserver=1\b/.test(v)).map((v) => /path=([^,]+)/.exec(v)?.[1] ?? v);
  const hint = serving.length && /not ready after/.test(what)
    ? `the process serves its vhost-user sockets (${serving.join(', ')}) and waits in its port probe until the node's vswitch connects to each: check that the vswitch has the pod's sockets as ports and can reach them (OVS: ovs-vsctl show, ovs-vswitchd.log)`
    : err instanceof WirespeedError ? err.hint : undefined;
  return new ProvisionError(`${what}\n  ${diag || `${where}: no events, no container log`}`, { ...(hint ? { hint } : {}), cause: err });
}
