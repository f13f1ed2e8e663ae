// Small operations on time series that every rule needs: combining the
// per-process series Prometheus returns, clipping to a window, and finding
// when a condition first held long enough to count. Sustained-ness lives here
// once so "sustained for 30 s" means the same thing in every rule.
import type { Point, Series } from './types.js';

/** Finite points in time order. Prometheus may return NaN (e.g. a quantile with no data): dropped. */
export function clean(points: readonly Point[]): Point[] {
  return points.filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v)).sort((a, b) => a[0] - b[0]);
}

/**
 * One series from many by summing (or taking the max of) the values at each
 * timestamp. Series from one query_range share their steps, so timestamps are
 * matched exactly; a series with no point at a step simply does not contribute.
 */
export function combine(list: readonly Series[] | undefined, op: 'sum' | 'max' = 'sum'): Point[] {
  const at = new Map<number, number>();
  for (const s of list ?? []) {
    for (const [t, v] of clean(s.points)) {
      const prev = at.get(t);
      at.set(t, prev === undefined ? v : op === 'sum' ? prev + v : Math.max(prev, v));
    }
  }
  return [...at.entries()].sort((a, b) => a[0] - b[0]);
}

/** Points with from ≤ t ≤ to. */
export function clip(points: readonly Point[], from: number, to: number): Point[] {
  return points.filter(([t]) => t >= from && t <= to);
}

/** The usual spacing of points (median), so one point stands for one step of time. */
export function stepOf(points: readonly Point[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < points.length; i++) gaps.push(points[i]![0] - points[i - 1]![0]);
  const positive = gaps.filter((g) => g > 0).sort((a, b) => a - b);
  return positive.length ? positive[Math.floor(positive.length / 2)]! : 1;
}

/** The last value at or before t (a step function, as a gauge scrape is); the first value before the series starts. */
export function valueAt(points: readonly Point[], t: number): number | undefined {
  if (points.length === 0) return undefined;
  let found = points[0]![1];
  for (const [pt, v] of points) {
    if (pt > t) break;
    found = v;
  }
  return found;
}

export function mean(points: readonly Point[]): number | undefined {
  if (points.length === 0) return undefined;
  return points.reduce((s, [, v]) => s + v, 0) / points.length;
}

export function min(points: readonly Point[]): number | undefined {
  return points.length ? Math.min(...points.map(([, v]) => v)) : undefined;
}

/** The highest value and when it happened (the first time, if it repeats). */
export function peak(points: readonly Point[]): { t: number; value: number } | undefined {
  let best: { t: number; value: number } | undefined;
  for (const [t, v] of points) if (!best || v > best.value) best = { t, value: v };
  return best;
}

/** A stretch of consecutive points that all met a condition. */
export interface Stretch {
  start: number;
  end: number;
  /** end − start plus one step: a single point stands for one step of time. */
  durationSec: number;
  peak: number;
  peakAt: number;
}

/**
 * Stretches of consecutive points meeting `test`. A gap of more than twice the
 * usual step (a missed scrape window) ends a stretch: we cannot say the
 * condition held while nothing was measured.
 */
export function stretches(points: readonly Point[], test: (v: number) => boolean): Stretch[] {
  const step = stepOf(points);
  const out: Stretch[] = [];
  let cur: Stretch | undefined;
  let lastT = -Infinity;
  for (const [t, v] of points) {
    const ok = test(v);
    if (cur && (!ok || t - lastT > 2 * step)) {
      out.push(cur);
      cur = undefined;
    }
    if (ok) {
      if (!cur) cur = { start: t, end: t, durationSec: step, peak: v, peakAt: t };
      cur.end = t;
      cur.durationSec = t - cur.start + step;
      if (v > cur.peak) [cur.peak, cur.peakAt] = [v, t];
    }
    lastT = t;
  }
  if (cur) out.push(cur);
  return out;
}

/** The first stretch meeting `test` for at least minSec, or undefined. */
export function firstSustained(points: readonly Point[], test: (v: number) => boolean, minSec: number): Stretch | undefined {
  return stretches(points, test).find((s) => s.durationSec >= minSec);
}

/** Time span covered by all points of the given series lists. */
export function spanOf(lists: ReadonlyArray<readonly Series[] | undefined>): { start: number; end: number } | undefined {
  let start = Infinity;
  let end = -Infinity;
  for (const list of lists) {
    for (const s of list ?? []) {
      for (const [t] of s.points) {
        if (!Number.isFinite(t)) continue;
        start = Math.min(start, t);
        end = Math.max(end, t);
      }
    }
  }
  return start <= end ? { start, end } : undefined;
}

/** A readable name for a series from its labels (queue, pool, process), for evidence text. */
export function labelOf(s: Series, fallback = ''): string {
  const l = s.labels;
  return l.queue ?? l.pool ?? l.pool_name ?? l.process ?? l.job ?? l.instance ?? fallback;
}

/** ∫ v dt by the trapezoid rule: a rate series integrates to a count (jobs, requests, CPU-seconds). */
export function integral(points: readonly Point[]): number {
  let sum = 0;
  for (let i = 1; i < points.length; i++) {
    const [t0, v0] = points[i - 1]!;
    const [t1, v1] = points[i]!;
    sum += ((v0 + v1) / 2) * (t1 - t0);
  }
  return sum;
}
