import { describe, expect, it } from 'vitest';
import { barChart } from '../../../reports/render/charts/bars.js';
import { attr, elements, xmlErrors } from './xml.js';

const bars = [
  { label: 'default', value: 1250 },
  { label: 'push', value: 8200 },
  { label: 'mailers', value: 45_000, note: 'over deadline' },
  { label: 'scheduler', value: 12 },
];

describe('barChart', () => {
  const svg = barChart({ title: 'Queue latency at peak', bars, unit: 'ms', axisLabel: 'p95 wait', references: [{ value: 30_000, label: 'deadline 30 s' }] });

  it('is well-formed, deterministic and accessible', () => {
    expect(xmlErrors(svg)).toEqual([]);
    expect(barChart({ title: 'Queue latency at peak', bars, unit: 'ms', axisLabel: 'p95 wait', references: [{ value: 30_000, label: 'deadline 30 s' }] })).toBe(svg);
    expect(attr(elements(svg, 'svg')[0]!, 'role')).toBe('img');
    expect(svg).toContain('mailers: 45 s · over deadline.');
  });

  it('labels every bar with its category and value', () => {
    for (const t of ['default', 'push', 'mailers', 'scheduler', '1.25 s', '8.2 s', '45 s · over deadline', '12 ms', 'deadline 30 s', 'p95 wait (s)']) {
      expect(svg).toContain(`>${t}</text>`);
    }
  });

  it('draws bar lengths in proportion to values', () => {
    const widths = elements(svg, 'rect').map((r) => Number(attr(r, 'width')));
    expect(widths).toHaveLength(4);
    expect(widths[2]! / widths[1]!).toBeCloseTo(45_000 / 8200, 1);
  });

  it('sorts on request, grows with the bar count and truncates long labels', () => {
    const long = 'Object storage and egress for the media cache of a large instance';
    const sorted = barChart({ title: 'Cost', bars: [...bars, { label: long, value: 3 }], sort: 'desc', width: 500, format: (v) => `$${v}` });
    const labels = [...sorted.matchAll(/text-anchor="end">([^<]*)</g)].map((m) => m[1]);
    expect(labels.slice(0, 3)).toEqual(['mailers', 'push', 'default']);
    expect(sorted).toContain('…</text>');
    expect(sorted).toContain(`<title>${long}: $3</title>`);
    const fewer = barChart({ title: 'Cost', bars, sort: 'desc', width: 500, format: (v) => `$${v}` });
    expect(Number(attr(elements(sorted, 'svg')[0]!, 'height'))).toBeGreaterThan(Number(attr(elements(fewer, 'svg')[0]!, 'height')));
  });

  it('escapes labels and copes with no bars', () => {
    const out = barChart({ title: 'x', bars: [{ label: '<script>', value: 1, note: '"&' }] });
    expect(out).not.toContain('<script');
    expect(xmlErrors(out)).toEqual([]);
    expect(barChart({ title: 'none', bars: [] })).toContain('>No data</text>');
  });
});
