/**
 * Load a certification profile: a built-in one by name (certify/profiles/<name>.yaml) or any file by path.
 * YAML with positions → strict schema → one cross-field pass (lab/yaml-source.ts, like inventories), so
 * every problem reads `file:line:col path: message` with a hint, all at once.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../core/errors.ts';
import { parseYamlWithSchema, YamlSourceError } from '../../lab/yaml-source.ts';
import { profileSchema, type Profile } from './schema.ts';
import { validateProfile } from './validate.ts';

/** Directory of the built-in profiles. */
export const PROFILES_DIR = fileURLToPath(new URL('../profiles/', import.meta.url));

/** A certification profile that does not load; lists every problem. */
export class ProfileError extends YamlSourceError {}

export interface LoadedProfile {
  readonly profile: Profile;
  /** Absolute path of the file. */
  readonly file: string;
  /** The file's exact text: the certificate keeps a copy and its hash. */
  readonly text: string;
}

/** Names of the built-in profiles. */
export function builtinProfiles(): string[] {
  return readdirSync(PROFILES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

/** `nic-performance` → the built-in file; anything with a slash or a .yaml/.yml ending is a path. */
export function profilePath(nameOrPath: string): string {
  if (nameOrPath.includes('/') || /\.ya?ml$/.test(nameOrPath)) return resolve(nameOrPath);
  const known = builtinProfiles();
  if (!known.includes(nameOrPath)) {
    throw new ConfigError(`unknown certification profile "${nameOrPath}"`, {
      where: '--profile',
      hint: `built-in profiles: ${known.join(', ')}; or give the path of a profile file (docs/certification.md)`,
    });
  }
  return resolve(PROFILES_DIR, `${nameOrPath}.yaml`);
}

/** Load and validate a profile; throws ProfileError (a ConfigError) listing every problem. */
export async function loadProfile(nameOrPath: string): Promise<LoadedProfile> {
  const file = profilePath(nameOrPath);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read the certification profile: ${(e as Error).message}`, {
      where: nameOrPath,
      hint: `give --profile a built-in name (${builtinProfiles().join(', ')}) or the path of a profile file`,
    });
  }
  const display = relative(process.cwd(), file) || file;
  return { profile: parseProfileText(text, display.startsWith('..') ? file : display), file, text };
}

/** Parse and validate profile text; `displayName` is what messages call the file. */
export function parseProfileText(text: string, displayName: string): Profile {
  const r = parseYamlWithSchema(text, displayName, profileSchema, { crossCheck: validateProfile, docPage: 'docs/certification.md' });
  if (!r.ok) throw new ProfileError(r.issues);
  return r.data;
}
