/** `dpdk-devbind.py --status` (DPDK usertools): category title, '=' underline, device lines. */
import { outputFormatError, outputLines } from './output-format-error.ts';

export type DevbindCategory = 'dpdk' | 'kernel' | 'none';

export interface DevbindDevice {
  readonly pci: string;
  readonly description: string;
  /** Device id without vendor, hex. */
  readonly deviceId: string;
  readonly category: DevbindCategory;
  readonly numaNode?: number;
  readonly ifname?: string;
  readonly driver?: string;
  readonly unused: readonly string[];
  /** Carries a route (`*Active*`): devbind refuses to unbind it without --force. */
  readonly active: boolean;
}

const LINE = /^(\S+) '(.*) ([0-9a-f]{4})'(?: numa_node=(\S+))?(?: if=(\S*))? (?:drv=(\S+) )?unused=(\S*)\s*(\*Active\*)?$/;

/** Parse the Network sections of `dpdk-devbind.py --status` (other device classes are skipped by title). */
export function parseDevbindStatus(text: string): DevbindDevice[] {
  const lines = outputLines(text);
  const out: DevbindDevice[] = [];
  let category: DevbindCategory | 'other' | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    if (/^=+$/.test(line)) continue;
    if (/^No '.*' devices detected$/.test(line)) continue;
    if (lines[i + 1] !== undefined && /^=+$/.test(lines[i + 1]!)) {
      if (line === 'Network devices using DPDK-compatible driver') category = 'dpdk';
      else if (line === 'Network devices using kernel driver') category = 'kernel';
      else if (line === 'Other Network devices') category = 'none';
      else category = 'other';
      continue;
    }
    if (category === undefined) throw outputFormatError('dpdk-devbind.py --status', 'a section title underlined with =', line, i + 1);
    if (category === 'other') continue;
    const m = LINE.exec(line);
    if (!m) throw outputFormatError('dpdk-devbind.py --status', "'<bdf> '<name> <dev>' [if=..] drv=.. unused=..'", line, i + 1);
    const numa = m[4];
    out.push({
      pci: m[1]!,
      description: m[2]!,
      deviceId: m[3]!,
      category,
      ...(numa === undefined || numa === 'N/A' ? {} : { numaNode: Number(numa) }),
      ...(m[5] ? { ifname: m[5] } : {}),
      ...(m[6] ? { driver: m[6] } : {}),
      unused: m[7] ? m[7].split(',').filter(Boolean) : [],
      active: m[8] !== undefined,
    });
  }
  return out;
}
