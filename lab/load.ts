/**
 * Load a lab inventory: YAML with source positions → strict schema → one cross-reference pass →
 * runtime model. Every problem reads `file:line:col path.to.field: message` plus a hint, and all of
 * them are reported at once (InventoryError).
 */
import { open } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../core/errors.ts';
import { InventoryError } from './inventory-error.ts';
import { buildLab, type Lab } from './model.ts';
import { labConfig, type LabConfig } from './schema.ts';
import { validateLab } from './validate.ts';
import { parseYamlWithSchema } from './yaml-source.ts';

/** The embedded default inventory (the local lab on this machine). */
export const LOCAL_LAB_PATH = fileURLToPath(new URL('./local.yaml', import.meta.url));

/**
 * Largest inventory read. A lab inventory takes a few hundred bytes per node; 4 MiB is some 10,000
 * nodes written out. The YAML parser holds about 100 bytes of memory per byte of input, so the cap
 * is what keeps a wrong --lab (a log, an image) or a hostile file from taking the machine's memory.
 */
export const MAX_INVENTORY_BYTES = 4 * 1024 * 1024;

export interface LoadOptions {
  /** Check that key, knownHosts and kubeconfig files exist and that keys parse (default true). */
  checkFiles?: boolean;
  /** Size cap in bytes (default MAX_INVENTORY_BYTES); the inventory benchmark raises it. */
  maxBytes?: number;
}

/** Load, validate and model the inventory at `path`; throws InventoryError (a ConfigError) listing every problem. */
export async function loadLab(path: string, opts: LoadOptions = {}): Promise<Lab> {
  const file = resolve(path);
  const text = await readInventory(path, file, opts.maxBytes ?? MAX_INVENTORY_BYTES);
  const config = parseLabText(text, path, { ...opts, dir: dirname(file) });
  return buildLab(config, file, dirname(file));
}

/** The file's text, refused before it is read when it is larger than `maxBytes` (pipes: once they pass it). */
async function readInventory(path: string, file: string, maxBytes: number): Promise<string> {
  const cannotRead = (e: unknown): ConfigError =>
    new ConfigError(`cannot read the lab inventory: ${(e as Error).message}`, {
      where: path,
      hint: `give --lab the path of an inventory file; ${relative(process.cwd(), LOCAL_LAB_PATH)} is the local lab`,
    });
  const tooLarge = (bytes: string): ConfigError =>
    new ConfigError(`the lab inventory is ${bytes}, more than the ${formatBytes(maxBytes)} an inventory may have`, {
      where: path,
      hint: 'an inventory describes one lab in a few hundred bytes per node: check that --lab names the inventory (not a log or an archive), or split it into one file per lab',
    });
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw cannotRead(e);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw cannotRead(new Error(`${path} is a directory`));
    if (st.isFile() && st.size > maxBytes) throw tooLarge(formatBytes(st.size));
    // Read at most maxBytes + 1: a FIFO or a file growing meanwhile is refused once it passes the cap.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const want = Math.min(1 << 20, maxBytes + 1 - total);
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await fh.read(buf, 0, want, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw tooLarge(`more than ${formatBytes(maxBytes)}`);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw cannotRead(e);
  } finally {
    await fh.close();
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KiB`;
  return `${n} bytes`;
}

/** Parse and validate inventory text; `displayName` is what messages call the file. */
export function parseLabText(text: string, displayName: string, opts: LoadOptions & { dir: string }): LabConfig {
  const r = parseYamlWithSchema(text, displayName, labConfig, {
    nesting: 'an inventory nests about 7 levels (nodes, nics, ports …)',
    prepare: withoutExtensionKeys,
    crossCheck: (config) => validateLab(config, { dir: opts.dir, ...(opts.checkFiles === undefined ? {} : { checkFiles: opts.checkFiles }) }),
  });
  if (!r.ok) throw new InventoryError(r.issues);
  return r.data;
}

/**
 * Top-level keys starting with `x-` are a place for anchors (`x-shell: &shell {…}`), as in Compose
 * files; they are not part of the lab and are dropped before the strict schema sees the document.
 */
function withoutExtensionKeys(data: unknown): unknown {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return data;
  return Object.fromEntries(Object.entries(data).filter(([k]) => !k.startsWith('x-')));
}
