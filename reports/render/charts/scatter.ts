// Latency against load: each point is one step of offered rate (or a window
// of achieved throughput) with its latency. The knee where latency turns
// upward is the capacity an admin plans against, so it gets an annotation.

import { renderFrame, type LegendItem } from './frame.js';
import { segmentsToPath } from './line.js';
import { repeatDash, seriesColor } from './palette.js';
import { HALO, chartId, el, n, text } from './svg.js';
import { splitSegments } from './downsample.js';
import type { AxisOptions, ChartBase, Marker, Series, Threshold } from './types.js';

export interface ScatterSeries extends Series {
  /** Join points in the given order (a rate sweep). Default true. */
  connect?: boolean;
}

/** A point called out with a ring, guide lines to both axes and a label. */
export interface Highlight {
  x: number;
  y: number;
  label: string;
  /** Second line; default "<x>, <y>" in the axes' units. */
  detail?: string;
  color?: string;
}

export interface ScatterChartOptions extends ChartBase {
  series: readonly ScatterSeries[];
  /** Default: linear from 0 in req/s, titled "Throughput". */
  x?: AxisOptions;
  /** Default: linear from 0 in ms, titled "Latency". */
  y?: AxisOptions;
  thresholds?: readonly Threshold[];
  markers?: readonly Marker[];
  highlights?: readonly Highlight[];
}

export function scatterChart(opts: ScatterChartOptions): string {
  const highlights = opts.highlights ?? [];
  const prepared = opts.series.map((s, i) => ({
    name: s.name,
    color: s.color ?? seriesColor(i),
    dash: s.dashed ? '6 4' : repeatDash(i),
    connect: s.connect ?? true,
    segments: splitSegments(s.points),
  }));
  const all = prepared.flatMap((p) => p.segments.flat());
  const legend: LegendItem[] = prepared.map((p) => ({ name: p.name, color: p.color, dash: p.dash, shape: p.connect ? 'line+point' : 'point' }));
  const x = { unit: 'req/s', label: 'Throughput', ...opts.x };
  const y = { unit: 'ms', label: 'Latency', ...opts.y };

  return renderFrame({
    id: chartId(opts, opts.id),
    className: 'chart chart-scatter',
    kind: `Scatter chart with ${prepared.length} series`,
    base: opts,
    size: [960, 400],
    x,
    xDefaults: { scale: 'linear', zero: true, nice: true, label: '' },
    y,
    yDefaults: { scale: 'linear', zero: true, nice: true, label: '' },
    xs: [...all.map((p) => p[0]), ...highlights.map((h) => h.x)],
    ys: [...all.map((p) => p[1]), ...highlights.map((h) => h.y)],
    legend,
    thresholds: opts.thresholds ?? [],
    markers: opts.markers ?? [],
    bands: [],
    empty: all.length === 0 && highlights.length === 0,
    describe: (xa, ya) => [
      ...prepared.map((p) => `Series "${p.name}" has ${p.segments.flat().length} points.`),
      ...highlights.map((h) => `Highlighted "${h.label}" at ${xa.format(h.x)}, ${ya.format(h.y)}.`),
    ],
    plot: ({ x: xa, y: ya, rect, clipId }) => {
      let body = '';
      for (const p of prepared) {
        let g = '';
        if (p.connect) {
          const { d } = segmentsToPath(p.segments, xa.scale, ya.scale);
          if (d) g += el('path', { d, fill: 'none', stroke: p.color, 'stroke-width': 1.5, 'stroke-opacity': 0.7, 'stroke-dasharray': p.dash, 'stroke-linejoin': 'round' });
        }
        for (const [vx, vy] of p.segments.flat()) {
          const cx = xa.scale.map(vx);
          const cy = ya.scale.map(vy);
          if (Number.isFinite(cx) && Number.isFinite(cy)) g += el('circle', { cx, cy, r: 3.5, fill: p.color });
        }
        body += el('g', { class: 'series' }, g);
      }
      let marks = '';
      for (const h of highlights) {
        const px = xa.scale.map(h.x);
        const py = ya.scale.map(h.y);
        if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
        const color = h.color ?? 'currentColor';
        // Label towards the emptier side: left of points in the right half, above unless near the top.
        const leftward = px > (rect.left + rect.right) / 2;
        const above = py - 40 > rect.top;
        const tx = px + (leftward ? -16 : 16);
        const ty = above ? py - 26 : py + 24;
        const anchor = leftward ? 'end' : 'start';
        const detail = h.detail ?? `${xa.format(h.x)}, ${ya.format(h.y)}`;
        marks += el(
          'g',
          { class: 'highlight' },
          el('path', { d: `M${n(px)},${n(py)}V${n(rect.bottom)}M${n(px)},${n(py)}H${n(rect.left)}`, stroke: color, 'stroke-opacity': 0.45, 'stroke-dasharray': '2 3', fill: 'none' }) +
            el('circle', { cx: px, cy: py, r: 7, fill: 'none', stroke: color, 'stroke-width': 2 }) +
            el('line', { x1: px + (leftward ? -5 : 5), y1: py + (above ? -5 : 5), x2: tx, y2: ty + (above ? 4 : -12), stroke: color, 'stroke-width': 1 }) +
            text(tx, ty, h.label, { 'text-anchor': anchor, 'font-weight': 700, fill: color, style: HALO }) +
            text(tx, ty + 14, detail, { 'text-anchor': anchor, 'font-size': 11, style: HALO }),
        );
      }
      return el('g', { 'clip-path': `url(#${clipId})` }, body) + marks;
    },
  });
}
