/**
 * The one set of number formats: HTML report, markdown summary, JUnit, compare, trend, the live progress
 * of `wirespeed run` and the scenario summaries the suites print all use these, so a figure reads the same
 * wherever it appears. Rules: rates in Mpps from 0.1 Mpps up (3 decimals), kpps below; loss always as a
 * percentage (3 significant digits, exponent below 0.01 %); durations in s, min, h.
 */

/** 4.213 Mpps style (3 decimals in Mpps; kpps below 0.1 Mpps). */
export function fmtPps(pps: number): string {
  if (!Number.isFinite(pps)) return '–';
  if (pps >= 1e5) return `${(pps / 1e6).toFixed(3)} Mpps`;
  if (pps >= 1e3) return `${(pps / 1e3).toFixed(1)} kpps`;
  return `${pps.toFixed(0)} pps`;
}

export function fmtMpps(pps: number): string {
  return Number.isFinite(pps) ? (pps / 1e6).toFixed(3) : '–';
}

export function fmtGbps(bps: number): string {
  return Number.isFinite(bps) ? (bps / 1e9).toFixed(2) : '–';
}

/** Latency in µs with sensible precision. */
export function fmtUs(ns: number): string {
  if (!Number.isFinite(ns)) return '–';
  const us = ns / 1000;
  return us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2);
}

export function fmtPct(ratio: number, digits = 1): string {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(digits)} %` : '–';
}

/** +3.2 % style signed relative change. */
export function fmtDelta(rel: number, digits = 1): string {
  if (!Number.isFinite(rel)) return '–';
  const s = (rel * 100).toFixed(digits);
  return `${rel > 0 ? '+' : ''}${s} %`;
}

/** 0.4 s, 12 s, 2 min 3 s, 1 h 5 min. */
export function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '–';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const whole = Math.round(s);
  const m = Math.floor(whole / 60);
  if (m < 60) return `${m} min ${whole - m * 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Loss ratio as a percentage: 0 %, 1.25 %, 100 %, 5.0e-3 % (below 0.01 %). */
export function fmtLoss(ratio: number): string {
  if (!Number.isFinite(ratio)) return '–';
  if (ratio === 0) return '0 %';
  const pct = ratio * 100;
  if (pct < 0.01) return `${pct.toExponential(1)} %`;
  return `${Number(pct.toPrecision(3))} %`;
}

/** Latency with its unit: 850 ns, 8.78 µs, 23.9 ms. */
export function fmtLatency(ns: number): string {
  if (!Number.isFinite(ns)) return '–';
  if (ns < 1000) return `${ns.toFixed(0)} ns`;
  if (ns < 1e6) return `${Number((ns / 1e3).toPrecision(3))} µs`;
  return `${Number((ns / 1e6).toPrecision(3))} ms`;
}

/** The longest a failover's path can have been blocked: from live counter bins, the widest direction's upper bound; else undefined. */
export function blockedMaxS(f: { readonly blockedBy?: string; readonly blockedS: number; readonly directions?: readonly { readonly blockedMaxS?: number }[] }): number | undefined {
  if (f.blockedBy !== 'live-bins') return undefined;
  const max = Math.max(...(f.directions ?? []).map((d) => d.blockedMaxS ?? Number.NaN));
  return Number.isFinite(max) ? Math.max(max, f.blockedS) : undefined;
}

/** "0.531 s"; from live counter bins "0.531–0.658 s (counter bins)", or "≥ 0.531 s (counter bins)" when traffic never came back. */
export function fmtBlocked(f: Parameters<typeof blockedMaxS>[0]): string {
  if (f.blockedBy !== 'live-bins') return `${f.blockedS.toFixed(3)} s`;
  const max = blockedMaxS(f);
  return max === undefined ? `≥ ${f.blockedS.toFixed(3)} s (counter bins)` : `${f.blockedS.toFixed(3)}–${max.toFixed(3)} s (counter bins)`;
}
