/** `ethtool -i <if>`: `key: value` lines; drivers print fewer lines (iavf), values may be empty. */
import { outputFormatError, outputLines } from './output-format-error.ts';

export interface EthtoolDriverInfo {
  readonly driver: string;
  readonly version: string;
  readonly firmwareVersion?: string;
  /** PCI BDF, or `vdpa:<BDF>` for a vDPA netdev. */
  readonly busInfo: string;
  /** Every key as printed. */
  readonly raw: Readonly<Record<string, string>>;
}

/** Parse `ethtool -i`; driver and bus-info are required. */
export function parseEthtoolInfo(text: string): EthtoolDriverInfo {
  const raw: Record<string, string> = {};
  outputLines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^([a-z-]+): ?(.*)$/.exec(line);
    if (!m) throw outputFormatError('ethtool -i', "'key: value'", line, i + 1);
    raw[m[1]!] = m[2]!.trimEnd();
  });
  for (const key of ['driver', 'bus-info']) {
    if (raw[key] === undefined) throw outputFormatError('ethtool -i', `a '${key}:' line`, text.split('\n')[0] ?? '');
  }
  const fw = raw['firmware-version'];
  return {
    driver: raw['driver']!,
    version: raw['version'] ?? '',
    ...(fw ? { firmwareVersion: fw } : {}),
    busInfo: raw['bus-info']!,
    raw,
  };
}
