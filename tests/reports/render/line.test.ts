import { describe, expect, it } from 'vitest';
import { lineChart, type LineChartOptions } from '../../../reports/render/charts/line.js';
import { OKABE_ITO } from '../../../reports/render/charts/palette.js';
import { attr, elements, xmlErrors } from './xml.js';

const ramp = (n: number, f: (i: number) => number | null): Array<[number, number | null]> => Array.from({ length: n }, (_, i) => [i * 10, f(i)]);

const base: LineChartOptions = {
  title: 'Request latency',
  series: [
    { name: 'p50', points: ramp(200, (i) => 40 + i) },
    { name: 'p95', points: ramp(200, (i) => 90 + i * 3) },
  ],
  y: { label: 'Latency', unit: 'ms' },
  thresholds: [{ value: 500, label: 'SLO p95 500 ms' }],
  markers: [
    { x: 1200, label: 'first bottleneck' },
    { x: 1500, label: 'breaking point' },
  ],
  bands: [{ from: 0, to: 600, label: 'ramp-up' }],
};

/** The series' path data, in legend order. */
const seriesPaths = (svg: string) => [...svg.matchAll(/<g class="series"><path d="([^"]*)"/g)].map((m) => m[1]!);
const pointCount = (d: string) => d.split(/[ML]/).filter(Boolean).length;

describe('lineChart', () => {
  const svg = lineChart(base);

  it('is well-formed XML', () => {
    expect(xmlErrors(svg)).toEqual([]);
  });

  it('is an accessible image', () => {
    const root = elements(svg, 'svg')[0]!;
    expect(attr(root, 'role')).toBe('img');
    expect(attr(root, 'aria-label')).toBe('Request latency');
    expect(svg).toMatch(/<title id="[^"]+-title">Request latency<\/title>/);
    const desc = /<desc[^>]*>([^<]*)<\/desc>/.exec(svg)![1]!;
    expect(desc).toContain('p95');
    expect(desc).toContain('SLO p95 500 ms');
    expect(desc).toContain('breaking point');
  });

  it('shows legend names, threshold, marker and band labels and the unit', () => {
    for (const label of ['p50', 'p95', 'SLO p95 500 ms', 'first bottleneck', 'breaking point', 'ramp-up', 'Latency (ms)', 'Time since start']) {
      expect(svg).toContain(`>${label}</text>`);
    }
  });

  it('uses the Okabe–Ito palette by default and honours given colours and dashes', () => {
    expect(svg).toContain(`stroke="${OKABE_ITO.blue}"`);
    expect(svg).toContain(`stroke="${OKABE_ITO.vermillion}"`);
    const custom = lineChart({ ...base, series: [{ name: 'x', points: ramp(5, (i) => i), color: '#123456', dashed: true }] });
    expect(custom).toContain('stroke="#123456"');
    expect(custom).toMatch(/stroke="#123456"[^>]*stroke-dasharray="6 4"/);
  });

  it('stretches the y axis to show the threshold', () => {
    const yLabels = [...svg.matchAll(/text-anchor="end" font-size="11"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(yLabels).toContain('600');
  });

  it('labels a short run on an m:ss time axis', () => {
    expect(svg).toContain('>0:00</text>');
    expect(svg).toContain('>5:00</text>');
  });

  it('breaks the line at NaN and null into separate path segments', () => {
    const gappy = lineChart({ ...base, series: [{ name: 'gappy', points: ramp(30, (i) => (i === 10 ? NaN : i === 20 ? null : i)) }] });
    const [d] = seriesPaths(gappy);
    expect(d!.match(/M/g)).toHaveLength(3);
    expect(xmlErrors(gappy)).toEqual([]);
  });

  it('draws a lone point between gaps as a dot', () => {
    const lone = lineChart({ ...base, series: [{ name: 'lone', points: [[0, 1], [10, 2], [20, null], [30, 3], [40, null], [50, 4], [60, 5]] }] });
    expect(elements(lone, 'circle')).toHaveLength(1);
  });

  it('downsamples a 24-hour run to at most ~600 points per series and keeps the spike', () => {
    const day = Array.from({ length: 86_400 }, (_, i) => [i, 100 + 20 * Math.sin(i / 300) + (i === 50_000 ? 7_677 : 0)] as [number, number]);
    const big = lineChart({ title: 'Day', series: [{ name: 'p95', points: day }], y: { unit: 'ms' } });
    const [d] = seriesPaths(big);
    expect(pointCount(d!)).toBeLessThanOrEqual(600);
    expect(big.length).toBeLessThan(20_000);
    expect(big).toMatch(/ranges from [\d.]+ ms to 7\.\d+ s\./); // described from the drawn points
    expect(big).toContain('>24h</text>');
    expect(big).toContain('>6h</text>');
  });

  it('escapes series names, titles and labels so they cannot inject markup', () => {
    const evil = '<script>alert("x")</script>';
    const out = lineChart({
      ...base,
      title: `t ${evil}`,
      series: [{ name: evil, points: ramp(5, (i) => i), color: '"/><script>' }],
      thresholds: [{ value: 3, label: evil }],
      markers: [{ x: 20, label: evil }],
      bands: [{ from: 0, to: 10, label: evil }],
    });
    expect(out).not.toContain('<script');
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(xmlErrors(out)).toEqual([]);
  });

  it('is deterministic, with ids that differ between charts', () => {
    expect(lineChart(base)).toBe(svg);
    const other = lineChart({ ...base, title: 'Other' });
    const id = (s: string) => attr(elements(s, 'svg')[0]!, 'id');
    expect(id(other)).not.toBe(id(svg));
    expect(svg).toContain(`clip-path="url(#${id(svg)}-clip)"`);
    expect(lineChart({ ...base, id: 'latency chart' })).toContain('id="latency_chart"');
  });

  it('says "No data" for empty series', () => {
    const empty = lineChart({ title: 'Nothing', series: [{ name: 'p95', points: [] }] });
    expect(empty).toContain('>No data</text>');
    expect(xmlErrors(empty)).toEqual([]);
  });

  it('draws a log axis and skips values it cannot place', () => {
    const log = lineChart({ title: 'Log', series: [{ name: 'q', points: [[0, 0], [1, 0.002], [2, 40], [3, 4000]] }], y: { unit: 'ms', scale: 'log', label: 'Wait' } });
    expect(xmlErrors(log)).toEqual([]);
    expect(log).toContain('Wait (log scale)');
    expect(log).toContain('>1 µs</text>');
    expect(log).toContain('>10 s</text>');
  });

  it('honours width, height and hiding the title', () => {
    const small = lineChart({ ...base, width: 400, height: 200, showTitle: false });
    const root = elements(small, 'svg')[0]!;
    expect(attr(root, 'viewBox')).toBe('0 0 400 200');
    expect(small).not.toContain('font-weight="600">Request latency</text>');
  });
});
