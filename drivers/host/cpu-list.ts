/** The kernel's CPU list format ("0-3,8,10-11"), as in /sys/devices/system/cpu/isolated and isolcpus=. */
import { outputFormatError } from './output-format-error.ts';

/** Expand "2-5,8" to [2,3,4,5,8]; the empty string is the empty list. */
export function parseCpuList(text: string, tool = 'cpu list'): number[] {
  const t = text.trim();
  if (t === '') return [];
  const out: number[] = [];
  for (const part of t.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw outputFormatError(tool, "CPUs like '2-5,8'", t);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw outputFormatError(tool, 'ranges written low-high', t);
    for (let c = a; c <= b; c++) out.push(c);
  }
  return out;
}

/** Compress [2,3,4,8] to "2-4,8". */
export function formatCpuList(cpus: readonly number[]): string {
  const s = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(j === i ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
