/**
 * Upstream release manifests of a component, as the lab names them (`cluster.install.<component>`: a file
 * relative to the inventory, or an https URL): a multi-document YAML of Kubernetes objects (the Helm-rendered
 * chart or the `deploy/` manifests with their variables filled in). wirespeed applies them as they are and
 * checks that they are of the pinned version; it never carries copies of them.
 */
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { ConfigError } from '../../../core/errors.ts';
import { redactSecrets } from '../../../core/redact.ts';
import { field, type KubeObject } from '../kube-object.ts';

/** Read and parse a manifest bundle; ConfigError naming the source and the document for anything malformed. */
export async function loadManifests(source: string, where: string): Promise<KubeObject[]> {
  const text = await readSource(source, where);
  const docs = parseAllDocuments(text);
  const out: KubeObject[] = [];
  for (const [i, doc] of docs.entries()) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      throw new ConfigError(`${source}: document ${i + 1} is not valid YAML (${e.message.split('\n')[0]})`, { where, hint: 'give the upstream release manifests as they are published, or rendered from the chart' });
    }
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue; // an empty document (a trailing ---)
    const list = isList(value) ? (field(value, 'items') as unknown[]) : [value];
    for (const item of list) {
      const o = item as Partial<KubeObject>;
      if (typeof o !== 'object' || o === null || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
        throw new ConfigError(`${source}: document ${i + 1} is not a Kubernetes object (it needs apiVersion, kind and metadata.name)`, { where });
      }
      out.push(o as KubeObject);
    }
  }
  if (out.length === 0) throw new ConfigError(`${source} holds no Kubernetes objects`, { where });
  return out;
}

/** Every container image the objects run (pod templates, DaemonSets, Deployments, pods; init containers too). */
export function imagesOf(objs: readonly KubeObject[]): string[] {
  const out: string[] = [];
  for (const o of objs) {
    const spec = (o.kind === 'Pod' ? field(o, 'spec') : field(o, 'spec', 'template', 'spec')) as { containers?: { image?: string }[]; initContainers?: { image?: string }[] } | undefined;
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) if (c.image) out.push(c.image);
  }
  return out;
}

/** The tag of an image reference (`repo:tag`, `repo:tag@sha256:…`), or undefined. */
export function imageTag(image: string): string | undefined {
  const noDigest = image.split('@')[0] ?? image;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  return colon < 0 ? undefined : noDigest.slice(colon + 1);
}

/** Does an image tag carry the version (`v4.1.0`, `v4.1.0-thick`, `4.1.0`)? */
export function tagHasVersion(tag: string | undefined, version: string): boolean {
  if (tag === undefined) return false;
  const bare = (v: string) => v.replace(/^v/, '');
  return bare(tag) === bare(version) || bare(tag).startsWith(`${bare(version)}-`);
}

function isList(v: unknown): boolean {
  return typeof v === 'object' && v !== null && String(field(v, 'kind') ?? '').endsWith('List') && Array.isArray(field(v, 'items'));
}

async function readSource(source: string, where: string): Promise<string> {
  if (/^https:\/\//.test(source)) {
    let res: Response;
    try {
      res = await fetch(source, { signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      throw new ConfigError(`cannot download ${redactSecrets(source)}: ${(err as Error).message}`, { where, hint: 'download the manifests and name the file instead' });
    }
    if (!res.ok) throw new ConfigError(`cannot download ${redactSecrets(source)}: HTTP ${res.status}`, { where });
    return res.text();
  }
  if (/^[a-z]+:\/\//i.test(source)) throw new ConfigError(`manifests ${redactSecrets(source)}: only files and https URLs are read`, { where });
  try {
    return await readFile(source, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read manifests ${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { where, hint: 'paths are relative to the inventory file' });
  }
}
