/**
 * Text from outside (inventory fields, remote command output, error messages quoting them) made safe to
 * print: control characters are shown as escapes instead of reaching the terminal, so an inventory
 * description cannot recolour, move the cursor, retitle the window or hide text (ESC sequences, the
 * 8-bit CSI 0x9b, bidi overrides as in "Trojan Source").
 */

// C0 controls except tab and newline, DEL, C1 controls, and the Unicode bidi embedding/override/isolate marks.
const UNSAFE_MULTILINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escape(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (ch === '\n') return '\\n';
  if (ch === '\t') return '\\t';
  if (ch === '\r') return '\\r';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control character shown as an escape (\x1b, \u202e); newlines and tabs kept. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE_MULTILINE, escape);
}

/** The same for one line (a table cell): newlines and tabs are escaped too. */
export function terminalSafeLine(text: string): string {
  return text.replace(UNSAFE_LINE, escape);
}

/** A value quoted for a message: JSON string syntax, control characters escaped, long values cut. */
export function shownValue(value: string, maxChars = 80): string {
  const cut = value.length > maxChars ? `${value.slice(0, maxChars)}…` : value;
  const quoted = JSON.stringify(cut).replace(UNSAFE_LINE, escape);
  return value.length > maxChars ? `${quoted} (${value.length} characters)` : quoted;
}
