// Time-series line chart: latency percentiles, throughput, queue depth over a
// run. Series are split at gaps and downsampled before drawing so a day-long
// run stays a few hundred points per line.

import { extentOf } from './axis.js';
import { downsampleSegments, splitSegments, type DownsampleMethod, type Point } from './downsample.js';
import { renderFrame, type LegendItem } from './frame.js';
import { repeatDash, seriesColor } from './palette.js';
import type { Scale } from './scale.js';
import { chartId, el, n } from './svg.js';
import type { AxisOptions, Band, ChartBase, Marker, Series, Threshold } from './types.js';

export interface LineChartOptions extends ChartBase {
  series: readonly Series[];
  /** Default: a time axis in seconds since the run's start. */
  x?: AxisOptions;
  /** Default: linear from 0. */
  y?: AxisOptions;
  thresholds?: readonly Threshold[];
  markers?: readonly Marker[];
  bands?: readonly Band[];
  /** Per series, after gaps are split out. Default 600. */
  maxPoints?: number;
  /** Default 'minmax', which keeps every spike. */
  downsample?: DownsampleMethod;
  /** Break the line where consecutive x values are further apart than this (e.g. missed scrapes). */
  maxGap?: number;
}

export const DEFAULT_MAX_POINTS = 600;

/**
 * SVG path data for segments: one "M…L…" run per unbroken stretch. Points
 * that cannot be placed (e.g. y <= 0 on a log axis) also break the line.
 * Returns the lone points separately, since a one-point path draws nothing.
 */
export function segmentsToPath(segments: readonly Point[][], x: Scale, y: Scale): { d: string; dots: Array<[number, number]> } {
  let d = '';
  const dots: Array<[number, number]> = [];
  for (const seg of segments) {
    let run: string[] = [];
    let runStart: [number, number] | null = null;
    const flush = () => {
      if (run.length > 1) d += `M${run.join('L')}`;
      else if (runStart) dots.push(runStart);
      run = [];
      runStart = null;
    };
    for (const [vx, vy] of seg) {
      const px = x.map(vx);
      const py = y.map(vy);
      if (!Number.isFinite(px) || !Number.isFinite(py)) {
        flush();
        continue;
      }
      const p = `${n(px)},${n(py)}`;
      if (run[run.length - 1] === p) continue; // same pixel: saves bytes on dense series
      if (!run.length) runStart = [px, py];
      run.push(p);
    }
    flush();
  }
  return { d, dots };
}

export function lineChart(opts: LineChartOptions): string {
  const max = opts.maxPoints ?? DEFAULT_MAX_POINTS;
  const prepared = opts.series.map((s, i) => {
    const raw = splitSegments(s.points, opts.maxGap);
    return {
      name: s.name,
      color: s.color ?? seriesColor(i),
      dash: s.dashed ? '6 4' : repeatDash(i),
      segments: downsampleSegments(raw, max, opts.downsample ?? 'minmax'),
    };
  });
  const all = prepared.flatMap((p) => p.segments.flat());
  const legend: LegendItem[] = prepared.map((p) => ({ name: p.name, color: p.color, dash: p.dash, shape: 'line' }));

  return renderFrame({
    id: chartId(opts, opts.id),
    className: 'chart chart-line',
    kind: `Line chart with ${prepared.length} series`,
    base: opts,
    size: [960, 360],
    x: opts.x ?? {},
    xDefaults: { scale: 'time', zero: false, nice: false, label: 'Time since start' },
    y: opts.y ?? {},
    yDefaults: { scale: 'linear', zero: true, nice: true, label: '' },
    xs: all.map((p) => p[0]),
    ys: all.map((p) => p[1]),
    legend,
    thresholds: opts.thresholds ?? [],
    markers: opts.markers ?? [],
    bands: opts.bands ?? [],
    empty: all.length === 0,
    describe: (_x, y) =>
      prepared.map((p) => {
        const ext = extentOf(p.segments.flat().map((q) => q[1]));
        const gaps = p.segments.length > 1 ? ` with ${p.segments.length - 1} gap${p.segments.length > 2 ? 's' : ''}` : '';
        return ext ? `Series "${p.name}" ranges from ${y.format(ext[0])} to ${y.format(ext[1])}${gaps}.` : `Series "${p.name}" has no data.`;
      }),
    plot: ({ x, y, clipId }) => {
      let body = '';
      for (const p of prepared) {
        const { d, dots } = segmentsToPath(p.segments, x.scale, y.scale);
        let g = '';
        if (d) g += el('path', { d, fill: 'none', stroke: p.color, 'stroke-width': 2, 'stroke-linejoin': 'round', 'stroke-linecap': 'round', 'stroke-dasharray': p.dash });
        for (const [cx, cy] of dots) g += el('circle', { cx, cy, r: 2.5, fill: p.color });
        body += el('g', { class: 'series' }, g);
      }
      return el('g', { 'clip-path': `url(#${clipId})` }, body);
    },
  });
}
