/**
 * The session's clock: where it reads the time (the trial window is measured, not assumed) and how it
 * waits. Record mode keeps every reading in the transcript; replay returns them, so a replayed session
 * computes exactly what the live one did.
 */
export interface PktgenClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Wait; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The machine's clock. */
export const realClock: PktgenClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(t);
        reject(signal!.reason);
      };
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
