/**
 * Waits over several objects: node allocatable showing a device resource, every SriovNetworkNodeState
 * synced. One-object waits are `cluster.waitFor(ref, condition)` with conditions.ts.
 */
import type { Cluster } from './cluster.ts';
import { sriovNodeStateSynced } from './conditions.ts';
import { field } from './kube-object.ts';

/** Wait until some node's allocatable shows `resource` ≥ count; returns the node name. */
export async function waitNodeAllocatable(cluster: Cluster, resource: string, count: number, timeoutMs: number): Promise<string> {
  return cluster.waitUntil(
    `node allocatable ${resource} ≥ ${count}`,
    async () => {
      const nodes = await cluster.list('v1', 'Node');
      const seen: string[] = [];
      for (const n of nodes) {
        const v = Number(field(n, 'status', 'allocatable', resource) ?? 0);
        if (v >= count) return { ok: n.metadata.name };
        seen.push(`${n.metadata.name}: ${v}`);
      }
      return { observed: seen.length ? seen.join(', ') : 'no nodes' };
    },
    timeoutMs,
    undefined,
    'the device plugin advertises the resource once the VFs exist and match its selectors: check the policy nicSelector or the sriovdp-config selectors',
  );
}

/** Wait until every SriovNetworkNodeState in the operator namespace says Succeeded (a Failed one stops the wait). */
export async function waitSriovNodeStates(cluster: Cluster, operatorNamespace: string, timeoutMs: number): Promise<void> {
  await cluster.waitUntil(
    `SriovNetworkNodeState in ${operatorNamespace}: syncStatus Succeeded on every node`,
    async () => {
      const states = await cluster.list('sriovnetwork.openshift.io/v1', 'SriovNetworkNodeState', { namespace: operatorNamespace });
      if (states.length === 0) return { observed: 'no SriovNetworkNodeState yet' };
      const pending: string[] = [];
      for (const s of states) {
        const r = sriovNodeStateSynced.check(s);
        if ('fail' in r) return { fail: `${s.metadata.name}: ${r.fail}` };
        if ('observed' in r) pending.push(`${s.metadata.name}: ${r.observed}`);
      }
      return pending.length ? { observed: pending.join(', ') } : { ok: undefined };
    },
    timeoutMs,
    undefined,
    sriovNodeStateSynced.hint,
  );
}

/**
 * After a policy: every node state Succeeded and the pool in allocatable, checked together, since right after
 * the apply the states may still say Succeeded from before the config daemon saw the policy.
 */
export async function waitPolicyApplied(cluster: Cluster, operatorNamespace: string, resource: string, count: number, timeoutMs: number): Promise<string> {
  return cluster.waitUntil(
    `SR-IOV policy applied: SriovNetworkNodeState syncStatus Succeeded and node allocatable ${resource} ≥ ${count}`,
    async () => {
      const states = await cluster.list('sriovnetwork.openshift.io/v1', 'SriovNetworkNodeState', { namespace: operatorNamespace });
      const pending: string[] = [];
      for (const s of states) {
        const r = sriovNodeStateSynced.check(s);
        if ('fail' in r) return { fail: `${s.metadata.name}: ${r.fail}` };
        if ('observed' in r) pending.push(`${s.metadata.name}: ${r.observed}`);
      }
      const nodes = await cluster.list('v1', 'Node');
      const seen = nodes.map((n) => `${n.metadata.name}: ${Number(field(n, 'status', 'allocatable', resource) ?? 0)}`);
      const node = nodes.find((n) => Number(field(n, 'status', 'allocatable', resource) ?? 0) >= count);
      if (node && pending.length === 0 && states.length > 0) return { ok: node.metadata.name };
      return { observed: `${pending.join(', ') || (states.length ? 'states Succeeded' : 'no SriovNetworkNodeState')}; allocatable ${seen.join(', ') || 'no nodes'}` };
    },
    timeoutMs,
    undefined,
    'the config daemon creates the VFs, then the device plugin advertises them: check the policy nicSelector (vendor, deviceID, rootDevices, pfNames) against the node state interfaces',
  );
}
