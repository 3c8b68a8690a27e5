/**
 * The leases a lab consists of: on a local lab the lease file of this machine; on a bare-metal lab one
 * lease file per host (nodes that share a host share its CPUs and hugepages, so they share a lease);
 * on a Kubernetes lab one coordination.k8s.io Lease per node (none for the fake cluster, which each run
 * starts for itself).
 */
import type { Lab, LabNode } from '../../lab/model.ts';
import { Cluster } from '../kubernetes/cluster.ts';
import { wantsFakeCluster } from '../kubernetes/placeholder-kubeconfig.ts';
import { localShell } from '../shell/local.ts';
import type { NodeShells } from '../shell/node-shells.ts';
import { fileLease } from './file-lease.ts';
import type { LeaseSlot } from './lease.ts';

export interface LabSlotOptions {
  /** Lease directory on each host (default /run/wirespeed). */
  readonly dir?: string;
  readonly staleAfterS: number;
}

/** The lease file of the machine running wirespeed (outside any namespace a node may name). */
function thisMachine(opts: LabSlotOptions): LeaseSlot {
  return fileLease({ shell: localShell(), where: 'this machine', ...(opts.dir === undefined ? {} : { dir: opts.dir }) });
}

/** One slot per part of `lab`; each is closed by the reservation's release (the shells stay the pool's). */
export async function labLeaseSlots(lab: Lab, shells: NodeShells, opts: LabSlotOptions): Promise<LeaseSlot[]> {
  switch (lab.kind) {
    case 'local':
      return [thisMachine(opts)];
    case 'baremetal': {
      const byHost = new Map<string, LabNode[]>();
      for (const n of lab.nodes) byHost.set(n.host, [...(byHost.get(n.host) ?? []), n]);
      const slots: LeaseSlot[] = [];
      for (const [host, nodes] of byHost) {
        const names = nodes.map((n) => n.name).join(', ');
        slots.push(fileLease({ shell: await shells.of(nodes[0]!), where: `node${nodes.length > 1 ? 's' : ''} ${names} (${host})`, ...(opts.dir === undefined ? {} : { dir: opts.dir }) }));
      }
      return slots;
    }
    case 'kubernetes': {
      if (!lab.cluster) throw new Error(`kubernetes lab ${lab.name} has no cluster (the loader checks this)`);
      // A fake cluster is started for each run by its worker: nothing is shared, nothing to hold.
      if (await wantsFakeCluster(lab.cluster.kubeconfig)) return [];
      const { kubeConfig } = await Cluster.fromLab(lab.cluster, 'lease');
      // Loaded here: it pulls in @kubernetes/client-node, seconds of CPU that runs on other labs never need.
      const { kubeLease } = await import('./kube-lease.ts');
      return lab.nodes.map((n) => kubeLease({ kubeConfig, node: n.name, staleAfterS: opts.staleAfterS }));
    }
    default: {
      const never: never = lab.kind;
      throw new Error(`unhandled lab kind ${String(never)}`);
    }
  }
}
