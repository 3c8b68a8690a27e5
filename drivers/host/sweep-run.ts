/**
 * Remove what a run left on one node when nothing of it is left to tear down properly: its processes,
 * network namespaces, hugepage files, shared-memory files (VPP's API segment, /dev/shm/<prefix>-vpe-api and
 * -global_vm) and DPDK runtime directories (all named with the run's tag `wsp-<tag>`), and its socket and
 * runtime directories under the run directory. One script through the
 * node's shell, so it works the same on this machine and over SSH. Used after Playwright exits, by the
 * watchdog when the CLI dies, and when a run takes over the stale lease of a dead one. Names are
 * matched on `wsp-<tag>-` with the dash, so that sweeping run "a1" leaves run "a10" alone.
 */
import { runTagOf } from '../dpdk/runtime.ts';
import type { Shell } from '../shell/shell.ts';

export interface SweepReport {
  /** "1234 dpdk-l3fwd" for each process killed. */
  readonly killed: readonly string[];
  readonly namespaces: readonly string[];
  /** Hugepage files, DPDK runtime directories and run sub-directories removed. */
  readonly files: readonly string[];
}

export interface SweepTarget {
  readonly runId: string;
  /** The run directory (absolute); its `sock` and `rt` sub-directories are removed. Records are kept. */
  readonly runDir?: string;
  /** Where DPDK keeps runtime directories for root (default /var/run/dpdk). */
  readonly dpdkRuntimeDir?: string;
  /**
   * `NAME=value` every process of the run inherited (on the machine that ran Playwright): processes
   * that carry it are the run's even when their command line names nothing of it.
   */
  readonly envMark?: string;
  /** Hugepage directories to clean (default: every hugetlbfs mount of the node). */
  readonly hugepageDirs?: readonly string[];
  /** Where POSIX shared memory lives (default /dev/shm): a killed VPP leaves its API segment there. */
  readonly shmDir?: string;
}

// The marker is put together inside the script ($1 is only the tag), so that neither this script nor the
// shell that runs it mentions it on its command line and kills itself.
const SCRIPT = `
tag=$1; rundir=$2; dpdkdir=$3; envmark=$4; shmdir=$5; shift 5
# The remaining arguments are the hugepage directories; none given: every hugetlbfs mount.
[ $# -gt 0 ] || set -- $(awk '$3 == "hugetlbfs" { print $2 }' /proc/mounts 2>/dev/null)
m="wsp-$tag-"
me=$$
pids=$(grep -lsF -- "$m" /proc/[0-9]*/cmdline 2>/dev/null | sed -n 's#^/proc/\\([0-9]*\\)/cmdline$#\\1#p')
if [ -n "$envmark" ]; then
  # environ holds NUL-separated NAME=value entries: -z makes each one a line, -x matches it whole.
  pids="$pids $(grep -lsxzF -- "$envmark" /proc/[0-9]*/environ 2>/dev/null | sed -n 's#^/proc/\\([0-9]*\\)/environ$#\\1#p')"
  pids=$(echo $pids | tr ' ' '\\n' | sort -un)
fi
for p in $pids; do
  [ "$p" = "$me" ] && continue
  [ "$p" = "$PPID" ] && continue
  c=$(cat "/proc/$p/comm" 2>/dev/null) || continue
  kill -KILL "$p" 2>/dev/null && echo "killed $p $c"
done
[ -n "$pids" ] && sleep 0.3
ip netns list 2>/dev/null | while read -r ns _; do
  case "$ns" in "$m"*) ip netns delete "$ns" 2>/dev/null && echo "netns $ns" ;; esac
done
for mnt in "$@" "$shmdir"; do
  for f in "$mnt/$m"*; do
    [ -e "$f" ] || continue
    rm -f -- "$f" && echo "file $f"
  done
done
for d in "$dpdkdir/$m"*; do
  [ -e "$d" ] || continue
  rm -rf -- "$d" && echo "file $d"
done
# A fake cluster's node (fixtures/kube) keeps its pods under /run/wsp-<tag>-k8s-*: their hugetlbfs and
# bind mounts first (the last mounted first), then the directories.
for mnt in $(awk -v p="/$m" 'index($2, p) > 0 { print $2 }' /proc/mounts 2>/dev/null | tac); do
  umount -l -- "$mnt" 2>/dev/null && echo "file $mnt"
done
for d in /run/"$m"*; do
  [ -e "$d" ] || continue
  rm -rf -- "$d" && echo "file $d"
done
if [ -n "$rundir" ]; then
  for d in "$rundir/sock" "$rundir/rt"; do
    [ -d "$d" ] || continue
    n=$(find "$d" -mindepth 1 2>/dev/null | wc -l)
    rm -rf -- "$d"
    [ "$n" -gt 0 ] && echo "file $d"
  done
fi
exit 0
`;

/** Sweep the leftovers of run `runId` on the node behind `shell`; returns what was removed. */
export async function sweepRunOn(shell: Shell, target: SweepTarget): Promise<SweepReport> {
  const tag = runTagOf(target.runId);
  const r = await shell.exec(['sh', '-c', SCRIPT, 'wsp-sweep', tag, target.runDir ?? '', target.dpdkRuntimeDir ?? '/var/run/dpdk', target.envMark ?? '', target.shmDir ?? '/dev/shm', ...(target.hugepageDirs ?? [])], { timeoutMs: 60_000 });
  const killed: string[] = [];
  const namespaces: string[] = [];
  const files: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const [kind, ...rest] = line.split(' ');
    const what = rest.join(' ');
    if (kind === 'killed') killed.push(what);
    else if (kind === 'netns') namespaces.push(what);
    else if (kind === 'file') files.push(what);
  }
  return { killed, namespaces, files };
}

/** One line for people: "2 processes (1234 dpdk-l3fwd, …), namespaces [a], 3 files", or "nothing". */
export function describeSweep(s: SweepReport): string {
  const parts: string[] = [];
  if (s.killed.length) parts.push(`${s.killed.length} process${s.killed.length === 1 ? '' : 'es'} (${s.killed.join(', ')})`);
  if (s.namespaces.length) parts.push(`namespaces [${s.namespaces.join(', ')}]`);
  if (s.files.length) parts.push(`${s.files.length} file${s.files.length === 1 ? '' : 's'}`);
  return parts.join(', ') || 'nothing';
}

/** Every entry as one line, for the run's record. */
export function sweepLines(s: SweepReport): string[] {
  return [...s.killed.map((p) => `process ${p}`), ...s.namespaces.map((n) => `network namespace ${n}`), ...s.files.map((f) => `file ${f}`)];
}
