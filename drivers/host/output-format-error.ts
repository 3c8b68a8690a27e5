/**
 * Parsers are strict (STYLE: no lenient parsers): output that does not match the documented format is an
 * error naming the tool, the line and what was expected, never a silently dropped entry.
 */
import { ProvisionError } from '../../core/errors.ts';

/** Error for a line of tool output that does not match the documented format. */
export function outputFormatError(tool: string, expected: string, line: string, lineNo?: number): ProvisionError {
  const at = lineNo === undefined ? '' : ` (line ${lineNo})`;
  return new ProvisionError(`unexpected ${tool} output${at}: expected ${expected}, got ${JSON.stringify(line.slice(0, 200))}`, {
    where: tool,
    hint: `a different ${tool} version may print another format: capture the output into a fixture and extend the parser`,
  });
}

/** Lines of output without trailing blank lines; CRLF tolerated. */
export function outputLines(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines;
}

/** Parse a non-negative decimal integer or fail with the tool's context. */
export function toInt(tool: string, what: string, text: string, lineNo?: number): number {
  if (!/^-?\d+$/.test(text)) throw outputFormatError(tool, `${what} as an integer`, text, lineNo);
  return Number(text);
}
