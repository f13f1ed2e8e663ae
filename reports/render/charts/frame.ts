// The parts line and scatter charts share: layout, title, legend, axes, grid,
// thresholds, markers, bands and the accessible description. The chart
// itself only draws its data inside the plot rectangle.

import { extentOf, resolveAxis, type AxisDefaults, type ResolvedAxis } from './axis.js';
import { HALO, el, n, svgDocument, text, textWidth, truncate } from './svg.js';
import type { AxisOptions, Band, ChartBase, Marker, Threshold } from './types.js';

export const PAD = 12;
const TITLE_H = 24;
const LEGEND_ROW = 18;
const ANN_ROW = 15;
const TICK_FS = 11;

export interface LegendItem {
  name: string;
  color: string;
  dash?: string | undefined;
  shape: 'line' | 'point' | 'line+point';
}

export interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface PlotContext {
  x: ResolvedAxis;
  y: ResolvedAxis;
  rect: Rect;
  /** Use as clip-path="url(#…)" so data outside the axes is cut off. */
  clipId: string;
}

export interface FrameSpec {
  id: string;
  className: string;
  /** "Line chart", for the description. */
  kind: string;
  base: ChartBase;
  size: [number, number];
  x: AxisOptions;
  xDefaults: AxisDefaults;
  /** The data's x values and y values, for the axes' extents. */
  xs: number[];
  ys: number[];
  y: AxisOptions;
  yDefaults: AxisDefaults;
  legend: LegendItem[];
  thresholds: readonly Threshold[];
  markers: readonly Marker[];
  bands: readonly Band[];
  empty: boolean;
  /** Sentences about the data for <desc>, given the resolved axes. */
  describe: (x: ResolvedAxis, y: ResolvedAxis) => string[];
  plot: (ctx: PlotContext) => string;
}

/** Places labels in rows so none overlap: the first row with room wins. */
export class RowAllocator {
  private rows: Array<Array<[number, number]>> = [];
  place(from: number, to: number): number {
    for (let r = 0; ; r++) {
      const row = (this.rows[r] ??= []);
      if (row.every(([a, b]) => to + 6 < a || from - 6 > b)) {
        row.push([from, to]);
        return r;
      }
    }
  }
  get count(): number {
    return this.rows.length;
  }
}

function legendWidth(item: LegendItem): number {
  return 22 + 5 + textWidth(item.name, 12) + 16;
}

function layoutLegend(items: LegendItem[], width: number): Array<{ item: LegendItem; x: number; row: number }> {
  const out: Array<{ item: LegendItem; x: number; row: number }> = [];
  let row = 0;
  let x = 0;
  for (const item of items) {
    const w = legendWidth(item);
    if (x > 0 && x + w > width) {
      row++;
      x = 0;
    }
    out.push({ item, x, row });
    x += w;
  }
  return out;
}

function swatch(item: LegendItem, x: number, y: number): string {
  let s = '';
  if (item.shape !== 'point') {
    s += el('line', { x1: x, y1: y, x2: x + 22, y2: y, stroke: item.color, 'stroke-width': 2.5, 'stroke-dasharray': item.dash, 'stroke-linecap': 'round' });
  }
  if (item.shape !== 'line') s += el('circle', { cx: x + 11, cy: y, r: 3.5, fill: item.color });
  return s;
}

function extentWith(values: number[], extra: number[], positive: boolean): [number, number] | null {
  return extentOf([...values, ...extra], positive);
}

export function renderFrame(spec: FrameSpec): string {
  const { base } = spec;
  const W = base.width ?? spec.size[0];
  const H = base.height ?? spec.size[1];
  const showTitle = base.showTitle ?? true;
  const yLog = (spec.y.scale ?? spec.yDefaults.scale) === 'log';
  const xLog = (spec.x.scale ?? spec.xDefaults.scale) === 'log';

  const yExtra = spec.thresholds.filter((t) => t.includeInDomain ?? true).map((t) => t.value);
  const xExtra = [...spec.markers.map((m) => m.x), ...spec.bands.flatMap((b) => [b.from, b.to])];
  const yExtent = extentWith(spec.ys, yExtra, yLog);
  const xExtent = extentWith(spec.xs, xExtra, xLog);

  // Horizontal layout first: the y labels' width sets the plot's left edge.
  // About one tick per 50 px; log axes label decades, which can sit closer.
  const yCount = Math.max(2, Math.round((H - 110) / (yLog ? 26 : 50)));
  const probeY = resolveAxis(spec.y, spec.yDefaults, yExtent, [H, 0], yCount);
  const yLabelW = Math.max(0, ...probeY.ticks.map((t) => textWidth(t.label, TICK_FS)));
  const left = PAD + (probeY.title ? 20 : 0) + yLabelW + 8;
  const right = W - PAD - 6;
  const xCount = Math.max(2, Math.floor((right - left) / 85));
  const x = resolveAxis(spec.x, spec.xDefaults, xExtent, [left, right], xCount);

  const legendTop = PAD + (showTitle ? TITLE_H : 0);
  const legend = layoutLegend(spec.legend, W - PAD - left);
  const legendRows = legend.length ? legend[legend.length - 1]!.row + 1 : 0;

  // Marker and band labels go in a strip above the plot so they never hide data.
  const rows = new RowAllocator();
  const placed: Array<{ kind: 'marker' | 'band'; index: number; px: number; px2: number; row: number; anchorEnd: boolean; label: string }> = [];
  const xd = x.scale.domain;
  const inX = (v: number) => v >= Math.min(xd[0], xd[1]) && v <= Math.max(xd[0], xd[1]);
  spec.bands.forEach((b, index) => {
    if (!(Number.isFinite(b.from) && Number.isFinite(b.to))) return;
    const a = x.scale.map(Math.max(Math.min(b.from, b.to), xd[0]));
    const z = x.scale.map(Math.min(Math.max(b.from, b.to), xd[1]));
    if (!(z > a)) return;
    const label = truncate(b.label ?? '', W - PAD - a - 4, TICK_FS);
    const row = label ? rows.place(a, a + 4 + textWidth(label, TICK_FS)) : -1;
    placed.push({ kind: 'band', index, px: a, px2: z, row, anchorEnd: false, label });
  });
  spec.markers.forEach((m, index) => {
    if (!inX(m.x)) return;
    const px = x.scale.map(m.x);
    const w = textWidth(m.label, TICK_FS);
    const anchorEnd = px + 4 + w > W - PAD;
    const row = rows.place(anchorEnd ? px - 4 - w : px, anchorEnd ? px : px + 4 + w);
    placed.push({ kind: 'marker', index, px, px2: px, row, anchorEnd, label: m.label });
  });

  const stripTop = legendTop + legendRows * LEGEND_ROW + (legendRows ? 4 : 0);
  const top = stripTop + rows.count * ANN_ROW + 10;
  const bottom = H - PAD - 18 - (x.title ? 18 : 0);
  const y = resolveAxis(spec.y, spec.yDefaults, yExtent, [bottom, top], yCount);
  const rect: Rect = { left, top, right, bottom };
  const rowBaseline = (row: number) => top - 8 - row * ANN_ROW;

  const parts: string[] = [];
  if (showTitle) parts.push(text(PAD, PAD + 14, base.title, { 'font-size': 14, 'font-weight': 600 }));

  for (const { item, x: lx, row } of legend) {
    const ly = legendTop + row * LEGEND_ROW + 9;
    parts.push(el('g', { class: 'legend-item' }, swatch(item, left + lx, ly) + text(left + lx + 27, ly + 4, truncate(item.name, W - PAD - left - 27, 12))));
  }

  // Bands sit behind everything else.
  for (const p of placed.filter((q) => q.kind === 'band')) {
    const b = spec.bands[p.index]!;
    const yTop = p.row >= 0 ? rowBaseline(p.row) - 11 : top;
    // Alternate shades so adjacent phases stay distinguishable.
    const opacity = (b.color ? 0.14 : 0.08) / (p.index % 2 ? 2 : 1);
    parts.push(el('rect', { class: 'band', x: p.px, y: yTop, width: p.px2 - p.px, height: bottom - yTop, fill: b.color ?? 'currentColor', 'fill-opacity': opacity }));
    if (p.label) parts.push(text(p.px + 4, rowBaseline(p.row), p.label, { 'font-size': TICK_FS, 'fill-opacity': 0.85 }));
  }

  // Grid and axes.
  let grid = '';
  for (const t of y.ticks) {
    const py = y.scale.map(t.value);
    grid += el('line', { x1: left, y1: py, x2: right, y2: py, stroke: 'currentColor', 'stroke-opacity': 0.13 });
    grid += text(left - 6, py + 4, t.label, { 'text-anchor': 'end', 'font-size': TICK_FS, 'fill-opacity': 0.8 });
  }
  for (const t of x.ticks) {
    const px = x.scale.map(t.value);
    grid += el('line', { x1: px, y1: top, x2: px, y2: bottom, stroke: 'currentColor', 'stroke-opacity': 0.06 });
    grid += el('line', { x1: px, y1: bottom, x2: px, y2: bottom + 4, stroke: 'currentColor', 'stroke-opacity': 0.6 });
    const anchor = px + textWidth(t.label, TICK_FS) / 2 > W - 2 ? 'end' : 'middle';
    grid += text(px, bottom + 17, t.label, { 'text-anchor': anchor, 'font-size': TICK_FS, 'fill-opacity': 0.8 });
  }
  grid += el('path', { d: `M${n(left)},${n(top)}V${n(bottom)}H${n(right)}`, fill: 'none', stroke: 'currentColor', 'stroke-opacity': 0.6 });
  parts.push(el('g', { class: 'axes' }, grid));
  if (y.title) {
    const cy = (top + bottom) / 2;
    parts.push(text(PAD + 10, cy, y.title, { transform: `rotate(-90 ${n(PAD + 10)} ${n(cy)})`, 'text-anchor': 'middle', 'font-size': 12 }));
  }
  if (x.title) parts.push(text((left + right) / 2, H - PAD - 2, x.title, { 'text-anchor': 'middle', 'font-size': 12 }));

  const clipId = `${spec.id}-clip`;
  parts.push(el('defs', {}, el('clipPath', { id: clipId }, el('rect', { x: left - 3, y: top - 3, width: right - left + 6, height: bottom - top + 6 }))));

  // Thresholds under the data so lines crossing them stay visible. Labels sit
  // at the left: load, and with it latency, usually climbs towards the right.
  for (const t of spec.thresholds) {
    const py = y.scale.map(t.value);
    if (!(py >= top - 0.5 && py <= bottom + 0.5)) continue;
    const color = t.color ?? 'currentColor';
    parts.push(
      el(
        'g',
        { class: 'threshold' },
        el('line', { x1: left, y1: py, x2: right, y2: py, stroke: color, 'stroke-width': 1.5, 'stroke-dasharray': '7 4', 'stroke-opacity': 0.85 }) +
          text(left + 6, py - 5, t.label, { 'font-size': TICK_FS, 'font-weight': 600, fill: color, style: HALO }),
      ),
    );
  }

  if (spec.empty) {
    parts.push(text((left + right) / 2, (top + bottom) / 2, 'No data', { 'text-anchor': 'middle', 'fill-opacity': 0.6 }));
  } else {
    parts.push(spec.plot({ x, y, rect, clipId }));
  }

  // All marker lines before any label, so a line never crosses another marker's text.
  const markers = placed.filter((q) => q.kind === 'marker');
  let markerLines = '';
  let markerLabels = '';
  for (const p of markers) {
    const color = spec.markers[p.index]!.color ?? 'currentColor';
    markerLines += el('line', { x1: p.px, y1: rowBaseline(p.row) - 11, x2: p.px, y2: bottom, stroke: color, 'stroke-width': 1.5, 'stroke-dasharray': '3 3' });
    markerLabels += text(p.anchorEnd ? p.px - 4 : p.px + 4, rowBaseline(p.row), p.label, {
      'text-anchor': p.anchorEnd ? 'end' : 'start',
      'font-size': TICK_FS,
      'font-weight': 600,
      fill: color,
      style: HALO,
    });
  }
  if (markers.length) parts.push(el('g', { class: 'markers' }, markerLines + markerLabels));

  const desc = base.description ?? describe(spec, x, y);
  return svgDocument({ id: spec.id, className: spec.className, width: W, height: H, title: base.title, desc, body: parts.join('') });
}

function describe(spec: FrameSpec, x: ResolvedAxis, y: ResolvedAxis): string {
  const [x0, x1] = x.scale.domain;
  const [y0, y1] = y.scale.domain;
  const s: string[] = [`${spec.kind}.`];
  s.push(`Horizontal axis: ${x.title || 'x'}, ${x.format(x0)} to ${x.format(x1)}.`);
  s.push(`Vertical axis: ${y.title || 'y'}, ${y.format(y0)} to ${y.format(y1)}.`);
  if (spec.empty) s.push('No data.');
  s.push(...spec.describe(x, y));
  for (const t of spec.thresholds) s.push(`Threshold "${t.label}" at ${y.format(t.value)}.`);
  for (const m of spec.markers) s.push(`Marker "${m.label}" at ${x.format(m.x)}.`);
  for (const b of spec.bands) s.push(`Shaded ${b.label ? `"${b.label}" ` : ''}from ${x.format(b.from)} to ${x.format(b.to)}.`);
  return s.join(' ');
}
