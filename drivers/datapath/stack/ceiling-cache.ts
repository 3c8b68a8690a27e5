/**
 * The generator's ceiling, measured once per run and profile: every worker of a run brings its own stack
 * up, and the tester does not change between them. Kept as a small JSON file in the run directory (workers
 * are separate processes); a ceiling from another run is never used.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { profileTag, type TrafficProfile } from '../../../method/trial.ts';
import type { GeneratorCeiling } from './stack.ts';

const DIR = 'generator-ceiling';

const fileOf = (runDir: string, generator: string, profile: TrafficProfile, cpus: readonly number[]): string =>
  join(runDir, DIR, `${generator}-${profileTag(profile)}-cpu${cpus.join('_')}.json`);

/** The ceiling already measured in this run on these CPUs, else measured now and kept. */
export async function cachedCeiling(
  o: { runDir: string; generator: string; profile: TrafficProfile; cpus: readonly number[] },
  measure: () => Promise<GeneratorCeiling>,
): Promise<GeneratorCeiling> {
  const file = fileOf(o.runDir, o.generator, o.profile, o.cpus);
  const known = await readFile(file, 'utf8').then(
    (t) => JSON.parse(t) as GeneratorCeiling,
    () => undefined,
  );
  if (known && known.ceilingPps > 0) return known;
  const c = await measure();
  await mkdir(join(o.runDir, DIR), { recursive: true });
  // Write then rename: a reader in another worker never sees half a file.
  await writeFile(`${file}.tmp`, JSON.stringify(c));
  await rename(`${file}.tmp`, file);
  return c;
}
