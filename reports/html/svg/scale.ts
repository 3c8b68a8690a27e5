/** Scales and tick choices for the report's SVG charts (linear, log and the HDR percentile axis). */

export interface Scale {
  /** Data value to pixel. */
  map(v: number): number;
  ticks: readonly Tick[];
  domain: readonly [number, number];
}

export interface Tick {
  readonly value: number;
  readonly label: string;
}

export type ScaleKind = 'linear' | 'log10' | 'log2' | 'percentile';

export interface ScaleSpec {
  readonly kind: ScaleKind;
  /** Data extent; widened to nice values for linear scales. */
  readonly min: number;
  readonly max: number;
  readonly format?: (v: number) => string;
  /** Start a linear axis at zero (throughput). Default true for linear. */
  readonly zero?: boolean;
  readonly tickCount?: number;
  /** Fixed tick values (e.g. frame sizes). */
  readonly tickValues?: readonly number[];
}

/** A scale from data to [from, to] pixels. */
export function makeScale(spec: ScaleSpec, from: number, to: number): Scale {
  switch (spec.kind) {
    case 'linear':
      return linear(spec, from, to);
    case 'log10':
    case 'log2':
      return logScale(spec, from, to, spec.kind === 'log2' ? 2 : 10);
    case 'percentile':
      return percentileScale(spec, from, to);
  }
}

function linear(spec: ScaleSpec, from: number, to: number): Scale {
  let lo = spec.zero ?? true ? Math.min(0, spec.min) : spec.min;
  let hi = spec.max;
  if (!(hi > lo)) hi = lo + 1;
  const step = niceStep((hi - lo) / (spec.tickCount ?? 5));
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step - 1e-9) * step;
  const fmt = spec.format ?? defaultFormat(step);
  const values = spec.tickValues ?? range(lo, hi, step);
  const map = (v: number) => from + ((v - lo) / (hi - lo)) * (to - from);
  return { map, domain: [lo, hi], ticks: values.map((v) => ({ value: v, label: fmt(v) })) };
}

function logScale(spec: ScaleSpec, from: number, to: number, base: number): Scale {
  const lmin = Math.floor(Math.log(Math.max(spec.min, 1e-12)) / Math.log(base));
  let lmax = Math.ceil(Math.log(Math.max(spec.max, 1e-12)) / Math.log(base) - 1e-9);
  if (lmax <= lmin) lmax = lmin + 1;
  // With fixed ticks (frame sizes) the data extent is the domain, padded a little; else whole powers.
  const pad = spec.tickValues ? (Math.log(spec.max) - Math.log(spec.min)) * 0.04 || 0.1 : 0;
  const lo = spec.tickValues ? Math.exp(Math.log(spec.min) - pad) : base ** lmin;
  const hi = spec.tickValues ? Math.exp(Math.log(spec.max) + pad) : base ** lmax;
  const map = (v: number) => from + ((Math.log(Math.max(v, lo)) - Math.log(lo)) / (Math.log(hi) - Math.log(lo))) * (to - from);
  const fmt = spec.format ?? ((v: number) => compact(v));
  let values: number[];
  if (spec.tickValues) values = [...spec.tickValues];
  else {
    values = [];
    for (let e = lmin; e <= lmax; e++) {
      values.push(base ** e);
      // Log10 axes spanning few decades get 2x and 5x ticks too, for reading values off.
      if (base === 10 && lmax - lmin <= 2 && e < lmax) values.push(2 * 10 ** e, 5 * 10 ** e);
    }
  }
  return { map, domain: [lo, hi], ticks: values.map((v) => ({ value: v, label: fmt(v) })) };
}

/**
 * HDR histogram percentile axis: x = log10(1 / (1 - p)), so 90, 99, 99.9, 99.99 % are evenly spaced
 * and the tail gets the room it needs.
 */
export function percentileToX(p: number): number {
  return Math.log10(1 / Math.max(1e-9, 1 - p / 100));
}

function percentileScale(spec: ScaleSpec, from: number, to: number): Scale {
  const xmin = percentileToX(spec.min);
  const xmax = Math.max(xmin + 1, Math.ceil(percentileToX(spec.max) - 1e-9));
  const map = (p: number) => from + ((percentileToX(p) - xmin) / (xmax - xmin)) * (to - from);
  const values = [0, 90, 99, 99.9, 99.99, 99.999, 99.9999].filter((p) => percentileToX(p) <= xmax + 1e-9 && percentileToX(p) >= xmin);
  return { map, domain: [spec.min, spec.max], ticks: values.map((v) => ({ value: v, label: `${v}%` })) };
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const e = 10 ** Math.floor(Math.log10(raw));
  const f = raw / e;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * e;
}

function range(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let v = lo; v <= hi + step * 1e-6; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function defaultFormat(step: number): (v: number) => string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return (v) => v.toFixed(Math.min(6, decimals));
}

/** 1.5k, 20M style labels. */
export function compact(v: number): string {
  const a = Math.abs(v);
  const trim = (x: number) => Number(x.toPrecision(3)).toString();
  if (a >= 1e9) return `${trim(v / 1e9)}G`;
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e3) return `${trim(v / 1e3)}k`;
  return trim(v);
}
