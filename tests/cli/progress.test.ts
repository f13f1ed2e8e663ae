import { describe, expect, it } from 'vitest';
import { formatProgress, progressEnabled } from '../../scripts/ui/progress.js';

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
});
