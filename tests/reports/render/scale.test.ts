import { describe, expect, it } from 'vitest';
import {
  formatClock,
  formatDurationShort,
  linearScale,
  logDomain,
  logScale,
  logTicks,
  niceStep,
  niceTicks,
  timeTickFormatter,
  timeTicks,
} from '../../../reports/render/charts/scale.js';

describe('nice ticks (1-2-5 steps)', () => {
  it('0–0.73 gives steps of 0.2 without float noise', () => {
    expect(niceTicks(0, 0.73)).toEqual({ min: 0, max: 0.8, step: 0.2, ticks: [0, 0.2, 0.4, 0.6, 0.8] });
  });

  it('0–1234 gives steps of 200 up to 1400', () => {
    const t = niceTicks(0, 1234);
    expect(t.step).toBe(200);
    expect(t.ticks).toEqual([0, 200, 400, 600, 800, 1000, 1200, 1400]);
  });

  it.each([
    [0, 1, 5, 0.2],
    [0, 10, 5, 2],
    [0, 37, 5, 10],
    [0, 0.003, 5, 0.0005],
    [-50, 50, 5, 20],
    [0, 86400, 5, 20000],
  ])('niceStep over [%d, %d] with %d ticks is %d', (lo, hi, count, step) => {
    expect(niceStep(hi - lo, count)).toBe(step);
  });

  it('every step is 1, 2 or 5 times a power of ten', () => {
    for (const span of [0.0013, 0.07, 3.3, 17, 99, 512, 4321, 1e7]) {
      const step = niceStep(span, 5);
      const mantissa = step / 10 ** Math.floor(Math.log10(step));
      expect([1, 2, 5]).toContain(Math.round(mantissa * 1e9) / 1e9);
    }
  });

  it('widens a flat range and handles negatives', () => {
    expect(niceTicks(0, 0).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(500, 500).min).toBeLessThan(500);
    expect(niceTicks(500, 500).max).toBeGreaterThan(500);
    const neg = niceTicks(-7, 3);
    expect(neg.min).toBeLessThanOrEqual(-7);
    expect(neg.ticks).toContain(0);
    expect(Object.is(neg.ticks.find((t) => t === 0), -0)).toBe(false);
  });
});

describe('log scale', () => {
  it('1e-3–5e3 spans whole decades with one tick per power of ten', () => {
    const [lo, hi] = logDomain(1e-3, 5e3);
    expect([lo, hi]).toEqual([0.001, 10000]);
    expect(logTicks(lo, hi, 10)).toEqual([0.001, 0.01, 0.1, 1, 10, 100, 1000, 10000]);
  });

  it('thins decades when asked for fewer ticks', () => {
    expect(logTicks(0.001, 10000, 4)).toEqual([0.001, 0.1, 10, 1000]);
  });

  it('adds 2 and 5 multiples over two decades or fewer', () => {
    expect(logTicks(1, 100)).toEqual([1, 2, 5, 10, 20, 50, 100]);
  });

  it('maps decades evenly and refuses non-positive values', () => {
    const s = logScale([1, 1000], [0, 300]);
    expect(s.map(10)).toBeCloseTo(100);
    expect(s.map(100)).toBeCloseTo(200);
    expect(s.map(0)).toBeNaN();
    expect(s.map(-5)).toBeNaN();
    expect(() => logScale([0, 10], [0, 1])).toThrow(RangeError);
  });
});

describe('linear scale', () => {
  it('maps domain to range, including inverted pixel ranges', () => {
    const s = linearScale([0, 100], [300, 0]);
    expect(s.map(0)).toBe(300);
    expect(s.map(50)).toBe(150);
    expect(s.map(NaN)).toBeNaN();
  });
});

describe('time axes', () => {
  it('picks clock-friendly steps', () => {
    expect(timeTicks(0, 150, 6)).toEqual([0, 30, 60, 90, 120, 150]);
    expect(timeTicks(0, 1230, 6)).toEqual([0, 300, 600, 900, 1200]);
    expect(timeTicks(0, 86400, 6)).toEqual([0, 21600, 43200, 64800, 86400]);
    expect(timeTicks(0, 7200, 8)).toEqual([0, 900, 1800, 2700, 3600, 4500, 5400, 6300, 7200]);
  });

  it('labels short runs m:ss and long runs in hours', () => {
    const short = timeTickFormatter(1200);
    expect([0, 150, 600].map(short)).toEqual(['0:00', '2:30', '10:00']);
    const long = timeTickFormatter(7200);
    expect([0, 1800, 3600, 5400].map(long)).toEqual(['0h', '30m', '1h', '1h30m']);
  });

  it('formats moments and lengths', () => {
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(2480)).toBe('41:20');
    expect(formatClock(3723)).toBe('1:02:03');
    expect(formatDurationShort(5400)).toBe('1h30m');
    expect(formatDurationShort(45)).toBe('45s');
  });
});
