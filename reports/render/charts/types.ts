// Option types shared by the chart builders.

import type { MaybePoint } from './downsample.js';
import type { Unit } from './units.js';

export type { MaybePoint, Point, DownsampleMethod } from './downsample.js';
export type { Unit } from './units.js';

export interface ChartBase {
  /** Shown above the chart and announced by screen readers. */
  title: string;
  /** Replaces the generated text description (<desc>). */
  description?: string;
  width?: number;
  height?: number;
  /** Element id; by default derived from the options, so output stays deterministic. */
  id?: string;
  /** Set false when the page already shows the title as a heading. Default true. */
  showTitle?: boolean;
}

export interface AxisOptions {
  /** Axis title; the display unit is appended, e.g. "Latency (ms)". */
  label?: string;
  unit?: Unit;
  /** `time` takes seconds since the run's start. */
  scale?: 'linear' | 'log' | 'time';
  min?: number;
  max?: number;
  /** Linear axes: stretch the domain to include 0 (honest bars and latencies). */
  zero?: boolean;
  /** Linear axes: widen the domain to whole tick steps. */
  nice?: boolean;
  /** Tick and annotation label override; the axis title then shows no unit. */
  format?: (value: number) => string;
}

export interface Series {
  name: string;
  /** [x, y]; a null, NaN or missing y leaves a gap. */
  points: readonly MaybePoint[];
  /** Any CSS colour; defaults to the Okabe–Ito palette in order. */
  color?: string;
  dashed?: boolean;
}

/** A horizontal reference line, e.g. an SLO. */
export interface Threshold {
  value: number;
  label: string;
  color?: string;
  /** Stretch the axis so the line is visible even when data stays far below it. Default true. */
  includeInDomain?: boolean;
}

/** A vertical line at an x value, e.g. "breaking point". */
export interface Marker {
  x: number;
  label: string;
  color?: string;
}

/** A shaded x range, e.g. a phase of the wave. */
export interface Band {
  from: number;
  to: number;
  label?: string;
  color?: string;
}
