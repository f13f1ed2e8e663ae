import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { RunOptions } from '../run-options.js';

// The real k6 binary, where a user has one: find it and build the exact
// command line and environment it runs with.

export function findK6(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'k6');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface K6Command {
  args: string[];
  env: Record<string, string>;
}

export function k6Command(o: RunOptions): K6Command {
  const args = ['run'];
  for (const [k, v] of Object.entries(o.env)) args.push('-e', `${k}=${v}`);
  if (o.vus !== undefined) args.push('--vus', String(o.vus));
  if (o.duration !== undefined) args.push('--duration', o.duration);
  if (o.iterations !== undefined) args.push('--iterations', String(o.iterations));
  for (const s of o.stages ?? []) args.push('--stage', s);
  if (o.summaryTrendStats) args.push('--summary-trend-stats', o.summaryTrendStats.join(','));
  for (const [k, v] of Object.entries(o.tags)) args.push('--tag', `${k}=${v}`);
  if (o.executionSegment) args.push('--execution-segment', o.executionSegment);
  if (o.executionSegmentSequence) args.push('--execution-segment-sequence', o.executionSegmentSequence);
  if (o.summaryExport) args.push('--summary-export', o.summaryExport);
  if (o.outJson) args.push('--out', `json=${o.outJson}`);
  const env: Record<string, string> = {};
  if (o.prometheusRw) {
    args.push('--out', 'experimental-prometheus-rw');
    env.K6_PROMETHEUS_RW_SERVER_URL = o.prometheusRw.url;
    env.K6_PROMETHEUS_RW_TREND_STATS = o.prometheusRw.trendStats.join(',');
    // Series end with the test instead of lingering 5 minutes into the next phase.
    env.K6_PROMETHEUS_RW_STALE_MARKERS = 'true';
    if (o.prometheusRw.pushInterval) env.K6_PROMETHEUS_RW_PUSH_INTERVAL = o.prometheusRw.pushInterval;
  }
  if (o.quiet) args.push('--quiet');
  if (o.noThresholds) args.push('--no-thresholds');
  args.push(o.script);
  return { args, env };
}
