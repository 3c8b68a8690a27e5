/**
 * The representor netdevs of a PF in switchdev mode (from `devlink -j port show`): the uplink (flavour
 * physical, the wire) and one per VF (flavour pcivf). In switchdev mode the eswitch forwards nothing by
 * itself: traffic between the wire and a VF goes through these two netdevs and the rules set on them.
 */
import { ProvisionError } from '../../core/errors.ts';
import type { Shell } from '../shell/shell.ts';
import { parsePortShowJson } from './parse-devlink.ts';

export interface Representors {
  /** The uplink representor: the PF's netdev towards the wire. */
  readonly uplink: string;
  /** VF number → its representor netdev. */
  readonly vfs: ReadonlyMap<number, string>;
}

/** Representors of PF `pf` (a BDF) on the node behind `shell`. */
export async function representorsOf(shell: Shell, pf: string): Promise<Representors> {
  const r = await shell.run(['devlink', '-j', 'port', 'show'], { timeoutMs: 30_000 });
  const ports = parsePortShowJson(r.stdout).filter((p) => p.dev === `pci/${pf}`);
  const uplink = ports.find((p) => p.flavour === 'physical' && p.netdev)?.netdev;
  if (!uplink) {
    throw new ProvisionError(`devlink shows no uplink port with a netdev for pci/${pf}`, {
      where: shell.name,
      hint: 'the PF must be in switchdev mode with its driver loaded: `devlink dev eswitch show pci/' + pf + '`',
    });
  }
  const vfs = new Map<number, string>();
  for (const p of ports) if (p.flavour === 'pcivf' && p.vfnum !== undefined && p.netdev && !p.external) vfs.set(p.vfnum, p.netdev);
  return { uplink, vfs };
}
