/**
 * The environment variables through which `wirespeed run` hands a run to the Playwright processes: the
 * runner and its workers inherit the environment, and test options cannot carry a lab path into the
 * config. Every name is defined here once; contract/settings.ts and contract/matrix.ts read them.
 */
export const ENV = {
  /** Absolute path of the lab inventory. */
  lab: 'WIRESPEED_LAB',
  /** The run directory (its name is the run id). */
  out: 'WIRESPEED_OUT',
  /** "1" for a quick run. */
  quick: 'WIRESPEED_QUICK',
  /** Frame sizes as the user wrote them: "64,1518,imix". */
  frameSizes: 'WIRESPEED_FRAME_SIZES',
  /** Flows per direction of the throughput and latency scenarios: "254" (default 1). */
  flows: 'WIRESPEED_FLOWS',
  /** sriov-conformance suite: JSON { vfsPerPf, maxMtu, tests } (wirespeed certify sets it from the profile). */
  sriovConformance: 'WIRESPEED_SRIOV_CONFORMANCE',
  /** The matrix cells as JSON (contract/matrix.ts). */
  matrix: 'WIRESPEED_MATRIX',
  /** How many times each throughput search runs (and MRR trials it takes): `--repeat N`. */
  repeat: 'WIRESPEED_REPEAT',
  /** Every trial this long, in seconds: tests of the harness itself shorten runs with it. */
  trialS: 'WIRESPEED_TRIAL_S',
  /** Backstop timeout of one scenario, ms (default 30 min). */
  scenarioTimeoutMs: 'WIRESPEED_SCENARIO_TIMEOUT_MS',
} as const;
