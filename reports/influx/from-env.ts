/** The sinks a run uses, from WIRESPEED_INFLUX_* (or flags): none when no URL is configured. */
import type { ResultSink } from '../store/sink.ts';
import { resolveInfluxConfig, type InfluxFlags } from './config.ts';
import { InfluxSink } from './sink.ts';

/** Sinks for a run directory; `onError` gets secret-free messages (print them as warnings, never fail the run). */
export function sinksFor(runDir: string, options: { flags?: InfluxFlags; env?: Readonly<Record<string, string | undefined>>; onError?: (message: string) => void } = {}): ResultSink[] {
  const config = resolveInfluxConfig(options.flags ?? {}, options.env ?? process.env);
  if (!config) return [];
  return [new InfluxSink(config, { spoolDir: runDir, ...(options.onError ? { onError: options.onError } : {}) })];
}
