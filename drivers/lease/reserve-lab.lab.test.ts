import { test, expect } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLab, LOCAL_LAB_PATH } from '../../lab/load.ts';
import { thisHolder } from './lease.ts';
import { reserveRunLab } from './reserve-lab.ts';
import { alive } from '../../fixtures/alive.ts';

// What a run killed with SIGKILL leaves, faked with the same names: then the next run takes over its lease.
test('taking over the lease of a dead run sweeps its processes, namespace, hugepage file, DPDK runtime directory and sockets, and says so', async () => {
  const base = mkdtempSync(join(tmpdir(), 'wsp-takeover-'));
  const dead = 'deadrun7';
  const marker = `wsp-${dead}-`;
  const deadDir = join(base, dead);
  mkdirSync(join(deadDir, 'sock'), { recursive: true });
  writeFileSync(join(deadDir, 'sock', 'dut0.sock'), '');
  writeFileSync(join(deadDir, 'records.jsonl'), '{"kept":true}\n');
  const hugeFile = `/dev/hugepages/${marker}dutmap_0`;
  const runtimeDir = `/var/run/dpdk/${marker}dut`;
  const ns = `${marker}gen`;
  const proc = spawn('bash', ['-c', `exec -a ${marker}dut sleep 300`], { stdio: 'ignore', detached: true });
  try {
    writeFileSync(hugeFile, '');
    mkdirSync(runtimeDir, { recursive: true });
    writeFileSync(join(runtimeDir, 'config'), '');
    expect(spawnSync('ip', ['netns', 'add', ns]).status).toBe(0);
    const pid = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    writeFileSync(join(base, 'lease.json'), `${JSON.stringify({ ...thisHolder(dead, 'local', deadDir), pid: Number(pid) })}\n`);
    await expect.poll(() => readFileSync(`/proc/${proc.pid}/cmdline`, 'utf8').includes(marker)).toBe(true);

    const lines: string[] = [];
    const held = await reserveRunLab(await loadLab(LOCAL_LAB_PATH), { runId: 'nextrun7', runDir: join(base, 'nextrun7'), waitForLabMs: 0, leaseDir: base, print: (l) => lines.push(l) });
    try {
      expect(held.takeovers).toHaveLength(1);
      const t = held.takeovers[0]!;
      expect(t.previous.runId).toBe(dead);
      expect(t.reason).toMatch(/^its process \d+ on .* is gone$/);
      expect(t.swept).toEqual(
        expect.arrayContaining([
          `process ${proc.pid} sleep`,
          `network namespace ${ns}`,
          `file ${hugeFile}`,
          `file ${runtimeDir}`,
          `file ${join(deadDir, 'sock')}`,
        ]),
      );
      expect(lines.some((l) => l.startsWith(`warning: took over the lease of run ${dead} at this machine: its process`))).toBe(true);
      expect(lines.some((l) => l.startsWith(`swept what run ${dead} left at this machine: process ${proc.pid} sleep`))).toBe(true);
      await expect.poll(() => alive(proc.pid!)).toBe(false);
      expect(existsSync(hugeFile)).toBe(false);
      expect(existsSync(runtimeDir)).toBe(false);
      expect(spawnSync('ip', ['netns', 'list']).stdout.toString()).not.toContain(ns);
      // Records of the dead run are its results: kept.
      expect(readFileSync(join(deadDir, 'records.jsonl'), 'utf8')).toContain('kept');
      expect(JSON.parse(readFileSync(join(base, 'lease.json'), 'utf8')).runId).toBe('nextrun7');
    } finally {
      await held.release();
    }
    expect(existsSync(join(base, 'lease.json'))).toBe(false);
  } finally {
    if (proc.pid && alive(proc.pid)) process.kill(proc.pid, 'SIGKILL');
    rmSync(hugeFile, { force: true });
    rmSync(runtimeDir, { recursive: true, force: true });
    spawnSync('ip', ['netns', 'delete', ns]);
    rmSync(base, { recursive: true, force: true });
  }
});
