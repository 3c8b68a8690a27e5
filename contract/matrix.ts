/**
 * The run's matrix: one cell per datapath × DUT × generator × NIC of the lab, computed by `wirespeed run` and handed to
 * the Playwright config (suites/projects.ts), which makes two scenario projects of each cell.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { datapathKind, dutKind, generatorKind } from '../lab/schema.ts';
import { ENV } from './env.ts';

export const matrixEntry = z.strictObject({ datapath: datapathKind, dut: dutKind, generator: generatorKind, nic: z.string().min(1) });
export const matrixSchema = z.array(matrixEntry);
export type MatrixEntry = z.infer<typeof matrixEntry>;

/** Project name of a matrix cell: "memif-l3fwd-wsp-gen-virtual". */
export function projectName(m: MatrixEntry): string {
  return `${m.datapath}-${m.dut}-${m.generator}-${m.nic}`;
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
    throw new ConfigError(`${ENV.matrix} is not a list of {datapath, dut, generator, nic}: ${parsed.error.issues[0]?.message ?? ''}`, { where: 'environment', hint: '`wirespeed run` sets it; unset it to run the harness tests' });
  }
  return parsed.data;
}
