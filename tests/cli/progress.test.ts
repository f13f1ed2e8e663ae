import { describe, expect, it } from 'vitest';
import { formatProgress, progressEnabled, runnerProgress } from '../../scripts/ui/progress.js';

describe('live progress line', () => {
  it('shows elapsed and remaining time, rate, p95, errors and drops', () => {
    const line = formatProgress({ elapsedMs: 125_000, totalMs: 600_000, rate: 42.4, p95Ms: 380, errorRate: 0.004, dropped: 3, vus: 17 });
    expect(line).toBe('2:05 / 10:00 (7:55 left) · 42 req/s · p95 380 ms · errors 0.40% · dropped 3 · VUs 17');
  });

  it('switches to seconds for slow responses and hours for long runs', () => {
    const line = formatProgress({ elapsedMs: 3_725_000, rate: 2.5, rateUnit: 'signups/s', p95Ms: 1520, errorRate: 0 });
    expect(line).toBe('1:02:05 · 2.5 signups/s · p95 1.52 s · errors 0.0%');
  });

  it('stays quiet in CI and when output is not a terminal', () => {
    const tty = { isTTY: true } as NodeJS.WriteStream;
    expect(progressEnabled(tty, {})).toBe(true);
    expect(progressEnabled(tty, { CI: 'true' })).toBe(false);
    expect(progressEnabled({ isTTY: false } as NodeJS.WriteStream, {})).toBe(false);
  });

  it("turns the runner's snapshots into a rate since the last one, with the window's errors and p95", () => {
    const last = { t: 0, n: 0 };
    const snap = (elapsedMs: number, iterations: number, requests: number, failedRequests: number, latencyP95Ms?: number) => ({
      phase: 'running' as const, elapsedMs, vus: 4, vusMax: 8, iterations, interruptedIterations: 0,
      scenarios: [{ dropped: 2 }, { dropped: 1 }] as never[], window: { requests, failedRequests, latencyP95Ms },
    });
    const first = runnerProgress(snap(2000, 10, 50, 0, 120), last, { totalMs: 60_000, phase: 'wave', rateUnit: 'signups/s' });
    expect(first).toEqual({ phase: 'wave', elapsedMs: 2000, totalMs: 60_000, rate: 5, rateUnit: 'signups/s', p95Ms: 120, errorRate: 0, dropped: 3, vus: 4 });
    const second = runnerProgress(snap(3000, 30, 40, 10), last, { rateUnit: 'it/s' });
    expect(second).toMatchObject({ rate: 20, errorRate: 0.25 });
    expect(second).not.toHaveProperty('p95Ms');
    expect(second.phase).toBeUndefined();
  });
});
