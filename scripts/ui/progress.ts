// Live progress for long runs: one line redrawn in place on a terminal, and
// nothing at all in CI or when output is piped, where a log of redraws is noise.
import type { ProgressSnapshot as RunnerSnapshot } from '../../infra/engines/node/runtime/run.js';

export interface ProgressSnapshot {
  elapsedMs: number;
  /** Planned length of the run, when known. */
  totalMs?: number;
  /** Completed requests (or iterations) per second over the last interval. */
  rate: number;
  rateUnit?: string;
  p95Ms?: number;
  /** Share of failed requests, 0..1. */
  errorRate: number;
  dropped?: number;
  vus?: number;
  phase?: string;
}

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function formatProgress(p: ProgressSnapshot): string {
  const parts = [
    p.phase ? `${p.phase}` : undefined,
    p.totalMs ? `${clock(p.elapsedMs)} / ${clock(p.totalMs)} (${clock(p.totalMs - p.elapsedMs)} left)` : clock(p.elapsedMs),
    `${p.rate.toFixed(p.rate < 10 ? 1 : 0)} ${p.rateUnit ?? 'req/s'}`,
    p.p95Ms !== undefined ? `p95 ${p.p95Ms < 1000 ? `${p.p95Ms.toFixed(0)} ms` : `${(p.p95Ms / 1000).toFixed(2)} s`}` : undefined,
    `errors ${(p.errorRate * 100).toFixed(p.errorRate > 0 && p.errorRate < 0.01 ? 2 : 1)}%`,
    p.dropped ? `dropped ${p.dropped}` : undefined,
    p.vus !== undefined ? `VUs ${p.vus}` : undefined,
  ];
  return parts.filter(Boolean).join(' · ');
}

export function progressEnabled(stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !env.CI;
}

export class ProgressLine {
  private shown = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly enabled = progressEnabled(stream),
  ) {}

  update(p: ProgressSnapshot): void {
    if (!this.enabled) return;
    const width = this.stream.columns ?? 120;
    this.stream.write(`\r\x1b[2K${formatProgress(p).slice(0, width - 1)}`);
    this.shown = true;
  }

  /** Clears the line so the next output (a summary, an error) starts clean. */
  done(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}

/**
 * A line from the Node runner's snapshot: iterations per second since the
 * last one (`last` carries that between calls), and the window's errors and p95.
 */
export function runnerProgress(p: RunnerSnapshot, last: { t: number; n: number }, opts: { totalMs?: number; phase?: string; rateUnit: string }): ProgressSnapshot {
  const dt = (p.elapsedMs - last.t) / 1000;
  const rate = dt > 0 ? (p.iterations - last.n) / dt : 0;
  last.t = p.elapsedMs;
  last.n = p.iterations;
  return {
    phase: opts.phase ?? (p.phase === 'running' ? undefined : p.phase),
    elapsedMs: p.elapsedMs,
    ...(opts.totalMs !== undefined ? { totalMs: opts.totalMs } : {}),
    rate,
    rateUnit: opts.rateUnit,
    ...(p.window.latencyP95Ms !== undefined ? { p95Ms: p.window.latencyP95Ms } : {}),
    errorRate: p.window.requests ? p.window.failedRequests / p.window.requests : 0,
    dropped: p.scenarios.reduce((a, s) => a + s.dropped, 0),
    vus: p.vus,
  };
}
