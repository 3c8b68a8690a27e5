import { defineConfig } from '@playwright/test';
import { scenarioProjects } from './suites/projects.ts';

/**
 * One runner for everything (DESIGN): the harness's own tests (`*.test.ts` beside the code) and the
 * scenario suites (`suites/`). Tests that start DPDK processes (`*.lab.test.ts`) poll on both cores, so
 * they run in their own project, one at a time, after the pure ones.
 */
export default defineConfig({
  timeout: 120_000,
  forbidOnly: !!process.env.CI,
  reporter: process.env.CI ? [['list'], ['junit', { outputFile: 'test-results/junit.xml' }]] : [['list']],
  outputDir: 'test-results/artifacts',
  projects: [
    {
      name: 'harness',
      testMatch: /(cli|core|lab|drivers|method|reports|contract|certify|fixtures|suites|tools)\/.*(?<!\.lab)\.test\.ts$/,
    },
    {
      name: 'local-lab',
      testMatch: /(cli|core|lab|drivers|method|reports|contract|certify|fixtures|suites|tools)\/.*\.lab\.test\.ts$/,
      workers: 1,
      dependencies: ['harness'],
      timeout: 300_000,
    },
    // Scenario suites (suites/*.spec.ts): one project per datapath x DUT x NIC, only under `wirespeed run`.
    ...scenarioProjects(),
  ],
});
