/**
 * A line chart as inline SVG: axes with ticks and grid, labelled axes, a legend, reference lines
 * (line rate, generator ceiling), shaded bands (failover outage) and <title> tooltips on points.
 */
import { esc, n } from './escape.ts';
import { makeScale, type ScaleSpec } from './scale.ts';

export interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly dash?: string;
  readonly markers?: boolean;
  /** Tooltip text per point; default "name: x, y". */
  readonly tip?: (x: number, y: number) => string;
  /** Step interpolation (rates per interval). */
  readonly step?: boolean;
  /** Left out of the legend. */
  readonly hideInLegend?: boolean;
}

export interface RefLine {
  readonly axis: 'x' | 'y';
  readonly value: number;
  readonly label: string;
  readonly color?: string;
}

export interface Band {
  readonly from: number;
  readonly to: number;
  readonly label: string;
  readonly color: string;
}

export interface LineChartSpec {
  readonly title: string;
  /** Accessible name when the title alone is not enough (defaults to the title). */
  readonly ariaLabel?: string;
  readonly subtitle?: string;
  readonly width?: number;
  readonly height?: number;
  readonly x: ScaleSpec & { readonly label: string };
  readonly y: ScaleSpec & { readonly label: string };
  readonly series: readonly Series[];
  readonly refLines?: readonly RefLine[];
  readonly bands?: readonly Band[];
  /** Shown in the plot area when there is nothing to draw. */
  readonly emptyText?: string;
}

const FONT_W = 6.6; // average glyph width at 12 px, for legend layout

export function lineChart(spec: LineChartSpec): string {
  const W = spec.width ?? 560;
  const H = spec.height ?? 330;
  const legendItems = spec.series.filter((s) => !s.hideInLegend);
  // Legend rows flow under the title.
  const legendRows = layoutLegend(legendItems.map((s) => s.name), W - 70);
  const top = 30 + (spec.subtitle ? 16 : 0) + legendRows.length * 18 + 8;
  const margin = { top, right: 30, bottom: 46, left: 62 };
  const pw = W - margin.left - margin.right;
  const ph = H - margin.top - margin.bottom;
  const xs = makeScale(spec.x, margin.left, margin.left + pw);
  const ys = makeScale(spec.y, margin.top + ph, margin.top);
  const out: string[] = [];
  out.push(`<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(spec.ariaLabel ?? spec.title)}" xmlns="http://www.w3.org/2000/svg">`);
  out.push(`<text class="c-title" x="${margin.left}" y="18">${esc(spec.title)}</text>`);
  if (spec.subtitle) out.push(`<text class="c-sub" x="${margin.left}" y="34">${esc(spec.subtitle)}</text>`);
  // Legend.
  let ly = 30 + (spec.subtitle ? 16 : 0) + 6;
  for (const row of legendRows) {
    let lx = margin.left;
    for (const idx of row) {
      const s = legendItems[idx]!;
      out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 18}" y2="${ly}" stroke="${s.color}" stroke-width="2.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
      if (s.markers) out.push(`<circle cx="${lx + 9}" cy="${ly}" r="3" fill="${s.color}"/>`);
      out.push(`<text class="c-legend" x="${lx + 23}" y="${ly + 4}">${esc(s.name)}</text>`);
      lx += 23 + s.name.length * FONT_W + 16;
    }
    ly += 18;
  }
  // Plot frame, grid and ticks.
  out.push(`<rect class="c-plot" x="${margin.left}" y="${margin.top}" width="${pw}" height="${ph}"/>`);
  for (const b of spec.bands ?? []) {
    const x0 = clamp(xs.map(b.from), margin.left, margin.left + pw);
    const x1 = clamp(xs.map(b.to), margin.left, margin.left + pw);
    out.push(`<rect x="${n(x0)}" y="${margin.top}" width="${n(Math.max(1, x1 - x0))}" height="${ph}" fill="${b.color}" opacity="0.18"><title>${esc(b.label)}</title></rect>`);
    out.push(`<text class="c-band" x="${n(x0 + 4)}" y="${margin.top + 14}" fill="${b.color}">${esc(b.label)}</text>`);
  }
  for (const t of ys.ticks) {
    const y = ys.map(t.value);
    if (y < margin.top - 0.5 || y > margin.top + ph + 0.5) continue;
    out.push(`<line class="c-grid" x1="${margin.left}" x2="${margin.left + pw}" y1="${n(y)}" y2="${n(y)}"/>`);
    out.push(`<text class="c-tick" x="${margin.left - 6}" y="${n(y + 4)}" text-anchor="end">${esc(t.label)}</text>`);
  }
  for (const t of xs.ticks) {
    const x = xs.map(t.value);
    if (x < margin.left - 0.5 || x > margin.left + pw + 0.5) continue;
    out.push(`<line class="c-grid" x1="${n(x)}" x2="${n(x)}" y1="${margin.top}" y2="${margin.top + ph}"/>`);
    out.push(`<text class="c-tick" x="${n(x)}" y="${margin.top + ph + 16}" text-anchor="middle">${esc(t.label)}</text>`);
  }
  out.push(`<line class="c-axis" x1="${margin.left}" x2="${margin.left + pw}" y1="${margin.top + ph}" y2="${margin.top + ph}"/>`);
  out.push(`<line class="c-axis" x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + ph}"/>`);
  out.push(`<text class="c-label" x="${margin.left + pw / 2}" y="${H - 8}" text-anchor="middle">${esc(spec.x.label)}</text>`);
  out.push(`<text class="c-label" transform="translate(14 ${margin.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(spec.y.label)}</text>`);
  // Reference lines.
  for (const r of spec.refLines ?? []) {
    const color = r.color ?? '#6b7280';
    if (r.axis === 'y') {
      const y = ys.map(r.value);
      if (y < margin.top || y > margin.top + ph) continue;
      out.push(`<line x1="${margin.left}" x2="${margin.left + pw}" y1="${n(y)}" y2="${n(y)}" stroke="${color}" stroke-width="1.5" stroke-dasharray="6 4"><title>${esc(r.label)}</title></line>`);
      out.push(`<text class="c-ref" x="${margin.left + pw - 4}" y="${n(y - 5)}" text-anchor="end" fill="${color}">${esc(r.label)}</text>`);
    } else {
      const x = xs.map(r.value);
      if (x < margin.left || x > margin.left + pw) continue;
      out.push(`<line x1="${n(x)}" x2="${n(x)}" y1="${margin.top}" y2="${margin.top + ph}" stroke="${color}" stroke-width="1.5" stroke-dasharray="4 3"><title>${esc(r.label)}</title></line>`);
      out.push(`<text class="c-ref" x="${n(x + 4)}" y="${margin.top + ph - 6}" fill="${color}">${esc(r.label)}</text>`);
    }
  }
  // Series.
  out.push(`<g clip-path="none">`);
  for (const s of spec.series) {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length === 0) continue;
    let d = '';
    pts.forEach(([x, y], i) => {
      const px = n(xs.map(x));
      const py = n(ys.map(y));
      if (i === 0) d += `M${px} ${py}`;
      else if (s.step) d += `H${px}V${py}`;
      else d += `L${px} ${py}`;
    });
    out.push(`<path class="c-line" d="${d}" stroke="${s.color}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} data-series="${esc(s.name)}"/>`);
    if (s.markers) {
      for (const [x, y] of pts) {
        const tip = s.tip ? s.tip(x, y) : `${s.name}: ${x}, ${y}`;
        out.push(`<circle class="c-pt" cx="${n(xs.map(x))}" cy="${n(ys.map(y))}" r="3.5" fill="${s.color}"><title>${esc(tip)}</title></circle>`);
      }
    }
  }
  out.push(`</g>`);
  if (spec.series.every((s) => s.points.length === 0) && spec.emptyText) {
    out.push(`<text class="c-empty" x="${margin.left + pw / 2}" y="${margin.top + ph / 2}" text-anchor="middle">${esc(spec.emptyText)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n');
}

function layoutLegend(names: readonly string[], width: number): number[][] {
  const rows: number[][] = [];
  let row: number[] = [];
  let used = 0;
  names.forEach((name, i) => {
    const w = 23 + name.length * FONT_W + 16;
    if (row.length > 0 && used + w > width) {
      rows.push(row);
      row = [];
      used = 0;
    }
    row.push(i);
    used += w;
  });
  if (row.length) rows.push(row);
  return rows;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
