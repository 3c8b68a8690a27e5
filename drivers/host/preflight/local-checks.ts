/**
 * Checks that every node needs (root, hugepages, hugetlbfs, CPUs) and those of the local lab (DPDK
 * runtime and libdpdk present, network namespaces work). They run through the node's shell, so on a
 * hardware node they check that host.
 */
import { formatCpuList, parseCpuList } from '../../../lab/cpu-list.ts';
import type { LabNode } from '../../../lab/model.ts';
import { createNetns } from '../../shell/netns.ts';
import { fail, pass, skip, type PreflightCheck } from './check.ts';

const localLabOnly = (_node: LabNode, lab: { kind: string }): boolean => lab.kind === 'local';

export const rootCheck: PreflightCheck = {
  name: 'root',
  appliesTo: () => true,
  async run({ shell }) {
    const r = await shell.run(['id', '-u']);
    const uid = Number(r.stdout.trim());
    return uid === 0
      ? pass('running as root (uid 0)')
      : fail(`running as uid ${uid}: DPDK, hugepages and namespaces need root`, 'run wirespeed as root (or ssh as root)');
  },
};

export const dpdkRuntimeCheck: PreflightCheck = {
  name: 'dpdk-runtime',
  appliesTo: localLabOnly,
  async run({ shell }) {
    const r = await shell.exec({ script: 'command -v dpdk-testpmd' });
    return r.exitCode === 0
      ? pass(`dpdk-testpmd at ${r.stdout.trim()}`)
      : fail('dpdk-testpmd is not in PATH', 'install the dpdk package (`npm run setup` does it)');
  },
};

export const libdpdkCheck: PreflightCheck = {
  name: 'libdpdk',
  appliesTo: localLabOnly,
  async run({ shell }) {
    const r = await shell.exec(['pkg-config', '--modversion', 'libdpdk']);
    if (r.exitCode === 0) return pass(`libdpdk ${r.stdout.trim()} (pkg-config)`);
    return r.exitCode === 127
      ? fail('pkg-config is not installed', 'apt-get install pkg-config libdpdk-dev (`npm run setup` does it)')
      : fail(`pkg-config does not know libdpdk (${r.stderr.trim().split('\n')[0]})`, 'apt-get install libdpdk-dev (`npm run setup` does it)');
  },
};

export const hugepagesCheck: PreflightCheck = {
  name: 'hugepages',
  appliesTo: (node) => node.hugepages !== undefined,
  async run({ node, shell, hostNodes }) {
    const want = node.hugepages;
    if (!want) return skip('the inventory asks for no hugepages on this node');
    const sizeKb = want.sizeKb;
    // Nodes on the same host draw from the same pool (the local lab's tg and dut).
    const sharing = hostNodes.filter((n) => n.hugepages && n.hugepages.sizeKb === sizeKb && n.hugepages.numaNode === want.numaNode);
    const needed = sharing.reduce((s, n) => s + n.hugepages!.count, 0);
    const base =
      want.numaNode === undefined
        ? `/sys/kernel/mm/hugepages/hugepages-${sizeKb}kB`
        : `/sys/devices/system/node/node${want.numaNode}/hugepages/hugepages-${sizeKb}kB`;
    const r = await shell.exec(['cat', `${base}/free_hugepages`, `${base}/nr_hugepages`]);
    const where = want.numaNode === undefined ? '' : ` on NUMA node ${want.numaNode}`;
    if (r.exitCode !== 0) return fail(`no ${sizeKb} kB hugepages${where} on this kernel (${base} is missing)`, 'use a hugepage size the CPU and kernel offer (ls /sys/kernel/mm/hugepages), or fix hugepages in the inventory');
    const [free, total] = r.stdout.trim().split('\n').map(Number) as [number, number];
    const who = sharing.length > 1 ? ` (${sharing.map((n) => `${n.name} ${n.hugepages!.count}`).join(' + ')} on this host)` : '';
    const detail = `${needed} needed${who}, ${free} of ${total} ${sizeKb} kB pages free${where}`;
    if (free >= needed) return pass(detail);
    return fail(detail, `reserve more (echo ${total + needed - free} > ${base}/nr_hugepages) or stop what holds them (ls /dev/hugepages)`);
  },
};

export const hugetlbfsCheck: PreflightCheck = {
  name: 'hugetlbfs',
  appliesTo: (node) => node.hugepages !== undefined,
  async run({ shell, node }) {
    const mounts = (await shell.readFile('/proc/mounts'))
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f[2] === 'hugetlbfs');
    if (!mounts.length) return fail('no hugetlbfs mounted', 'mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages');
    const list = mounts.map((f) => `${f[1]} (${/pagesize=(\w+)/.exec(f[3] ?? '')?.[1] ?? 'default size'})`);
    if (node.hugepages?.sizeKb === 1048576 && !mounts.some((f) => /pagesize=1(024M|G)/.test(f[3] ?? ''))) {
      return fail(`1 GB pages wanted but no hugetlbfs with pagesize=1G is mounted (found ${list.join(', ')})`, 'mkdir -p /dev/hugepages1G && mount -t hugetlbfs -o pagesize=1G nodev /dev/hugepages1G');
    }
    return pass(`mounted at ${list.join(', ')}`);
  },
};

export const netnsCheck: PreflightCheck = {
  name: 'netns',
  appliesTo: localLabOnly,
  async run({ shell, node }) {
    const name = `wsp-chk-${process.pid}-${node.name}`.slice(0, 60);
    const ns = await createNetns(shell, name);
    await ns.remove();
    const left = await shell.run(['ip', 'netns', 'list']);
    if (left.stdout.split('\n').some((l) => l.split(' ')[0] === name)) return fail(`namespace ${name} was not removed`, `remove it (ip netns delete ${name}) and look for what holds it open (ip netns pids ${name})`);
    return pass(`created and removed network namespace ${name}`);
  },
};

export const cpusCheck: PreflightCheck = {
  name: 'cpus',
  appliesTo: () => true,
  async run({ shell, node, hostNodes }) {
    const online = parseCpuList(await shell.readFile('/sys/devices/system/cpu/online'));
    const mine = [...node.cpus.tg, ...node.cpus.dut, ...node.cpus.isolated];
    const host = new Set(hostNodes.flatMap((n) => [...n.cpus.tg, ...n.cpus.dut]));
    const offline = mine.filter((c) => !online.includes(c));
    if (offline.length) {
      return fail(`CPU ${formatCpuList(offline)} of this node ${offline.length > 1 ? 'are' : 'is'} not online (online: ${formatCpuList(online)})`, 'pin CPUs this host has in the inventory (cpus), or bring them online');
    }
    if (host.size > online.length) {
      return fail(`the lab polls on ${host.size} CPUs of this host but only ${online.length} are online`, 'give the nodes of this host fewer CPUs in the inventory (cpus), or run them on a larger host');
    }
    const uses = mine.length ? `uses CPU ${formatCpuList(mine)}` : 'uses no dedicated CPU';
    return pass(`${uses}; ${host.size} polling CPU${host.size === 1 ? '' : 's'} on this host of ${online.length} online (${formatCpuList(online)})`);
  },
};
