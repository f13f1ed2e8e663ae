// Downsampling so a 24-hour run at one sample per second (86,400 points per
// series) draws with a few hundred points. Latency spikes are the point of the
// report, so both methods keep each series' highest and lowest values.

export type Point = readonly [number, number];
/** A raw sample; a null, NaN or infinite y is a gap in the line. */
export type MaybePoint = readonly [number, number | null | undefined];
export type DownsampleMethod = 'minmax' | 'lttb' | 'none';

/**
 * Splits at missing values (and, with `maxGap`, where x jumps further than
 * that, e.g. lost scrapes) so a line is never drawn across missing data.
 */
export function splitSegments(points: readonly MaybePoint[], maxGap?: number): Point[][] {
  const segments: Point[][] = [];
  let current: Point[] = [];
  for (const [x, y] of points) {
    const ok = Number.isFinite(x) && y !== null && y !== undefined && Number.isFinite(y);
    if (!ok) {
      if (current.length) segments.push(current);
      current = [];
      continue;
    }
    const last = current[current.length - 1];
    if (last && maxGap !== undefined && x - last[0] > maxGap) {
      segments.push(current);
      current = [];
    }
    current.push([x, y]);
  }
  if (current.length) segments.push(current);
  return segments;
}

function extremes(points: readonly Point[]): [number, number] {
  let lo = 0;
  let hi = 0;
  for (let i = 1; i < points.length; i++) {
    if (points[i]![1] < points[lo]![1]) lo = i;
    if (points[i]![1] > points[hi]![1]) hi = i;
  }
  return [lo, hi];
}

/**
 * Min-max: the first and last point, then the lowest and highest of each
 * equal-count bucket in between, in x order. Never more than `max` points.
 */
export function minMax(points: readonly Point[], max: number): Point[] {
  if (points.length <= max || max < 4) return points.length <= max ? [...points] : lttb(points, max);
  const inner = points.length - 2;
  const buckets = Math.floor((max - 2) / 2);
  const out: Point[] = [points[0]!];
  for (let b = 0; b < buckets; b++) {
    const start = 1 + Math.floor((b * inner) / buckets);
    const end = 1 + Math.floor(((b + 1) * inner) / buckets);
    if (end <= start) continue;
    const [lo, hi] = extremes(points.slice(start, end));
    const first = Math.min(lo, hi);
    const second = Math.max(lo, hi);
    out.push(points[start + first]!);
    if (second !== first) out.push(points[start + second]!);
  }
  out.push(points[points.length - 1]!);
  return out;
}

/**
 * Largest-Triangle-Three-Buckets (Steinarsson 2013): keeps the shape of the
 * line better than min-max at the same budget, but may skip an extreme, so the
 * series' minimum and maximum are added back.
 */
export function lttb(points: readonly Point[], max: number): Point[] {
  const len = points.length;
  if (len <= max) return [...points];
  if (max < 3) return max <= 0 ? [] : max === 1 ? [points[0]!] : [points[0]!, points[len - 1]!];
  const keepExtremes = max >= 5;
  const budget = keepExtremes ? max - 2 : max; // room for the extremes
  const chosen = new Set<number>([0]);
  const every = (len - 2) / (budget - 2);
  let a = 0;
  for (let i = 0; i < budget - 2; i++) {
    // Average of the next bucket is the third corner of the triangle.
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(len, Math.floor((i + 2) * every) + 1);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += points[j]![0];
      avgY += points[j]![1];
    }
    const count = Math.max(1, nextEnd - nextStart);
    avgX /= count;
    avgY /= count;
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    const [ax, ay] = points[a]!;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const [x, y] = points[j]!;
      const area = Math.abs((ax - avgX) * (y - ay) - (ax - x) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    chosen.add(best);
    a = best;
  }
  chosen.add(len - 1);
  if (keepExtremes) for (const i of extremes(points)) chosen.add(i);
  return [...chosen].sort((p, q) => p - q).map((i) => points[i]!);
}

export function downsample(points: readonly Point[], max: number, method: DownsampleMethod = 'minmax'): Point[] {
  if (method === 'none' || points.length <= max) return [...points];
  return method === 'lttb' ? lttb(points, max) : minMax(points, max);
}

/**
 * Downsamples a gapped series: each segment gets a share of `max` in
 * proportion to its length, but at least its first and last point, so very
 * fragmented data may exceed `max` slightly rather than lose segments.
 */
export function downsampleSegments(segments: readonly Point[][], max: number, method: DownsampleMethod = 'minmax'): Point[][] {
  const total = segments.reduce((sum, s) => sum + s.length, 0);
  if (method === 'none' || total <= max) return segments.map((s) => [...s]);
  return segments.map((s) => downsample(s, Math.max(Math.min(s.length, 2), Math.floor((max * s.length) / total)), method));
}
