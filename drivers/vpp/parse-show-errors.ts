/**
 * `vppctl show errors` (VPP 21.01 and later): a header `Count Node Reason Severity`, then one row per
 * non-zero error counter and thread: count, node name (no spaces), the reason's description (may have
 * spaces), severity (error, warn, info, unknown). Columns are centred to fixed widths, so a long node
 * name shifts the rest: the row is split on its first and last fields instead of by column.
 */
import { outputFormatError, outputLines } from '../host/output-format-error.ts';

export interface VppErrorCounter {
  readonly count: number;
  readonly node: string;
  /** The counter's description as `show errors` prints it, e.g. "ip4 ttl <= 1". */
  readonly reason: string;
  readonly severity: 'error' | 'warn' | 'info' | 'unknown';
}

const TOOL = 'vppctl show errors';
const ROW = /^\s*(\d+)\s+(\S+)\s+(.*?)\s+(error|warn|info|unknown)\s*$/;

/** Parse every row; rows of several threads for one counter stay separate. */
export function parseShowErrors(text: string): VppErrorCounter[] {
  const lines = outputLines(text);
  const out: VppErrorCounter[] = [];
  let sawHeader = false;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    if (!sawHeader) {
      if (/^\s*Count\s+Node\s+Reason\s+Severity\s*$/.test(line)) {
        sawHeader = true;
        return;
      }
      throw outputFormatError(TOOL, "the header 'Count Node Reason Severity'", line, i + 1);
    }
    const m = ROW.exec(line);
    if (!m) throw outputFormatError(TOOL, "'<count> <node> <reason> <severity>'", line, i + 1);
    out.push({ count: Number(m[1]), node: m[2]!, reason: m[3]!, severity: m[4] as VppErrorCounter['severity'] });
  });
  return out;
}
