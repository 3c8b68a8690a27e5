/** The report's stylesheet: system fonts, quiet colours, tables that read well, print-friendly. */
export const STYLE = `
:root { --fg:#111827; --muted:#6b7280; --line:#e5e7eb; --bg:#ffffff; --panel:#f9fafb; --accent:#0f5fa8;
  --ok:#047857; --okbg:#d1fae5; --bad:#b91c1c; --badbg:#fee2e2; --skip:#92400e; --skipbg:#fef3c7; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 28px 64px; }
header.top { display:flex; justify-content:space-between; align-items:flex-end; gap: 24px; border-bottom: 2px solid var(--fg); padding-bottom: 14px; margin-bottom: 8px; }
header.top h1 { margin: 0; font-size: 26px; letter-spacing: -0.01em; }
header.top h1 span { color: var(--muted); font-weight: 400; }
header.top .meta { color: var(--muted); text-align: right; font-size: 13px; }
h2 { font-size: 19px; margin: 36px 0 6px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 22px 0 6px; }
p.note, .note { color: var(--muted); font-size: 13px; margin: 4px 0 10px; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
.cards { display:grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: 18px 0 6px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .v { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.banner { border-radius: 8px; padding: 10px 14px; margin: 16px 0; border: 1px solid; }
.banner.warn { background: var(--skipbg); border-color: #f59e0b; color: #78350f; }
.banner.err { background: var(--badbg); border-color: #ef4444; color: #7f1d1d; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 4px; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; background: var(--panel); white-space: nowrap; }
td.nowrap, span.nowrap { white-space: nowrap; }
td.scn { min-width: 220px; max-width: 300px; }
.scroll { overflow-x: auto; }
table.summary { font-size: 13px; }
td.num, th.num { text-align: right; white-space: nowrap; }
tbody tr:hover { background: #f3f6fa; }
.sub { color: var(--muted); font-size: 12px; }
.chip { display:inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; }
.chip.passed { background: var(--okbg); color: var(--ok); }
.chip.failed { background: var(--badbg); color: var(--bad); }
.chip.skipped { background: var(--skipbg); color: var(--skip); }
.swatch { display:inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
.grid2 { display:grid; grid-template-columns: repeat(auto-fit, minmax(540px, 1fr)); gap: 18px 22px; }
.fig { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 8px 4px; overflow-x: auto; }
svg.chart { display:block; max-width: 100%; height: auto; font-family: inherit; }
svg .c-title { font-size: 14px; font-weight: 600; fill: var(--fg); }
svg .c-sub { font-size: 12px; fill: var(--muted); }
svg .c-legend { font-size: 12px; fill: #374151; }
svg .c-tick { font-size: 11px; fill: var(--muted); font-variant-numeric: tabular-nums; }
svg .c-label { font-size: 12px; fill: #374151; }
svg .c-ref, svg .c-band { font-size: 11px; font-weight: 600; }
svg .c-rowlabel { font-size: 12px; fill: #374151; }
svg .c-plot { fill: #fff; stroke: none; }
svg .c-grid { stroke: #eef0f3; stroke-width: 1; }
svg .c-axis { stroke: #9ca3af; stroke-width: 1; }
svg .c-line { fill: none; stroke-width: 2.2; stroke-linejoin: round; stroke-linecap: round; }
svg .c-empty { font-size: 13px; fill: var(--muted); }
details { border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; background: #fff; }
details > summary { cursor: pointer; padding: 8px 12px; font-weight: 600; }
details > summary .sub { font-weight: 400; margin-left: 8px; }
details > div { padding: 0 12px 10px; overflow-x: auto; }
dl.env, dl.host { display:grid; grid-template-columns: 200px 1fr; gap: 4px 16px; margin: 8px 0; }
dl.env dt, dl.host dt { color: var(--muted); }
dl.env dd, dl.host dd { margin: 0; }
.marked { font-style: italic; }
footer { margin-top: 48px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 10px; }
@media print { main { max-width: none; padding: 0; } details { break-inside: avoid; } details:not([open]) > div { display:block; } }
`;
