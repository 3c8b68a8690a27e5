/**
 * Scenario projects for playwright.config.ts: one per datapath × DUT × NIC of the lab, as typed options.
 * `wirespeed run` computes the matrix from the lab (and --datapath) and passes it in WIRESPEED_MATRIX;
 * without it (a plain `npx playwright test`) there are no scenario projects, so `npm test` never starts a
 * lab run by accident.
 */
import { z } from 'zod';
import type { PlaywrightTestProject } from '@playwright/test';
import { datapathKind } from '../lab/schema.ts';
import type { MatrixOptions } from './test.ts';

export const matrixEntry = z.strictObject({ datapath: datapathKind, dut: z.string().min(1), nic: z.string().min(1) });
export const matrixSchema = z.array(matrixEntry);
export type MatrixEntry = z.infer<typeof matrixEntry>;

export const MATRIX_ENV = 'WIRESPEED_MATRIX';

/** Project name of a matrix cell: "memif-l3fwd-virtual". */
export function projectName(m: MatrixEntry): string {
  return `${m.datapath}-${m.dut}-${m.nic}`;
}

/** Throughput runs first in each cell: latency, failover and soak take their loads from its PDR/NDR. */
const THROUGHPUT_SPEC = /(^|\/)throughput\.spec\.ts$/;

/**
 * The scenario projects for the matrix in the environment (none without it). Each cell has two projects,
 * in this order: `<cell>:throughput`, then `<cell>` with the other suites. Playwright runs projects in
 * config order with one worker and sorts files by name, so this is how throughput comes first.
 */
export function scenarioProjects(env: NodeJS.ProcessEnv = process.env): PlaywrightTestProject<MatrixOptions>[] {
  const text = env[MATRIX_ENV];
  if (text === undefined || text === '') return [];
  const matrix = matrixSchema.parse(JSON.parse(text));
  return matrix.flatMap((m) => [
    { ...common(m, env), name: `${projectName(m)}:throughput`, testMatch: THROUGHPUT_SPEC },
    { ...common(m, env), name: projectName(m), testMatch: /\.spec\.ts$/, testIgnore: THROUGHPUT_SPEC },
  ]);
}

/** Every project name of the matrix, in run order. */
export function projectNames(matrix: readonly MatrixEntry[]): string[] {
  return matrix.flatMap((m) => [`${projectName(m)}:throughput`, projectName(m)]);
}

function common(m: MatrixEntry, env: NodeJS.ProcessEnv): PlaywrightTestProject<MatrixOptions> {
  return {
    testDir: 'suites',
    // Scenarios share the CPUs with the lab's pollers: one at a time, in file order.
    workers: 1,
    fullyParallel: false,
    retries: 0,
    // Search, soak and failover durations are bounded by the scenario itself; this is the backstop.
    timeout: Number(env.WIRESPEED_SCENARIO_TIMEOUT_MS ?? 1_800_000),
    use: { datapath: m.datapath, dut: m.dut, nic: m.nic },
  };
}
