/**
 * `npm run bench:inventory`: how loading an inventory grows with its size. For 1k, 10k and 100k-node
 * bare-metal inventories (pairs of tg and dut nodes sharing a host, two cabled ports each, SSH with a
 * real key), each loaded in a fresh process: file size, load time (wall and CPU) and the process's peak
 * memory, then the growth from each size to the next. Then the hostile cases with the default limits:
 * a 50 MB file (refused by the size cap), a billion-laughs alias bomb (refused with its location) and
 * one anchor reused 120 times (loaded).
 *
 *   npm run bench:inventory [-- --nodes 1000,10000,100000]
 *
 * The scaling rows lift the size cap (maxBytes) so that 100k nodes (about 30 MB) load at all: they
 * measure the loader, not the cap. Peak memory is the child's maxRSS, Node itself included; the
 * `baseline` row is a process that loads the two-node local lab.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadLab, LOCAL_LAB_PATH } from '../load.ts';

interface Sample {
  label: string;
  nodes: number;
  bytes: number;
  outcome: string;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
}

const SELF = fileURLToPath(import.meta.url);

/** A bare-metal inventory of `nodes` nodes: pair i is tg n2i and dut n2i+1 on one host, cabled p0/p1. */
export function inventoryText(nodes: number): string {
  const out: string[] = ['name: bench', 'kind: baremetal', 'nodes:'];
  for (let i = 0; i < nodes; i++) {
    const pair = i >> 1;
    const host = `10.${(pair >> 16) & 255}.${(pair >> 8) & 255}.${pair & 255}`;
    const tg = i % 2 === 0;
    out.push(
      `  - name: n${i}`,
      `    roles: [${tg ? 'tg' : 'dut'}]`,
      `    shell: { kind: ssh, host: ${host}, key: id_ed25519, knownHosts: known_hosts }`,
      `    cpus: { ${tg ? 'tg: "2-5"' : 'dut: "6-9"'}, isolated: "2-9" }`,
      '    hugepages: { sizeKb: 1048576, count: 4 }',
      '    nics:',
      '      - name: nic0',
      '        model: x710',
      '        ports:',
      `          - { name: p0, pci: "0000:${tg ? '81' : '3b'}:00.0" }`,
      `          - { name: p1, pci: "0000:${tg ? '81' : '3b'}:00.1" }`,
    );
  }
  out.push('links:');
  for (let i = 0; i + 1 < nodes; i += 2) out.push(`  - n${i}.p0 <-> n${i + 1}.p0`, `  - n${i}.p1 <-> n${i + 1}.p1`);
  out.push('datapaths: [sriov]', '');
  return out.join('\n');
}

/** Nine levels of nine aliases (9^9 values once expanded). */
function aliasBomb(): string {
  const lines = ['name: laughs', 'kind: local', 'description: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let l = 1; l <= 8; l++) lines.push(`x-${l}: &l${l} [${Array(9).fill(`*l${l - 1}`).join(', ')}]`);
  lines.push('nodes: [{ name: a, roles: [tg], shell: { kind: local } }]', 'datapaths: [memif]', '');
  return lines.join('\n');
}

/** In a child: load `file`, report time, CPU and peak memory as one JSON line on the IPC channel. */
async function measureOne(file: string, maxBytes: number | undefined): Promise<void> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let outcome: string;
  try {
    const lab = await loadLab(file, maxBytes === undefined ? {} : { maxBytes });
    outcome = `loaded ${lab.nodes.length} nodes`;
  } catch (e) {
    outcome = `refused: ${(e as Error).message.split('\n')[0]!.replace(file, '<file>')}`;
  }
  const cpu = process.cpuUsage(c0);
  process.send!({ outcome, wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024 });
}

function inChild(label: string, nodes: number, bytes: number, file: string, maxBytes?: number): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const child = fork(SELF, ['--one', file, ...(maxBytes === undefined ? [] : ['--max-bytes', String(maxBytes)])], { execArgv: process.execArgv });
    let got: Omit<Sample, 'label' | 'nodes' | 'bytes'> | undefined;
    child.on('message', (m) => (got = m as typeof got));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (got) resolve({ label, nodes, bytes, ...got });
      else reject(new Error(`${label}: the measuring process ended with ${signal ?? `exit ${code}`} and no figures`));
    });
  });
}

const mb = (bytes: number): string => (bytes / (1024 * 1024)).toFixed(bytes < 1024 * 1024 ? 2 : 1);

async function main(): Promise<void> {
  const { values: args } = parseArgs({ options: { nodes: { type: 'string', default: '1000,10000,100000' }, one: { type: 'string' }, 'max-bytes': { type: 'string' } } });
  if (args.one !== undefined) return measureOne(args.one, args['max-bytes'] === undefined ? undefined : Number(args['max-bytes']));

  const sizes = args.nodes.split(',').map(Number);
  const dir = await mkdtemp(join(tmpdir(), 'wsp-bench-inventory-'));
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id_ed25519')]);
    await writeFile(join(dir, 'known_hosts'), '');
    console.log(`bench:inventory  ${new Date().toISOString()}  load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const rows: Sample[] = [await inChild('baseline (lab/local.yaml)', 2, 0, LOCAL_LAB_PATH)];
    for (const n of sizes) {
      const file = join(dir, `n${n}.yaml`);
      const text = inventoryText(n);
      await writeFile(file, text);
      rows.push(await inChild(`${n} nodes`, n, Buffer.byteLength(text), file, Number.MAX_SAFE_INTEGER));
      await rm(file);
    }
    const huge = join(dir, 'huge.yaml');
    await writeFile(huge, '');
    await truncate(huge, 50 * 1024 * 1024);
    rows.push(await inChild('50 MB file, default cap', 0, 50 * 1024 * 1024, huge));
    const bomb = join(dir, 'bomb.yaml');
    await writeFile(bomb, aliasBomb());
    rows.push(await inChild('alias bomb (9^9 values)', 1, Buffer.byteLength(aliasBomb()), bomb));
    const aliases = join(dir, 'aliases.yaml');
    const aliasText = [
      'name: aliases',
      'kind: local',
      'x-shell: &shell { kind: local }',
      'nodes:',
      '  - { name: tg, roles: [tg], shell: *shell }',
      ...Array.from({ length: 120 }, (_, i) => `  - { name: w${i}, roles: [dut], shell: *shell }`),
      'datapaths: [memif]',
      '',
    ].join('\n');
    await writeFile(aliases, aliasText);
    rows.push(await inChild('one anchor reused 120 times', 121, Buffer.byteLength(aliasText), aliases));

    console.log('');
    console.log('| inventory | size (MB) | outcome | load wall (s) | load CPU (s) | CPU per node (ms) | peak RSS (MB) |');
    console.log('|---|---:|---|---:|---:|---:|---:|');
    for (const r of rows) {
      const perNode = r.nodes >= 1000 ? (r.cpuMs / r.nodes).toFixed(3) : '';
      console.log(`| ${r.label} | ${mb(r.bytes)} | ${r.outcome} | ${(r.wallMs / 1000).toFixed(2)} | ${(r.cpuMs / 1000).toFixed(2)} | ${perNode} | ${r.peakRssMb.toFixed(0)} |`);
    }
    const scaled = rows.filter((r) => r.label.endsWith(' nodes'));
    const base = rows[0]!;
    console.log('');
    console.log('growth between sizes (linear: CPU and memory above the baseline grow by the node ratio):');
    for (let i = 1; i < scaled.length; i++) {
      const a = scaled[i - 1]!;
      const b = scaled[i]!;
      console.log(
        `  ${a.nodes} -> ${b.nodes} nodes (x${(b.nodes / a.nodes).toFixed(0)}): CPU x${(b.cpuMs / a.cpuMs).toFixed(1)}, ` +
          `peak RSS above baseline x${((b.peakRssMb - base.peakRssMb) / Math.max(1, a.peakRssMb - base.peakRssMb)).toFixed(1)}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
