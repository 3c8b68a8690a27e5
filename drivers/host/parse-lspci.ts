/** `lspci -Dnn` / `lspci -nn` lines: `[domain:]bus:dev.fn class [cccc]: vendor device [vvvv:dddd][ (rev xx)]`. */
import { outputFormatError, outputLines } from './output-format-error.ts';

export interface PciDevice {
  /** Always with domain (0000: added when lspci printed none). */
  readonly pci: string;
  readonly className: string;
  readonly classId: string;
  /** vendor:device, lower-case hex: match on this, names change with pci.ids versions. */
  readonly pciId: string;
  readonly description: string;
  readonly revision?: string;
}

const LINE =
  /^((?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-1][0-9a-f]\.[0-7]) (.+?) \[([0-9a-f]{4})\]: (.*) \[([0-9a-f]{4}):([0-9a-f]{4})\](?: \(rev ([0-9a-f]{2})\))?$/i;

/** Parse every line of `lspci -Dnn` (or `-nn`); blank lines are skipped, anything else must match. */
export function parseLspci(text: string): PciDevice[] {
  const out: PciDevice[] = [];
  outputLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const m = LINE.exec(line);
    if (!m) throw outputFormatError('lspci -Dnn', "'<bdf> <class> [cccc]: <name> [vvvv:dddd] (rev xx)'", line, i + 1);
    const bdf = m[1]!.toLowerCase();
    out.push({
      pci: bdf.length === 7 ? `0000:${bdf}` : bdf,
      className: m[2]!,
      classId: m[3]!.toLowerCase(),
      pciId: `${m[5]!.toLowerCase()}:${m[6]!.toLowerCase()}`,
      description: m[4]!,
      ...(m[7] === undefined ? {} : { revision: m[7] }),
    });
  });
  return out;
}
