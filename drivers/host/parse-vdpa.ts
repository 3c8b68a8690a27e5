/** iproute2 `vdpa`: `vdpa mgmtdev show -j` and `vdpa dev show -j` (and the text forms). */
import { z } from 'zod';
import { outputFormatError, outputLines } from './output-format-error.ts';

export interface VdpaMgmtdev {
  /** pci/0000:65:00.2, auxiliary/mlx5_core.sf.1, vdpasim_net, vduse */
  readonly name: string;
  readonly supportedClasses: readonly string[];
  readonly maxSupportedVqs?: number;
  readonly devFeatures?: readonly string[];
}

export interface VdpaDev {
  readonly name: string;
  readonly type: string;
  readonly mgmtdev: string;
  readonly vendorId: number;
  readonly maxVqs: number;
  readonly maxVqSize: number;
}

function parseJson(tool: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw outputFormatError(tool, 'JSON (vdpa -j)', text.slice(0, 80));
  }
}

function check<T>(tool: string, schema: z.ZodType<T>, data: unknown): T {
  const r = schema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw outputFormatError(tool, `field ${issue.path.join('.')}: ${issue.message}`, JSON.stringify(data).slice(0, 160));
  }
  return r.data;
}

const mgmtJson = z.object({
  mgmtdev: z.record(
    z.string(),
    z.object({
      supported_classes: z.union([z.array(z.string()), z.string()]),
      max_supported_vqs: z.number().optional(),
      dev_features: z.union([z.array(z.string()), z.string()]).optional(),
    }),
  ),
});

const asList = (v: string[] | string | undefined): string[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v : v.split(/\s+/).filter(Boolean);

/** Parse `vdpa mgmtdev show -j`. */
export function parseVdpaMgmtdevJson(text: string): VdpaMgmtdev[] {
  const d = check('vdpa mgmtdev show -j', mgmtJson, parseJson('vdpa mgmtdev show -j', text));
  return Object.entries(d.mgmtdev).map(([name, v]) => {
    const features = asList(v.dev_features);
    return {
      name,
      supportedClasses: asList(v.supported_classes)!,
      ...(v.max_supported_vqs === undefined ? {} : { maxSupportedVqs: v.max_supported_vqs }),
      ...(features === undefined ? {} : { devFeatures: features }),
    };
  });
}

/** Parse the text `vdpa mgmtdev show`: `<handle>:` then indented `supported_classes …` etc. */
export function parseVdpaMgmtdevText(text: string): VdpaMgmtdev[] {
  const out: { name: string; supportedClasses?: string[]; maxSupportedVqs?: number; devFeatures?: string[] }[] = [];
  outputLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const h = /^(\S+):$/.exec(line);
    if (h) {
      out.push({ name: h[1]! });
      return;
    }
    const cur = out[out.length - 1];
    const m = /^\s+(supported_classes|max_supported_vqs|dev_features)(?:\s+(.*))?$/.exec(line);
    if (!cur || !m) throw outputFormatError('vdpa mgmtdev show', "'<mgmtdev>:' or an indented 'supported_classes|max_supported_vqs|dev_features' line", line, i + 1);
    const words = (m[2] ?? '').trim().split(/\s+/).filter(Boolean);
    if (m[1] === 'supported_classes') cur.supportedClasses = words;
    else if (m[1] === 'dev_features') cur.devFeatures = words;
    else cur.maxSupportedVqs = Number(words[0]);
  });
  return out.map((e) => {
    if (!e.supportedClasses) throw outputFormatError('vdpa mgmtdev show', `'supported_classes' for ${e.name}`, '(missing)');
    return {
      name: e.name,
      supportedClasses: e.supportedClasses,
      ...(e.maxSupportedVqs === undefined ? {} : { maxSupportedVqs: e.maxSupportedVqs }),
      ...(e.devFeatures === undefined ? {} : { devFeatures: e.devFeatures }),
    };
  });
}

const devJson = z.object({
  dev: z.record(
    z.string(),
    z.object({ type: z.string(), mgmtdev: z.string(), vendor_id: z.number(), max_vqs: z.number(), max_vq_size: z.number() }),
  ),
});

/** Parse `vdpa dev show -j` (an empty `{"dev":{}}` means no devices). */
export function parseVdpaDevJson(text: string): VdpaDev[] {
  const d = check('vdpa dev show -j', devJson, parseJson('vdpa dev show -j', text));
  return Object.entries(d.dev).map(([name, v]) => ({
    name,
    type: v.type,
    mgmtdev: v.mgmtdev,
    vendorId: v.vendor_id,
    maxVqs: v.max_vqs,
    maxVqSize: v.max_vq_size,
  }));
}

/** Parse the text `vdpa dev show`: `<name>: type network mgmtdev <m> vendor_id N max_vqs N max_vq_size N` (+ optional `initial_config:` line). */
export function parseVdpaDevText(text: string): VdpaDev[] {
  const out: VdpaDev[] = [];
  outputLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    if (/^\s+initial_config:/.test(line)) return;
    const m = /^(\S+): type (\S+) mgmtdev (\S+) vendor_id (\d+) max_vqs (\d+) max_vq_size (\d+)$/.exec(line.trim());
    if (!m) throw outputFormatError('vdpa dev show', "'<name>: type <t> mgmtdev <m> vendor_id <n> max_vqs <n> max_vq_size <n>'", line, i + 1);
    out.push({ name: m[1]!, type: m[2]!, mgmtdev: m[3]!, vendorId: Number(m[4]), maxVqs: Number(m[5]), maxVqSize: Number(m[6]) });
  });
  return out;
}
