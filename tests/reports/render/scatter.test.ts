import { describe, expect, it } from 'vitest';
import { scatterChart, type ScatterChartOptions } from '../../../reports/render/charts/scatter.js';
import { elements, xmlErrors } from './xml.js';

const sweep: Array<[number, number]> = [100, 200, 400, 600, 800, 1000, 1100, 1150].map((r, i) => [r, 50 + i * i * 12]);
const opts: ScatterChartOptions = {
  title: 'Latency against throughput',
  series: [{ name: 'p95 per rate step', points: sweep }],
  thresholds: [{ value: 500, label: 'SLO 500 ms' }],
  highlights: [{ x: 1000, y: 350, label: 'knee' }],
};

describe('scatterChart', () => {
  const svg = scatterChart(opts);

  it('is well-formed and deterministic', () => {
    expect(xmlErrors(svg)).toEqual([]);
    expect(scatterChart(opts)).toBe(svg);
  });

  it('draws one dot per point, a connecting line and default axis titles', () => {
    expect(elements(svg, 'circle').filter((c) => c.includes('r="3.5"')).length).toBe(sweep.length + 1); // + legend swatch
    expect(svg).toMatch(/<g class="series"><path d="M/);
    expect(svg).toContain('>Throughput (req/s)</text>');
    expect(svg).toContain('>Latency (ms)</text>');
  });

  it('annotates the highlighted point with its label and values', () => {
    expect(svg).toContain('class="highlight"');
    expect(svg).toContain('>knee</text>');
    expect(svg).toContain('>1,000 req/s, 350 ms</text>');
    expect(svg).toContain('>SLO 500 ms</text>');
  });

  it('can leave points unconnected and escapes labels', () => {
    const out = scatterChart({ ...opts, series: [{ name: '<b>x</b>', points: sweep, connect: false }], highlights: [{ x: 1, y: 1, label: '<i>', detail: '&' }] });
    expect(out).not.toMatch(/<g class="series"><path/);
    expect(out).not.toContain('<b>');
    expect(out).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(xmlErrors(out)).toEqual([]);
  });
});
