/**
 * pktgen's latency sampler output (`latsampler_params(pl, "simple", n, rate, file)`, then
 * `latsampler(pl, "off")` writes the file, app/pktgen-cmds.c pktgen_stop_latency_sampler): a line
 * "Latency", then one latency per stamped packet the port received, in ns, one per line.
 */
import type { LatencyHistogram } from '../../../method/histogram.ts';
import { histogramFromValues } from '../../../method/latency.ts';
import { outputFormatError, outputLines } from '../../host/output-format-error.ts';

const TOOL = 'pktgen latency sampler file';

/** The samples of one file, in ns. */
export function parseLatencySamples(text: string): number[] {
  const lines = outputLines(text);
  if (lines[0]?.trim() !== 'Latency') throw outputFormatError(TOOL, 'a first line "Latency"', lines[0] ?? '', 1);
  return lines.slice(1).map((line, i) => {
    if (!/^\d+$/.test(line.trim())) throw outputFormatError(TOOL, 'a latency in ns', line, i + 2);
    return Number(line.trim());
  });
}

/** The histogram of every sample of every file (one file per receiving port). */
export function latencyHistogram(files: readonly string[]): LatencyHistogram {
  return histogramFromValues(files.flatMap(parseLatencySamples));
}

/** Samples pktgen keeps per port at most (MAX_LATENCY_ENTRIES in app/pktgen-port-cfg.h, 23.03 … 26.02). */
export const MAX_LATENCY_SAMPLES = 50108;
