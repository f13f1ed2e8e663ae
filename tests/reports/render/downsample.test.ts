import { describe, expect, it } from 'vitest';
import { downsample, downsampleSegments, lttb, minMax, splitSegments, type Point } from '../../../reports/render/charts/downsample.js';

function noisy(n: number): Point[] {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: n }, (_, i) => [i, 100 + 50 * Math.sin(i / 500) + 10 * rnd()] as Point);
}

describe('gaps', () => {
  it('splits at null, NaN and infinite values', () => {
    const segs = splitSegments([[0, 1], [1, 2], [2, null], [3, 4], [4, NaN], [5, Infinity], [6, 7], [7, 8]]);
    expect(segs).toEqual([[[0, 1], [1, 2]], [[3, 4]], [[6, 7], [7, 8]]]);
  });

  it('splits where x jumps further than maxGap', () => {
    const segs = splitSegments([[0, 1], [15, 1], [30, 1], [120, 1], [135, 1]], 30);
    expect(segs.map((s) => s.length)).toEqual([3, 2]);
  });
});

describe.each([
  ['minmax', minMax],
  ['lttb', lttb],
] as const)('%s', (_name, fn) => {
  it('caps points and keeps the first, last, highest and lowest', () => {
    const pts = noisy(86_400);
    pts[40_000] = [40_000, 9_999]; // a one-second spike
    pts[60_001] = [60_001, -5]; // and a dip
    const out = fn(pts, 600);
    expect(out.length).toBeLessThanOrEqual(600);
    expect(out.length).toBeGreaterThan(300);
    expect(out[0]).toEqual(pts[0]);
    expect(out[out.length - 1]).toEqual(pts[pts.length - 1]);
    expect(out).toContainEqual([40_000, 9_999]);
    expect(out).toContainEqual([60_001, -5]);
    for (let i = 1; i < out.length; i++) expect(out[i]![0]).toBeGreaterThan(out[i - 1]![0]);
  });

  it('leaves short series alone', () => {
    const pts = noisy(100);
    expect(fn(pts, 600)).toEqual(pts);
  });
});

describe('segments', () => {
  it('shares the budget in proportion to segment length', () => {
    const a = noisy(3000);
    const b = noisy(1000).map(([x, y]) => [x + 5000, y] as Point);
    const out = downsampleSegments([a, b], 400);
    expect(out[0]!.length).toBeLessThanOrEqual(300);
    expect(out[1]!.length).toBeLessThanOrEqual(100);
    expect(out[1]!.length).toBeGreaterThan(50);
  });

  it("'none' keeps every point", () => {
    expect(downsample(noisy(5000), 600, 'none')).toHaveLength(5000);
  });
});
