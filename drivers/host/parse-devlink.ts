/** `devlink dev eswitch show <dev>` text and `devlink -j dev eswitch show` JSON. */
import { outputFormatError, outputLines } from './output-format-error.ts';

export type EswitchMode = 'legacy' | 'switchdev' | 'switchdev_inactive';

export interface EswitchInfo {
  /** pci/0000:08:00.0 */
  readonly dev: string;
  readonly mode: EswitchMode;
  readonly inlineMode?: string;
  readonly encapMode?: string;
  /** Every attribute printed (newer kernels add shrdesc-mode, shrdesc-count ...). */
  readonly attrs: Readonly<Record<string, string>>;
}

const MODES = new Set(['legacy', 'switchdev', 'switchdev_inactive']);

function build(dev: string, attrs: Record<string, string>, line: string): EswitchInfo {
  const mode = attrs['mode'];
  if (mode === undefined || !MODES.has(mode)) throw outputFormatError('devlink dev eswitch show', "'mode legacy|switchdev'", line);
  return {
    dev,
    mode: mode as EswitchMode,
    ...(attrs['inline-mode'] === undefined ? {} : { inlineMode: attrs['inline-mode'] }),
    ...(attrs['encap-mode'] === undefined ? {} : { encapMode: attrs['encap-mode'] }),
    attrs,
  };
}

/** Parse the text form: `pci/<bdf>: mode <m>[ inline-mode <x>][ encap-mode <y>][ ...]`, possibly wrapped. */
export function parseEswitchShow(text: string): EswitchInfo[] {
  // iproute2 wraps long lines with a trailing backslash in some captures; join them first
  const joined = outputLines(text.replace(/\\\n\s*/g, ' ')).filter((l) => l.trim() !== '');
  return joined.map((line, i) => {
    const m = /^\s*(\S+\/\S+): (.+)$/.exec(line);
    if (!m) throw outputFormatError('devlink dev eswitch show', "'pci/<bdf>: mode <mode> ...'", line, i + 1);
    const words = m[2]!.trim().split(/\s+/);
    if (words.length % 2 !== 0) throw outputFormatError('devlink dev eswitch show', "'<attribute> <value>' pairs", line, i + 1);
    const attrs: Record<string, string> = {};
    for (let k = 0; k < words.length; k += 2) attrs[words[k]!] = words[k + 1]!;
    return build(m[1]!, attrs, line);
  });
}

/** Parse `devlink -j dev eswitch show`: {"dev":{"pci/...":{"mode":"legacy",...}}}. */
export function parseEswitchShowJson(text: string): EswitchInfo[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw outputFormatError('devlink -j dev eswitch show', 'JSON', text.slice(0, 80));
  }
  const dev = (data as { dev?: unknown }).dev;
  if (typeof dev !== 'object' || dev === null) throw outputFormatError('devlink -j dev eswitch show', "an object with 'dev'", text.slice(0, 80));
  return Object.entries(dev as Record<string, unknown>).map(([name, v]) => {
    if (typeof v !== 'object' || v === null) throw outputFormatError('devlink -j dev eswitch show', `an object for ${name}`, String(v));
    const attrs: Record<string, string> = {};
    for (const [k, val] of Object.entries(v)) attrs[k] = String(val);
    return build(name, attrs, JSON.stringify(v));
  });
}

/** One devlink port (`devlink -j port show`): the uplink (flavour physical) or a representor (pcivf, pcisf …). */
export interface DevlinkPort {
  /** pci/0000:06:00.0/65535 */
  readonly handle: string;
  /** pci/0000:06:00.0 */
  readonly dev: string;
  readonly flavour: string;
  readonly netdev?: string;
  /** Physical port number (flavour physical). */
  readonly port?: number;
  readonly pfnum?: number;
  readonly vfnum?: number;
  readonly external?: boolean;
}

/**
 * Parse `devlink -j port show`: {"port":{"pci/0000:06:00.0/65535":{"type":"eth","netdev":"ens2f0np0",
 * "flavour":"physical","port":0,"splittable":false}, "pci/…/2":{…,"flavour":"pcivf","pfnum":0,"vfnum":1}}}
 * (iproute2 devlink.c; key names as in the kernel's devlink port patches).
 */
export function parsePortShowJson(text: string): DevlinkPort[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw outputFormatError('devlink -j port show', 'JSON', text.slice(0, 80));
  }
  const ports = (data as { port?: unknown }).port;
  if (typeof ports !== 'object' || ports === null) throw outputFormatError('devlink -j port show', "an object with 'port'", text.slice(0, 80));
  return Object.entries(ports as Record<string, unknown>).map(([handle, v]) => {
    const p = (v ?? {}) as Record<string, unknown>;
    const flavour = p['flavour'];
    if (typeof flavour !== 'string') throw outputFormatError('devlink -j port show', `a flavour for ${handle}`, JSON.stringify(v));
    const num = (k: string): number | undefined => (typeof p[k] === 'number' ? (p[k] as number) : undefined);
    const port = num('port');
    const pfnum = num('pfnum');
    const vfnum = num('vfnum');
    return {
      handle,
      dev: handle.replace(/\/\d+$/, ''),
      flavour,
      ...(typeof p['netdev'] === 'string' ? { netdev: p['netdev'] } : {}),
      ...(port === undefined ? {} : { port }),
      ...(pfnum === undefined ? {} : { pfnum }),
      ...(vfnum === undefined ? {} : { vfnum }),
      ...(typeof p['external'] === 'boolean' ? { external: p['external'] } : {}),
    };
  });
}
