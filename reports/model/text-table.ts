/** A plain text table for terminals: columns padded to their widest cell; numeric columns right-aligned. */
export function textTable(rows: readonly (readonly string[])[], rightAligned: readonly number[] = []): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) => r.map((c, i) => (rightAligned.includes(i) ? c.padStart(widths[i]!) : i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}
