import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Retries `attempt` until it resolves, `abort` returns a reason, or time runs
 * out; the last attempt's error is kept because it usually explains the wait.
 */
export async function pollUntil<T>(
  attempt: () => Promise<T>,
  opts: { timeoutMs: number; intervalMs?: number; abort?: () => string | undefined; what: string },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const reason = opts.abort?.();
    if (reason) throw new Error(`${opts.what}: ${reason}`);
    try {
      return await attempt();
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`${opts.what}: timed out after ${opts.timeoutMs} ms (last error: ${detail})`);
    }
    await sleep(opts.intervalMs ?? 100);
  }
}
