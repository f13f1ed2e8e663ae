// Turns axis options plus the data's extent into a scale, tick labels and an
// axis title. Linear ticks are chosen in the display unit (e.g. MiB, s) so
// they land on round numbers a reader sees, not round numbers of bytes.

import {
  axisUnit,
  formatClock,
  formatNumber,
  formatValue,
  linearScale,
  logDomain,
  logScale,
  logTicks,
  niceTicks,
  stepDecimals,
  timeTickFormatter,
  timeTicks,
  type Scale,
} from './scale.js';
import type { AxisOptions } from './types.js';

export interface Tick {
  value: number;
  label: string;
}

export interface ResolvedAxis {
  scale: Scale;
  ticks: Tick[];
  /** Axis title with its display unit, or '' for none. */
  title: string;
  /** A single value with its unit, for descriptions and annotations. */
  format: (value: number) => string;
}

export interface AxisDefaults {
  scale: 'linear' | 'log' | 'time';
  zero: boolean;
  nice: boolean;
  label: string;
}

const within = (v: number, lo: number, hi: number) => {
  const eps = Math.abs(hi - lo) * 1e-9;
  return v >= lo - eps && v <= hi + eps;
};

/**
 * `extent` is the data's [min, max] (positive values only for a log axis), or
 * null when there is nothing to draw. `range` is the pixel range.
 */
export function resolveAxis(
  opts: AxisOptions,
  defaults: AxisDefaults,
  extent: readonly [number, number] | null,
  range: readonly [number, number],
  count: number,
): ResolvedAxis {
  const kind = opts.scale ?? defaults.scale;
  const unit = opts.unit ?? 'none';
  const label = opts.label ?? defaults.label;

  if (kind === 'time') {
    let lo = opts.min ?? extent?.[0] ?? 0;
    let hi = opts.max ?? extent?.[1] ?? 60;
    if (hi <= lo) hi = lo + 60;
    // A run that stops a second short of 2h still gets its "2h" tick.
    const next = timeTicks(lo, hi + (hi - lo) * 0.02, count).at(-1);
    if (opts.max === undefined && next !== undefined && next > hi) hi = next;
    const fmt = opts.format ?? timeTickFormatter(hi - lo);
    return {
      scale: linearScale([lo, hi], range),
      ticks: timeTicks(lo, hi, count).map((value) => ({ value, label: fmt(value) })),
      title: label,
      format: opts.format ?? formatClock,
    };
  }

  const format = opts.format ?? ((v: number) => formatValue(v, unit));

  if (kind === 'log') {
    const [dlo, dhi] = extent ?? [1, 10];
    const nice = logDomain(opts.min ?? dlo, opts.max ?? dhi);
    const lo = opts.min ?? nice[0];
    const hi = opts.max ?? nice[1];
    return {
      scale: logScale([lo, hi], range),
      ticks: logTicks(lo, hi, count).map((value) => ({ value, label: format(value) })),
      title: label ? `${label} (log scale)` : '',
      format,
    };
  }

  let lo = opts.min ?? extent?.[0] ?? 0;
  let hi = opts.max ?? extent?.[1] ?? 1;
  if (opts.zero ?? defaults.zero) {
    if (opts.min === undefined) lo = Math.min(lo, 0);
    if (opts.max === undefined) hi = Math.max(hi, 0);
  }
  const au = axisUnit(unit, Math.max(Math.abs(lo), Math.abs(hi)));
  const nt = niceTicks(lo / au.divisor, hi / au.divisor, count);
  if (opts.nice ?? defaults.nice) {
    if (opts.min === undefined) lo = nt.min * au.divisor;
    if (opts.max === undefined) hi = nt.max * au.divisor;
  }
  if (hi === lo) hi = lo + au.divisor;
  const decimals = stepDecimals(nt.step);
  const ticks = nt.ticks
    .map((t) => ({ value: t * au.divisor, label: opts.format ? opts.format(t * au.divisor) : formatNumber(t, decimals) + (t === 0 ? '' : au.suffix) }))
    .filter((t) => within(t.value, lo, hi));
  const title = label && au.label && !opts.format ? `${label} (${au.label})` : label;
  return { scale: linearScale([lo, hi], range), ticks, title, format };
}

/** [min, max] of finite values, or null; `positive` keeps only values > 0 (log axes). */
export function extentOf(values: Iterable<number>, positive = false): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (positive && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}
