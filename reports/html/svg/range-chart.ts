/**
 * NDR/PDR bounds per scenario as horizontal ranges: the bar spans lower to upper bound, a whisker marks the
 * 95 % confidence interval of repeated searches, dots are the repeats.
 */
import { esc, n } from './escape.ts';
import { makeScale } from './scale.ts';

export interface RangeItem {
  readonly name: string;
  readonly color: string;
  readonly lower: number;
  readonly upper?: number;
  readonly ci?: readonly [number, number];
  readonly repeats?: readonly number[];
  readonly tip: string;
}

export interface RangeRow {
  readonly label: string;
  readonly items: readonly RangeItem[];
}

export function rangeChart(spec: { title: string; subtitle?: string; xLabel: string; rows: readonly RangeRow[]; width?: number; format: (v: number) => string }): string {
  const W = spec.width ?? 1120;
  const rowH = 30;
  const labelW = Math.min(360, 30 + Math.max(10, ...spec.rows.map((r) => r.label.length)) * 6.4);
  const top = spec.subtitle ? 52 : 36;
  const H = top + spec.rows.length * rowH + 44;
  const left = labelW;
  const right = W - 20;
  const max = Math.max(1e-9, ...spec.rows.flatMap((r) => r.items.flatMap((i) => [i.upper ?? i.lower, i.ci?.[1] ?? 0, ...(i.repeats ?? [])])));
  const xs = makeScale({ kind: 'linear', min: 0, max, format: spec.format, tickCount: 8 }, left, right);
  const out: string[] = [];
  out.push(`<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(spec.title)}" xmlns="http://www.w3.org/2000/svg">`);
  out.push(`<text class="c-title" x="12" y="18">${esc(spec.title)}</text>`);
  if (spec.subtitle) out.push(`<text class="c-sub" x="12" y="34">${esc(spec.subtitle)}</text>`);
  const plotBottom = top + spec.rows.length * rowH;
  for (const t of xs.ticks) {
    const x = xs.map(t.value);
    out.push(`<line class="c-grid" x1="${n(x)}" x2="${n(x)}" y1="${top}" y2="${plotBottom}"/>`);
    out.push(`<text class="c-tick" x="${n(x)}" y="${plotBottom + 16}" text-anchor="middle">${esc(t.label)}</text>`);
  }
  out.push(`<text class="c-label" x="${(left + right) / 2}" y="${H - 8}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  spec.rows.forEach((row, i) => {
    const y0 = top + i * rowH;
    if (i % 2 === 0) out.push(`<rect x="0" y="${y0}" width="${W}" height="${rowH}" fill="#f6f7f9"/>`);
    out.push(`<text class="c-rowlabel" x="${left - 10}" y="${y0 + rowH / 2 + 4}" text-anchor="end">${esc(row.label)}</text>`);
    const slot = (rowH - 8) / Math.max(1, row.items.length);
    row.items.forEach((it, j) => {
      const cy = y0 + 4 + slot * (j + 0.5);
      const x0 = xs.map(it.lower);
      const x1 = xs.map(it.upper ?? it.lower);
      out.push(`<g class="c-range"><title>${esc(it.tip)}</title>`);
      out.push(`<line x1="${n(xs.map(0))}" x2="${n(x0)}" y1="${n(cy)}" y2="${n(cy)}" stroke="${it.color}" stroke-opacity="0.25" stroke-width="${n(slot * 0.55)}"/>`);
      out.push(`<rect x="${n(x0)}" y="${n(cy - slot * 0.35)}" width="${n(Math.max(2, x1 - x0))}" height="${n(slot * 0.7)}" fill="${it.color}"/>`);
      if (it.ci) {
        const c0 = xs.map(it.ci[0]);
        const c1 = xs.map(it.ci[1]);
        out.push(`<path d="M${n(c0)} ${n(cy - 4)}V${n(cy + 4)}M${n(c0)} ${n(cy)}H${n(c1)}M${n(c1)} ${n(cy - 4)}V${n(cy + 4)}" stroke="#111827" stroke-width="1.2" fill="none"/>`);
      }
      for (const r of it.repeats ?? []) out.push(`<circle cx="${n(xs.map(r))}" cy="${n(cy)}" r="2" fill="#111827" fill-opacity="0.55"/>`);
      out.push(`</g>`);
    });
  });
  out.push(`<line class="c-axis" x1="${left}" x2="${left}" y1="${top}" y2="${plotBottom}"/>`);
  out.push('</svg>');
  return out.join('\n');
}
