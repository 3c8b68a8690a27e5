/**
 * Where a node keeps an ovs-vswitchd built with DPDK, and the OVS database schema. Distributions differ:
 * Debian and Ubuntu ship the DPDK build beside the plain one (/usr/lib/openvswitch-switch-dpdk/
 * ovs-vswitchd-dpdk, chosen by update-alternatives), RHEL and Fedora build /usr/sbin/ovs-vswitchd with
 * DPDK, a source install puts it in /usr/local/sbin. A build with DPDK says so in `--version` (a
 * "DPDK <version>" line after the OVS one, as 3.1's does here), so each candidate is asked.
 */
import { ProvisionError } from '../../core/errors.ts';
import type { Shell } from '../shell/shell.ts';

/** Candidates in the order they are tried; `ovs-vswitchd` on PATH is tried after the first. */
export const VSWITCHD_CANDIDATES = ['/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk', '/usr/sbin/ovs-vswitchd', '/usr/local/sbin/ovs-vswitchd'] as const;
export const SCHEMA_CANDIDATES = ['/usr/share/openvswitch/vswitch.ovsschema', '/usr/local/share/openvswitch/vswitch.ovsschema'] as const;

export interface OvsInstall {
  /** An ovs-vswitchd with DPDK. */
  readonly vswitchd: string;
  readonly schema: string;
  /** "3.1.0" */
  readonly ovsVersion: string;
  /** "22.11.11" */
  readonly dpdkVersion: string;
}

const SCRIPT = `
first=$1; shift
schemas=$1; shift
for c in $first $(command -v ovs-vswitchd 2>/dev/null) "$@"; do
  [ -x "$c" ] || continue
  echo "CANDIDATE $c"
  "$c" --version 2>&1 | head -5 | sed 's/^/  /'
done
for s in $schemas; do [ -f "$s" ] && echo "SCHEMA $s"; done
exit 0
`;

/** Find OVS with DPDK on the node behind `shell` (candidates overridable for tests). */
export async function locateOvs(
  shell: Shell,
  candidates: readonly string[] = VSWITCHD_CANDIDATES,
  schemas: readonly string[] = SCHEMA_CANDIDATES,
): Promise<OvsInstall> {
  const [first = '', ...rest] = candidates;
  const r = await shell.run(['sh', '-c', SCRIPT, 'wsp-locate-ovs', first, schemas.join(' '), ...rest], { timeoutMs: 30_000 });
  const found: { path: string; version: string[] }[] = [];
  let schema: string | undefined;
  for (const line of r.stdout.split('\n')) {
    const cand = /^CANDIDATE (.+)$/.exec(line);
    if (cand) found.push({ path: cand[1]!, version: [] });
    else if (line.startsWith('  ') && found.length) found.at(-1)!.version.push(line.trim());
    else if (line.startsWith('SCHEMA ')) schema ??= line.slice('SCHEMA '.length);
  }
  const seen = new Set<string>();
  const unique = found.filter((f) => !seen.has(f.path) && seen.add(f.path));
  for (const f of unique) {
    const ovs = /\(Open vSwitch\) (\S+)/.exec(f.version[0] ?? '');
    const dpdk = f.version.map((l) => /^DPDK (\S+)/.exec(l)).find((m) => m);
    if (!ovs || !dpdk) continue;
    if (!schema) {
      throw new ProvisionError(`OVS ${ovs[1]} with DPDK is at ${f.path}, but its database schema is not (looked at ${schemas.join(', ')})`, {
        where: shell.name,
        hint: 'install the package that ships vswitch.ovsschema with it (openvswitch-common on Debian)',
      });
    }
    return { vswitchd: f.path, schema, ovsVersion: ovs[1]!, dpdkVersion: dpdk[1]! };
  }
  const tried = unique.length ? unique.map((f) => `${f.path} (${f.version[0] ?? 'no --version output'}, no DPDK)`).join('; ') : 'none installed';
  throw new ProvisionError(`no ovs-vswitchd built with DPDK on the node: ${tried}`, {
    where: shell.name,
    hint: 'install OVS with DPDK: openvswitch-switch-dpdk on Debian/Ubuntu, openvswitch3.x (built with DPDK) on RHEL/Fedora, or build OVS --with-dpdk into /usr/local',
  });
}
