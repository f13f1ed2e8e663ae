// Scales and ticks for the report's charts. Ticks use 1-2-5 steps because
// admins read axes at a glance; time axes count from the run's start because a
// rehearsal is read as "what happened 40 minutes in", not as wall-clock time.
// Unit formatting lives in units.ts and is re-exported here.

export * from './units.js';

export type ScaleKind = 'linear' | 'log';

export interface Scale {
  readonly kind: ScaleKind;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  /** Pixel position of a data value; NaN when the value cannot be placed (e.g. <= 0 on a log scale). */
  map(value: number): number;
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return {
    kind: 'linear',
    domain: [d0, d1],
    range: [r0, r1],
    map: (v) => (Number.isFinite(v) ? r0 + (v - d0) * k : NaN),
  };
}

export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  if (!(d0 > 0 && d1 > 0)) throw new RangeError(`log scale needs a positive domain, got [${d0}, ${d1}]`);
  const [r0, r1] = range;
  const l0 = Math.log10(d0);
  const span = Math.log10(d1) - l0;
  const k = span === 0 ? 0 : (r1 - r0) / span;
  return {
    kind: 'log',
    domain: [d0, d1],
    range: [r0, r1],
    map: (v) => (v > 0 && Number.isFinite(v) ? r0 + (Math.log10(v) - l0) * k : NaN),
  };
}

/** Rounds away binary noise (0.1 * 3 = 0.30000000000000004) so ticks print and compare cleanly. */
export function roundTick(v: number): number {
  const r = Number(v.toPrecision(12));
  return r === 0 ? 0 : r; // no -0
}

/** A 1, 2 or 5 times a power of ten step giving about `count` intervals over `span` (d3's error thresholds). */
export function niceStep(span: number, count = 5): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const power = Math.floor(Math.log10(raw));
  const base = Number(`1e${power}`); // exact for negative powers, unlike 10 ** -3
  const err = raw / base;
  const factor = err >= Math.sqrt(50) ? 10 : err >= Math.sqrt(10) ? 5 : err >= Math.SQRT2 ? 2 : 1;
  return roundTick(factor * base);
}

export interface NiceTicks {
  /** The domain widened outwards to whole steps. */
  min: number;
  max: number;
  step: number;
  ticks: number[];
}

export function niceTicks(min: number, max: number, count = 5): NiceTicks {
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    // A flat series still needs an axis; widen around the value (or 0..1 for zero).
    const pad = min === 0 ? 1 : Math.abs(min) / 2;
    min -= min === 0 ? 0 : pad;
    max += pad;
  }
  const step = niceStep(max - min, count);
  // The epsilon keeps 0.6000000001 from growing the axis by a whole step.
  const lo = roundTick(Math.floor(min / step + 1e-9) * step);
  const hi = roundTick(Math.ceil(max / step - 1e-9) * step);
  const n = Math.round((hi - lo) / step);
  const ticks: number[] = [];
  for (let i = 0; i <= n; i++) ticks.push(roundTick(lo + i * step));
  return { min: lo, max: hi, step, ticks };
}

/** The nice domain of a log axis: whole decades around the data. */
export function logDomain(min: number, max: number): [number, number] {
  const lo = Math.floor(Math.log10(min));
  let hi = Math.ceil(Math.log10(max));
  if (hi === lo) hi = lo + 1;
  return [Number(`1e${lo}`), Number(`1e${hi}`)];
}

/**
 * Ticks at powers of ten inside [min, max]; with two decades or fewer, 2 and 5
 * times them too, and with many decades only every few so labels don't crowd.
 */
export function logTicks(min: number, max: number, count = 8): number[] {
  if (!(min > 0 && max > 0)) return [];
  if (min > max) [min, max] = [max, min];
  const lo = Math.floor(Math.log10(min) + 1e-9);
  const hi = Math.ceil(Math.log10(max) - 1e-9);
  const decades = Math.max(1, hi - lo);
  const every = Math.max(1, Math.ceil((decades + 1) / Math.max(2, count)));
  const mults = decades <= 2 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let p = lo; p <= hi; p++) {
    if ((p - lo) % every !== 0) continue;
    for (const m of mults) {
      const v = roundTick(m * Number(`1e${p}`));
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks;
}

// Steps a reader can add up in their head: seconds, minutes, then hours.
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** Tick positions (seconds since start) at round clock steps, about `count` of them. */
export function timeTicks(min: number, max: number, count = 6): number[] {
  if (min > max) [min, max] = [max, min];
  const span = max - min;
  if (span < 1) return niceTicks(min, max, count).ticks.filter((t) => t >= min - 1e-9 && t <= max + 1e-9);
  const step = TIME_STEPS.find((s) => span / s <= count) ?? niceStep(span / 86400, count) * 86400;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step - 1e-9) * step; t <= max + 1e-9; t += step) ticks.push(roundTick(t));
  return ticks;
}

/** `m:ss` under an hour, `h:mm:ss` after: for a precise moment such as a marker ("breaking point at 41:20"). */
export function formatClock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const sign = seconds < 0 ? '-' : '';
  const total = Math.round(Math.abs(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${sign}${h}:${String(m).padStart(2, '0')}:${ss}` : `${sign}${m}:${ss}`;
}

/** Compact `1h30m`, `45m`, `20s`: a length of time, or an axis label on runs over an hour. */
export function formatDurationShort(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const sign = seconds < 0 ? '-' : '';
  const total = Math.round(Math.abs(seconds));
  if (total === 0) return '0s';
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return sign + (h ? `${h}h` : '') + (m ? `${m}m` : '') + (s ? `${s}s` : '');
}

/**
 * Labels for a time axis spanning `span` seconds: `0:00`, `2:30` on runs under
 * an hour; `0h`, `30m`, `1h`, `1h30m` beyond, where `m:ss` would read as hours.
 */
export function timeTickFormatter(span: number): (seconds: number) => string {
  if (span < 3600) return formatClock;
  return (s) => (Math.round(s) === 0 ? '0h' : formatDurationShort(s));
}
