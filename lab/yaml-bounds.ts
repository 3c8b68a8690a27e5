/**
 * Bounds on what a parsed YAML document expands to, checked on the syntax tree before anything walks
 * it as data. An alias stands for its anchor's whole value, so a few lines can stand for billions of
 * values (the "billion laughs"); the schema check and the model would walk every one of them. Aliases
 * themselves are fine: one anchor reused for every node's shell is how people write inventories.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document } from 'yaml';

/** Values (scalars and collections) that aliases may add beyond what is written out. */
export const MAX_ALIAS_VALUES = 100_000;
/** Nesting depth of collections; an inventory needs about 7. */
export const MAX_DEPTH = 64;

export interface BoundsProblem {
  /** Source offset of the node at fault (the alias or the collection that goes too deep). */
  offset: number;
  message: string;
  hint: string;
}

/**
 * The first bound the document breaks, or undefined. One pass over the tree in document order:
 * anchors are resolved as YAML does (the latest anchor of that name before the alias), and the size
 * of each anchored value is kept, so the cost is linear in the written document.
 */
export function checkYamlBounds(doc: Document, limits: { maxAliasValues?: number; maxDepth?: number } = {}): BoundsProblem | undefined {
  const maxAliasValues = limits.maxAliasValues ?? MAX_ALIAS_VALUES;
  const maxDepth = limits.maxDepth ?? MAX_DEPTH;
  /** Anchor name → the node that carries it; its expanded size once it is complete. */
  const anchors = new Map<string, { node: unknown; size: number | undefined }>();
  let aliasValues = 0;
  let problem: BoundsProblem | undefined;

  const offsetOf = (node: unknown): number => (node as { range?: [number, number, number] }).range?.[0] ?? 0;

  /** Expanded size of `node` (values it stands for); undefined once a problem is found. */
  const sizeOf = (node: unknown, depth: number): number | undefined => {
    if (problem) return undefined;
    if (node === null || node === undefined) return 1;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) {
        problem = {
          offset: offsetOf(node),
          message: `alias *${node.source} has no anchor &${node.source} before it`,
          hint: `define the value once with &${node.source} above this point, then refer to it with *${node.source}`,
        };
        return undefined;
      }
      if (target.size === undefined) {
        problem = {
          offset: offsetOf(node),
          message: `alias *${node.source} refers to the value that contains it`,
          hint: 'an alias cannot repeat its own enclosing value: write the nested part out',
        };
        return undefined;
      }
      aliasValues += target.size;
      if (aliasValues > maxAliasValues) {
        problem = {
          offset: offsetOf(node),
          message: `aliases expand the inventory by more than ${maxAliasValues.toLocaleString('en-US')} values (at *${node.source}, which stands for ${target.size.toLocaleString('en-US')})`,
          hint: 'this looks like an alias bomb; an inventory reuses small anchors (a shell, a NIC), each a handful of values: write large repeated parts out',
        };
        return undefined;
      }
      return target.size;
    }
    const anchor = (node as { anchor?: string }).anchor;
    const entry = anchor ? { node, size: undefined as number | undefined } : undefined;
    if (anchor && entry) anchors.set(anchor, entry);
    let size = 1;
    if (isMap(node) || isSeq(node)) {
      if (depth >= maxDepth) {
        problem = {
          offset: offsetOf(node),
          message: `values are nested more than ${maxDepth} levels deep`,
          hint: 'an inventory nests about 7 levels (nodes, nics, ports …): check the brackets and indentation here',
        };
        return undefined;
      }
      for (const item of node.items as unknown[]) {
        if (isPair(item)) {
          const k = sizeOf(item.key, depth + 1);
          const v = sizeOf(item.value, depth + 1);
          if (k === undefined || v === undefined) return undefined;
          size += k + v;
        } else {
          const s = sizeOf(item, depth + 1);
          if (s === undefined) return undefined;
          size += s;
        }
      }
    } else if (!isScalar(node)) {
      return 1;
    }
    if (entry) entry.size = size;
    return size;
  };

  sizeOf(doc.contents, 0);
  return problem;
}
