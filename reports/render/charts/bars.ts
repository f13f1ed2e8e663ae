// Horizontal bars for breakdowns: monthly cost by component, latency by
// Sidekiq queue. Horizontal so long category names stay readable, with the
// value printed at each bar's end so nobody has to read it off the axis.

import { resolveAxis } from './axis.js';
import { PAD, RowAllocator } from './frame.js';
import { OKABE_ITO } from './palette.js';
import { formatValue, type Unit } from './scale.js';
import { chartId, el, escapeXml, svgDocument, text, textWidth, truncate } from './svg.js';
import type { ChartBase, Threshold } from './types.js';

export interface Bar {
  label: string;
  value: number;
  color?: string;
  /** Printed after the value, e.g. "41% of total". */
  note?: string;
}

export interface BarChartOptions extends ChartBase {
  bars: readonly Bar[];
  unit?: Unit;
  /** Value and tick label override. */
  format?: (value: number) => string;
  /** Title under the value axis; the unit is appended. */
  axisLabel?: string;
  /** Default 'none': keep the caller's order. */
  sort?: 'none' | 'desc' | 'asc';
  /** Colour for bars without their own; default Okabe–Ito blue. */
  color?: string;
  /** Vertical reference lines at values, e.g. a budget or an SLO. */
  references?: readonly Threshold[];
  /** Default 20 px. Height is derived from the bar count unless `height` is set. */
  barHeight?: number;
}

const FS = 12;
const TICK_FS = 11;

export function barChart(opts: BarChartOptions): string {
  const id = chartId(opts, opts.id);
  const W = opts.width ?? 960;
  const barH = opts.barHeight ?? 20;
  const gap = Math.round(barH * 0.45);
  const showTitle = opts.showTitle ?? true;
  const unit = opts.unit ?? 'none';
  const fmt = opts.format ?? ((v: number) => formatValue(v, unit));
  const refs = opts.references ?? [];

  const bars = [...opts.bars];
  if (opts.sort === 'desc') bars.sort((a, b) => b.value - a.value);
  if (opts.sort === 'asc') bars.sort((a, b) => a.value - b.value);
  const valueText = bars.map((b) => fmt(b.value) + (b.note ? ` · ${b.note}` : ''));

  const labelCol = Math.min(W * 0.38, Math.max(40, ...bars.map((b) => textWidth(b.label, FS))));
  const left = PAD + labelCol + 10;
  const right = W - PAD - Math.max(30, ...valueText.map((v) => textWidth(v, TICK_FS))) - 8;

  const values = bars.map((b) => b.value).filter(Number.isFinite);
  const maxV = Math.max(0, ...values, ...refs.map((r) => r.value).filter(Number.isFinite));
  const axis = resolveAxis(
    { unit, label: opts.axisLabel ?? '', ...(opts.format ? { format: opts.format } : {}) },
    { scale: 'linear', zero: true, nice: true, label: '' },
    [0, maxV],
    [left, right],
    Math.max(2, Math.floor((right - left) / 80)),
  );

  // Reference labels get their own rows above the bars.
  const rows = new RowAllocator();
  const placedRefs = refs
    .map((r) => {
      const px = axis.scale.map(r.value);
      const w = textWidth(r.label, TICK_FS);
      const anchorEnd = px + 4 + w > W - PAD;
      return { r, px, anchorEnd, row: rows.place(anchorEnd ? px - 4 - w : px, anchorEnd ? px : px + 4 + w) };
    })
    .filter((p) => Number.isFinite(p.px));
  const top = PAD + (showTitle ? 24 : 0) + rows.count * 15 + 6;
  const plotBottom = top + Math.max(1, bars.length) * (barH + gap) - gap + 6;
  const H = opts.height ?? plotBottom + 22 + (axis.title ? 18 : 0) + PAD;

  const parts: string[] = [];
  if (showTitle) parts.push(text(PAD, PAD + 14, opts.title, { 'font-size': 14, 'font-weight': 600 }));

  let grid = '';
  for (const t of axis.ticks) {
    const px = axis.scale.map(t.value);
    grid += el('line', { x1: px, y1: top - 4, x2: px, y2: plotBottom, stroke: 'currentColor', 'stroke-opacity': t.value === 0 ? 0.6 : 0.13 });
    grid += text(px, plotBottom + 16, t.label, { 'text-anchor': 'middle', 'font-size': TICK_FS, 'fill-opacity': 0.8 });
  }
  parts.push(el('g', { class: 'axes' }, grid));
  if (axis.title) parts.push(text((left + right) / 2, plotBottom + 34, axis.title, { 'text-anchor': 'middle' }));

  bars.forEach((b, i) => {
    const y = top + i * (barH + gap);
    const x0 = axis.scale.map(0);
    const w = Number.isFinite(b.value) ? Math.max(0, axis.scale.map(b.value) - x0) : 0;
    const color = b.color ?? opts.color ?? OKABE_ITO.blue;
    const mid = y + barH / 2 + 4;
    parts.push(
      el(
        'g',
        { class: 'bar' },
        el('title', {}, escapeXml(`${b.label}: ${valueText[i]}`)) +
          text(left - 8, mid, truncate(b.label, labelCol, FS), { 'text-anchor': 'end' }) +
          el('rect', { x: x0, y, width: w, height: barH, fill: color, rx: 2 }) +
          text(x0 + w + 6, mid, valueText[i]!, { 'font-size': TICK_FS, 'font-weight': 600 }),
      ),
    );
  });

  for (const p of placedRefs) {
    const color = p.r.color ?? 'currentColor';
    const baseline = top - 8 - p.row * 15;
    parts.push(
      el(
        'g',
        { class: 'threshold' },
        el('line', { x1: p.px, y1: baseline - 11, x2: p.px, y2: plotBottom, stroke: color, 'stroke-width': 1.5, 'stroke-dasharray': '7 4' }) +
          text(p.anchorEnd ? p.px - 4 : p.px + 4, baseline, p.r.label, { 'text-anchor': p.anchorEnd ? 'end' : 'start', 'font-size': TICK_FS, 'font-weight': 600, fill: color }),
      ),
    );
  }
  if (!bars.length) parts.push(text((left + right) / 2, top + 10, 'No data', { 'text-anchor': 'middle', 'fill-opacity': 0.6 }));

  const desc =
    opts.description ??
    [`Bar chart with ${bars.length} bars.`, ...bars.map((b, i) => `${b.label}: ${valueText[i]}.`), ...refs.map((r) => `Reference "${r.label}" at ${fmt(r.value)}.`)].join(' ');
  return svgDocument({ id, className: 'chart chart-bars', width: W, height: H, title: opts.title, desc, body: parts.join('') });
}
