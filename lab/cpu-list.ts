/**
 * CPU lists as the kernel writes them ("0-3,8,10-11"), in inventories and in tool output alike (the one
 * parser: drivers/host/parse-system.ts reads /sys/devices/system/cpu/isolated and isolcpus= with it).
 * A list is a set: parsed to sorted unique numbers, and formatted back as the shortest list.
 */

/** Parse a kernel CPU list; throws RangeError with a readable reason (reversed range, empty part). */
export function parseCpuList(text: string): number[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const cpus = new Set<number>();
  for (const part of trimmed.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new RangeError(`"${part}" is not a CPU number or range`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new RangeError(`range "${part}" runs backwards (write ${to}-${from})`);
    if (to > 4095) throw new RangeError(`CPU ${to} is beyond any real machine (max 4095)`);
    for (let c = from; c <= to; c++) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** Format CPUs as the shortest kernel CPU list: [0,1,2,5] -> "0-2,5". */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
