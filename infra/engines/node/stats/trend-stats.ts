// summaryTrendStats columns (k6 metrics/sample.go GetResolversForTrendColumns).

export const DEFAULT_SUMMARY_TREND_STATS: readonly string[] = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

const STATIC = new Set(['avg', 'min', 'med', 'max', 'count']);

export class TrendStatError extends Error {}

/** `p(N)` → N, validating 0 ≤ N ≤ 100 with k6's messages. */
export function parseTrendStat(stat: string): number {
  if (!stat.startsWith('p(') || !stat.endsWith(')')) {
    throw new TrendStatError(`invalid trend stat '${stat}', unknown format`);
  }
  const inner = stat.slice(2, -1);
  const n = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(inner) ? Number(inner) : Number.NaN;
  if (Number.isNaN(n) || n < 0 || n > 100) {
    throw new TrendStatError(`invalid percentile trend stat value '${stat}', provide a number between 0 and 100`);
  }
  return n;
}

/** Throws TrendStatError on the first invalid column. */
export function validateTrendStats(stats: readonly string[]): void {
  for (const s of stats) if (!STATIC.has(s)) parseTrendStat(s);
}
