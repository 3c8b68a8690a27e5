/**
 * A lease kept as a file on a host (the local lab's machine, each bare-metal node): `lease.json` in a
 * directory under /run (gone at reboot, with every process that could hold it). Each operation is one
 * script run through the host's shell under `flock` on a lock file beside it, so create-if-absent and
 * compare-and-swap are atomic between runs on any machine that reaches the host. The lease's age is
 * the host's own clock minus the file's mtime: no clock of another machine enters it.
 */
import { ProvisionError } from '../../core/errors.ts';
import type { Shell } from '../shell/shell.ts';
import { parseHolder, type CreateResult, type LeaseHolder, type LeaseSlot, type LeaseView, type ReplaceResult } from './lease.ts';

/** Where leases live on a host unless told otherwise. */
export const DEFAULT_LEASE_DIR = '/run/wirespeed';

const SCRIPT = `
set -u
dir=$1; op=$2; expected=$3; new=$4
command -v flock >/dev/null 2>&1 || { echo "NOFLOCK"; exit 0; }
mkdir -p -- "$dir" || exit 73
exec 9>>"$dir/lease.lock" || exit 73
flock -w 20 9 || { echo "LOCKBUSY"; exit 0; }
f="$dir/lease.json"
show() {
  if [ -f "$f" ]; then echo "HELD $(( $(date +%s) - $(stat -c %Y "$f") ))"; cat "$f"; else echo "FREE"; fi
}
write() { printf '%s\\n' "$new" > "$f.tmp" && mv -f -- "$f.tmp" "$f"; }
current=$(cat "$f" 2>/dev/null) || current=""
case $op in
  read) show ;;
  create) if [ -f "$f" ]; then show; else write && echo "DONE"; fi ;;
  replace) if [ -f "$f" ] && [ "$current" = "$expected" ]; then write && echo "DONE"; else show; fi ;;
  release) if [ -f "$f" ] && [ "$current" = "$expected" ]; then rm -f -- "$f"; fi; echo "DONE" ;;
esac
`;

export interface FileLeaseOptions {
  readonly shell: Shell;
  /** For messages: "this machine", "node dut (root@10.0.0.2:22)". */
  readonly where: string;
  readonly dir?: string;
  /** Closed by close() (a shell the slot opened for itself). */
  readonly ownsShell?: boolean;
}

type Outcome = { kind: 'done' } | { kind: 'free' } | { kind: 'held'; view: LeaseView };

/** The lease file on the host behind `shell`. */
export function fileLease(opts: FileLeaseOptions): LeaseSlot {
  const dir = opts.dir ?? DEFAULT_LEASE_DIR;
  const run = async (op: 'read' | 'create' | 'replace' | 'release', expected: string, next: string): Promise<Outcome> => {
    const r = await opts.shell.exec(['sh', '-c', SCRIPT, 'wsp-lease', dir, op, expected, next], { timeoutMs: 60_000 });
    const [first = '', ...rest] = r.stdout.split('\n');
    const fail = (what: string, hint: string): ProvisionError =>
      new ProvisionError(`lab lease ${dir}/lease.json: ${what}`, { where: opts.where, hint });
    if (r.exitCode !== 0) throw fail(`the lease script failed (exit ${r.exitCode ?? r.signal}): ${(r.stderr || r.stdout).trim().slice(0, 500)}`, `wirespeed keeps its lease in ${dir} as root: check that the directory can be created there`);
    if (first === 'NOFLOCK') throw fail('flock is not installed', 'install util-linux (it provides flock) on the host');
    if (first === 'LOCKBUSY') throw fail('its lock file stayed locked for 20 s', `another wirespeed is stuck in a lease operation; look for it with \`fuser ${dir}/lease.lock\``);
    if (first === 'DONE') return { kind: 'done' };
    if (first === 'FREE') return { kind: 'free' };
    const held = /^HELD (-?\d+)$/.exec(first);
    if (!held) throw fail(`unexpected answer ${JSON.stringify(first.slice(0, 200))}`, 'this is a bug in wirespeed');
    const content = rest.join('\n').replace(/\n+$/, '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch {
      parsed = undefined;
    }
    const holder = parseHolder(parsed);
    if (!holder) {
      throw fail(
        `it holds something that is not a wirespeed lease: ${JSON.stringify(content.slice(0, 200))}`,
        `if no wirespeed run is going on there, remove it: \`rm ${dir}/lease.json\``,
      );
    }
    return { kind: 'held', view: { holder, ageS: Math.max(0, Number(held[1])), version: content } };
  };
  const own = (holder: LeaseHolder): LeaseView => ({ holder, ageS: 0, version: JSON.stringify(holder) });
  return {
    where: opts.where,
    async read(): Promise<LeaseView | undefined> {
      const out = await run('read', '', '');
      return out.kind === 'held' ? out.view : undefined;
    },
    async create(holder): Promise<CreateResult> {
      const text = JSON.stringify(holder);
      const out = await run('create', '', text);
      if (out.kind === 'held') return { kind: 'held', view: out.view };
      if (out.kind === 'free') throw new Error('unreachable: create reported a free lease');
      return { kind: 'created', view: own(holder) };
    },
    async replace(expected, holder): Promise<ReplaceResult> {
      const text = JSON.stringify(holder);
      const out = await run('replace', expected.version, text);
      if (out.kind === 'done') return { kind: 'replaced', view: own(holder) };
      return { kind: 'changed', view: out.kind === 'held' ? out.view : undefined };
    },
    async release(expected): Promise<void> {
      await run('release', expected.version, '');
    },
    async close(): Promise<void> {
      if (opts.ownsShell) await opts.shell.close();
    },
  };
}
