/**
 * The canonical latency histogram: log-linear buckets in nanoseconds, HDR style.
 * Values below 64 ns get 1-ns buckets; above, each power of two is split into 32 linear sub-buckets
 * (relative precision 1/32 ≈ 3 %). The C generator (drivers/loadgen/local-gen) uses the same index
 * function, so its buckets merge with ours exactly.
 */
export const SUB_BUCKET_BITS = 5;
const SUB = 1 << SUB_BUCKET_BITS; // 32
const LINEAR_LIMIT = SUB * 2; // 64

export interface LatencyHistogram {
  readonly scheme: 'log-linear-32';
  /** Sparse non-empty buckets: [lower bound in ns, count], ascending by lower bound. */
  readonly buckets: ReadonlyArray<readonly [number, number]>;
  readonly count: number;
  readonly minNs: number;
  readonly maxNs: number;
  readonly sumNs: number;
}

/** Bucket index of a latency value in ns (non-negative integer). */
export function bucketIndex(valueNs: number): number {
  const v = Math.max(0, Math.floor(valueNs));
  if (v < LINEAR_LIMIT) return v;
  const e = floorLog2(v);
  const sub = Math.floor(v / 2 ** (e - SUB_BUCKET_BITS)) - SUB;
  return LINEAR_LIMIT + (e - (SUB_BUCKET_BITS + 1)) * SUB + sub;
}

/** floor(log2(v)) for integers ≥ 1, exact also above 2^32 where Math.log2 may round. */
function floorLog2(v: number): number {
  if (v < 2 ** 31) return 31 - Math.clz32(v);
  let e = Math.floor(Math.log2(v));
  while (2 ** e > v) e--;
  while (2 ** (e + 1) <= v) e++;
  return e;
}

/** Lower bound (ns, inclusive) of a bucket index. */
export function bucketLowerNs(index: number): number {
  if (index < LINEAR_LIMIT) return index;
  const e = SUB_BUCKET_BITS + 1 + Math.floor((index - LINEAR_LIMIT) / SUB);
  const sub = (index - LINEAR_LIMIT) % SUB;
  return (SUB + sub) * 2 ** (e - SUB_BUCKET_BITS);
}

/** Width (ns) of a bucket index. */
export function bucketWidthNs(index: number): number {
  if (index < LINEAR_LIMIT) return 1;
  const e = SUB_BUCKET_BITS + 1 + Math.floor((index - LINEAR_LIMIT) / SUB);
  return 2 ** (e - SUB_BUCKET_BITS);
}

export const EMPTY_HISTOGRAM: LatencyHistogram = {
  scheme: 'log-linear-32',
  buckets: [],
  count: 0,
  minNs: 0,
  maxNs: 0,
  sumNs: 0,
};
