// Synthetic runs for the report-model tests: series from plain functions of
// time, so each test states the behaviour it plants and checks it is found.
import type { Phase, RunData, RunSeries, Series } from '../../../reports/model/types.js';

/** Samples fn every `step` seconds over [from, to] (both ends included). */
export function series(name: string, fn: (t: number) => number, from: number, to: number, labels: Record<string, string> = {}, step = 15): Series {
  const points: [number, number][] = [];
  for (let t = from; t <= to + 1e-9; t += step) points.push([t, fn(t)]);
  return { name, labels, points };
}

/** Stepped offered load: `rates[i]` from from + i·hold for hold seconds. */
export function stepped(rates: number[], hold: number, from = 0): (t: number) => number {
  return (t) => rates[Math.min(rates.length - 1, Math.max(0, Math.floor((t - from) / hold)))]!;
}

export function phase(kind: Phase['kind'], startSec: number, endSec: number, shape?: Phase['shape']): Phase {
  return { name: kind, kind, startSec, endSec, ...(shape ? { shape } : {}) };
}

export function runData(over: Partial<Omit<RunData, 'series'>> & { series?: Partial<RunSeries> } = {}): RunData {
  const { series: s, ...rest } = over;
  return {
    target: { kind: 'standin', label: 'stand-in' },
    rateUnit: 'req/s',
    requestsPerArrival: 1,
    phases: [],
    sizing: { webConcurrency: 2, maxThreads: 5, sidekiqConcurrency: 5 },
    limits: {},
    wave: {
      name: 'exodus-day-one',
      totalSignups: 70_000,
      durationSec: 3600,
      compression: 24,
      peakSignupRate: 48,
      retention: 0.56,
      baselineUsers: 0,
      newcomerActivity: { verifyCredentials: 2, follows: 3, posts: 0.4, homeTimeline: 8, publicTimeline: 3, favourites: 2, reblogs: 0.5, notifications: 4 },
      streamingShare: 0.1,
    },
    ...rest,
    series: { offeredRate: [], throughput: [], latencyP95: [], errorRate: [], ...s },
  };
}
