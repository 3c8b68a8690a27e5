/**
 * The run's matrix: one cell per datapath × DUT × generator × NIC × DUT core count of the lab, computed by
 * `wirespeed run` and handed to the Playwright config (suites/projects.ts), which makes two scenario projects
 * of each cell. A cell is one stack: l3fwd on 2 cores is another DUT process than on 1.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { datapathKind, dutKind, generatorKind } from '../lab/schema.ts';
import { threadsCoresTag, dutCoresPart } from '../reports/schema/scenario-id.ts';
import { ENV } from './env.ts';
import { MAX_DUT_CORES } from './settings.ts';

export const matrixEntry = z.strictObject({
  datapath: datapathKind,
  dut: dutKind,
  generator: generatorKind,
  nic: z.string().min(1),
  /** DUT polling cores (absent: 1). */
  dutCores: z.number().int().min(1).max(MAX_DUT_CORES).optional(),
});
export const matrixSchema = z.array(matrixEntry);
export type MatrixEntry = z.infer<typeof matrixEntry>;

/** Project name of a matrix cell: "memif-l3fwd-wsp-gen-virtual", "pf-l3fwd-pktgen-x710-2t2c" with 2 DUT cores. */
export function projectName(m: MatrixEntry): string {
  const tag = threadsCoresTag(dutCoresPart(m.dutCores ?? 1));
  return `${m.datapath}-${m.dut}-${m.generator}-${m.nic}${tag === undefined ? '' : `-${tag}`}`;
}

/** Every project name of the matrix, in run order: each cell's throughput project first (suites/projects.ts). */
export function projectNames(matrix: readonly MatrixEntry[]): string[] {
  return matrix.flatMap((m) => [`${projectName(m)}:throughput`, projectName(m)]);
}

/** The environment entry that carries the matrix. */
export function matrixEnv(matrix: readonly MatrixEntry[]): Record<string, string> {
  return { [ENV.matrix]: JSON.stringify(matrixSchema.parse(matrix)) };
}

/** The matrix in an environment; empty without one (a plain `npx playwright test` runs no scenario). */
export function matrixFromEnv(env: NodeJS.ProcessEnv): MatrixEntry[] {
  const text = env[ENV.matrix];
  if (text === undefined || text === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${ENV.matrix} is not JSON: ${err instanceof Error ? err.message : String(err)}`, { where: 'environment', hint: '`wirespeed run` sets it; unset it to run the harness tests' });
  }
  const parsed = matrixSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(`${ENV.matrix} is not a list of {datapath, dut, generator, nic, dutCores?}: ${(parsed.error.issues[0]?.path ?? []).join('.')}: ${parsed.error.issues[0]?.message ?? ''}`, { where: 'environment', hint: '`wirespeed run` sets it; unset it to run the harness tests' });
  }
  return parsed.data;
}
