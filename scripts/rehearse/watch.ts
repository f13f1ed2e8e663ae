// Watches the target while a phase runs: a target that crashed or stopped
// answering ends the phase at once (the report is then partial and says why)
// instead of the load hammering a dead address until the phase's end.

export interface TargetWatch {
  /** Stops watching; safe to call twice. */
  stop(): void;
}

export interface WatchOptions {
  intervalMs?: number;
  /** Consecutive failed health checks that make the target down. */
  failures?: number;
  /** A slow answer under overload is still an answer: only this long counts as none. */
  timeoutMs?: number;
  /** Something the harness knows directly, e.g. "the Sidekiq worker exited with code 1". */
  check?: () => string | undefined;
  onDown: (reason: string) => void;
}

export function watchTarget(baseUrl: string, opts: WatchOptions): TargetWatch {
  const failures = opts.failures ?? 3;
  let failed = 0;
  let busy = false;
  let done = false;
  const down = (reason: string) => {
    if (done) return;
    done = true;
    clearInterval(timer);
    opts.onDown(reason);
  };
  const tick = async () => {
    const known = opts.check?.();
    if (known) return down(known);
    if (busy) return;
    busy = true;
    try {
      const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      failed = 0;
    } catch (err) {
      failed++;
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      if (failed >= failures) down(`the target stopped answering (GET /health failed ${failed} times in a row: ${cause})`);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), opts.intervalMs ?? 1000);
  timer.unref();
  return {
    stop() {
      done = true;
      clearInterval(timer);
    },
  };
}
