import type { Sample } from './metrics.js';

// What a live progress line shows beside the counters: requests, failures and
// the p95 latency since the previous snapshot, so a run going bad shows at
// once rather than diluted in the whole test's totals.

export interface ProgressWindowStats {
  requests: number;
  failedRequests: number;
  /** p95 of http_req_duration over the window, ms; undefined without requests. */
  latencyP95Ms: number | undefined;
}

/** Enough durations for a stable p95; beyond it, a uniform reservoir sample. */
const KEEP = 4096;

export class ProgressWindow {
  private durations: number[] = [];
  private seen = 0;
  private failed = 0;

  readonly metrics = ['http_req_duration', 'http_req_failed'] as const;

  readonly onSample = (s: Sample): void => {
    if (s.metric.name === 'http_req_failed') {
      if (s.value) this.failed++;
      return;
    }
    this.seen++;
    if (this.durations.length < KEEP) this.durations.push(s.value);
    else {
      const i = Math.floor(Math.random() * this.seen);
      if (i < KEEP) this.durations[i] = s.value;
    }
  };

  /** The window's figures; starts the next window. */
  take(): ProgressWindowStats {
    const sorted = this.durations.sort((a, b) => a - b);
    const stats = {
      requests: this.seen,
      failedRequests: this.failed,
      latencyP95Ms: sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] : undefined,
    };
    this.durations = [];
    this.seen = 0;
    this.failed = 0;
    return stats;
  }
}
