// k6's Trend percentile (metrics/sink.go TrendSink.P), reproduced exactly:
// sort ascending, i = p·(n−1), linearly interpolate between the neighbours.

/** Go's sort.Float64s order: ascending, NaNs first. Sorts in place. */
export function sortFloat64s(values: Float64Array): Float64Array {
  values.sort(); // numeric for typed arrays; puts NaNs last
  let nans = 0;
  while (nans < values.length && Number.isNaN(values[values.length - 1 - nans]!)) nans++;
  if (nans > 0) {
    values.copyWithin(nans, 0, values.length - nans);
    values.fill(Number.NaN, 0, nans);
  }
  return values;
}

/**
 * Percentile of already-sorted values, `p` in [0, 1] (k6 calls P(pct/100)).
 * Empty → 0; a single value is returned as is.
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  if (n === 1) return sorted[0]!;
  const i = p * (n - 1);
  const lo = sorted[Math.floor(i)]!;
  const hi = sorted[Math.ceil(i)]!;
  return lo + (hi - lo) * (i - Math.floor(i));
}

/** Convenience for unsorted input (copies). */
export function percentile(values: ArrayLike<number>, p: number): number {
  return percentileSorted(sortFloat64s(Float64Array.from(values)), p);
}
