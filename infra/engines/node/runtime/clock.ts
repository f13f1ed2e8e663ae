// Wall-clock time with sub-millisecond resolution, for sample timestamps.
// Durations use performance.now() directly (monotonic).

const ORIGIN = performance.timeOrigin;

/** Unix epoch in ms (float). */
export function now(): number {
  return ORIGIN + performance.now();
}

/** Resolve after `ms` (never negative); cancelled timers resolve early with false. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
