import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { ProvisionError } from '../../core/errors.ts';
import type { RunningDatapath } from '../datapath/datapath.ts';
import { benchArgs } from './bench-args.ts';
import { executeBench, markdownTable, rotated, type BenchContext, type BenchDefinition, type BenchFailure } from './bench-run.ts';

/** A bench measuring rows into its state; `failAt` throws in that row's step, as the memif row did. */
function twoRowBench(failAt?: { row: number; error: Error }) {
  const rows: { name: string; mpps: number }[] = [];
  const closed: string[] = [];
  const seenFailures: (BenchFailure | undefined)[] = [];
  const def: BenchDefinition = {
    name: 'bench:test',
    runIdPrefix: 'bt',
    async measure(b: BenchContext) {
      for (const [i, name] of ['vhost-user 64B', 'memif 64B'].entries()) {
        b.step(`${name} pair 5/5: MRR`);
        const dp = { down: async () => void closed.push(`${name} datapath`) } as unknown as RunningDatapath;
        await b.withDatapath(
          async () => dp,
          () =>
            b.withGenerator(
              async () => ({ close: async () => void closed.push(`${name} generator`) }),
              async () => {
                if (failAt?.row === i) throw failAt.error;
                rows.push({ name, mpps: 2.5 + i });
              },
            ),
        );
      }
    },
    report(b, failure) {
      seenFailures.push(failure);
      return {
        lines: [`run ${b.runId}${failure ? '; STOPPED EARLY' : ''}`, ...markdownTable(['row', 'Mpps'], rows.map((r) => [r.name, r.mpps.toFixed(3)]))],
        json: { file: 'bench-test.json', data: { rows } },
        verdict: ['goal met'],
        exitCode: 0,
      };
    },
    scratchDirs: ['sock'],
  };
  return { def, rows, closed, seenFailures };
}

let resultsDir: string;
test.beforeEach(async () => {
  resultsDir = await mkdtemp(join(tmpdir(), 'wsp-bench-run-'));
});
test.afterEach(async () => {
  await rm(resultsDir, { recursive: true, force: true });
});

test('a row that fails after others were measured: the table of those rows, then the failure with the step, the reason and a hint; exit non-zero', async () => {
  const error = new ProvisionError('wsp-gen port 0: configure/start failed: Operation not permitted', { where: 'generator on memif', hint: 'is the DUT still up?' });
  const b = twoRowBench({ row: 1, error });
  const o = await executeBench(b.def, { resultsDir, signals: false });

  expect(o.exitCode).toBe(3); // a lab problem, by the error's severity
  expect(o.stdout).toContain('| vhost-user 64B | 2.500 |');
  expect(o.stdout).toContain('STOPPED EARLY');
  expect(o.stdout).not.toContain('memif 64B |');
  expect(o.stderr).toContain('bench:test FAILED during memif 64B pair 5/5: MRR (generator on memif):');
  expect(o.stderr).toContain('configure/start failed: Operation not permitted');
  expect(o.stderr).toMatch(/hint: is the DUT still up\?; the table above has what was measured before it/);
  // The verdict of a complete run is not printed for a run that stopped early.
  expect(o.stderr).not.toContain('goal met');
  // The failed row's generator and datapath were closed, as the first row's were.
  expect(b.closed).toEqual(['vhost-user 64B generator', 'vhost-user 64B datapath', 'memif 64B generator', 'memif 64B datapath']);
  expect(b.seenFailures[0]?.where).toBe('memif 64B pair 5/5: MRR (generator on memif)');
  // The JSON keeps the rows and says why the rest is missing.
  const json = JSON.parse(await readFile(join(o.runDir, 'bench-test.json'), 'utf8')) as { rows: unknown[]; failure: BenchFailure };
  expect(json.rows).toHaveLength(1);
  expect(json.failure.what).toBe('wsp-gen port 0: configure/start failed: Operation not permitted');
  expect(await readdir(o.runDir)).toEqual(['bench-test.json']); // the runtime and scratch dirs are gone
});

test('a failure that is not ours (a bug) exits 70 and still names the step', async () => {
  const b = twoRowBench({ row: 0, error: new TypeError("Cannot read properties of undefined (reading 'genRxPps')") });
  const o = await executeBench(b.def, { resultsDir, signals: false });
  expect(o.exitCode).toBe(70);
  expect(o.stderr).toContain("bench:test FAILED during vhost-user 64B pair 5/5: MRR:\n  Cannot read properties of undefined (reading 'genRxPps')");
  expect(o.stdout).toContain('| row | Mpps |'); // an empty table, but the header says what would have been there
});

test('a complete run prints the table and the verdict, exits with the report code', async () => {
  const b = twoRowBench();
  const o = await executeBench(b.def, { resultsDir, signals: false });
  expect(o.exitCode).toBe(0);
  expect(o.stdout).toContain('| memif 64B | 3.500 |');
  expect(o.stdout).not.toContain('STOPPED EARLY');
  expect(o.stderr).toContain('bench: goal met');
  expect(b.seenFailures).toEqual([undefined]);
});

test('bench options: a bad value names the bench, the option and a valid example', () => {
  const check = benchArgs('bench:local');
  expect(check.integers('frames', '64,1518')).toEqual([64, 1518]);
  expect(check.datapaths('kinds', 'memif,vhost-user')).toEqual(['memif', 'vhost-user']);
  expect(() => check.integers('frames', '64,15x8')).toThrow(/bench:local --frames: "15x8" is not a positive whole number\n  hint: e.g. --frames 64,1518/);
  expect(() => check.number('window', '0')).toThrow(/--window: "0" is not a positive number/);
  expect(check.number('warmup', '0', { zero: true })).toBe(0);
  expect(() => check.datapaths('kinds', 'memif,sriov', ['memif', 'vhost-user'])).toThrow(/bench:local --kinds: datapath "sriov" is not one this bench runs\n  hint: use memif, vhost-user/);
  expect(() => check.oneOf('modes', 'polling,busy', ['polling', 'interrupt'])).toThrow(/unknown value "busy"\n  hint: known: polling, interrupt/);
});

test('rounds rotate the cells so that none always runs first', () => {
  expect([0, 1, 2].map((r) => rotated(['a', 'b', 'c'], r).join(''))).toEqual(['abc', 'bca', 'cab']);
});
