/**
 * Scenario projects for playwright.config.ts: two per matrix cell (contract/matrix.ts: datapath × DUT × generator × NIC × DUT cores),
 * as typed options. `wirespeed run` computes the matrix from the lab (and its flags) and passes it in the environment;
 * without it (a plain `npx playwright test`) there are no scenario projects, so `npm test` never starts a
 * lab run by accident.
 */
import type { PlaywrightTestProject } from '@playwright/test';
import { ENV } from '../contract/env.ts';
import { matrixFromEnv, projectName, type MatrixEntry } from '../contract/matrix.ts';
import type { MatrixOptions } from './test.ts';

/** Throughput runs first in each cell: latency, failover and soak take their loads from its PDR/NDR. */
const THROUGHPUT_SPEC = /(^|\/)throughput\.spec\.ts$/;

/**
 * The scenario projects for the matrix in the environment (none without it). Each cell has two projects,
 * in this order: `<cell>:throughput`, then `<cell>` with the other suites. Playwright runs projects in
 * config order with one worker and sorts files by name, so this is how throughput comes first.
 */
export function scenarioProjects(env: NodeJS.ProcessEnv = process.env): PlaywrightTestProject<MatrixOptions>[] {
  return matrixFromEnv(env).flatMap((m) => [
    { ...common(m, env), name: `${projectName(m)}:throughput`, testMatch: THROUGHPUT_SPEC },
    { ...common(m, env), name: projectName(m), testMatch: /\.spec\.ts$/, testIgnore: THROUGHPUT_SPEC },
  ]);
}

function common(m: MatrixEntry, env: NodeJS.ProcessEnv): PlaywrightTestProject<MatrixOptions> {
  return {
    testDir: 'suites',
    // Scenarios share the CPUs with the lab's pollers: one at a time, in file order.
    workers: 1,
    fullyParallel: false,
    retries: 0,
    // Search, soak and failover durations are bounded by the scenario itself; this is the backstop.
    timeout: Number(env[ENV.scenarioTimeoutMs] ?? 1_800_000),
    use: { datapath: m.datapath, dut: m.dut, generator: m.generator, nic: m.nic, dutCores: m.dutCores ?? 1 },
  };
}
