import { describe, expect, it } from 'vitest';
import { percentile, percentileSorted } from '../../infra/engines/node/stats/percentile.js';
import {
  CounterSink,
  GaugeSink,
  mergeSink,
  newSink,
  RateSink,
  sinkFromJSON,
  summaryValues,
  TrendSink,
} from '../../infra/engines/node/stats/sinks.js';
import { parseTrendStat, validateTrendStats } from '../../infra/engines/node/stats/trend-stats.js';

const UNSORTED10 = [0, 100, 30, 80, 70, 60, 50, 40, 90, 20];
const trend = (values: number[]) => {
  const t = new TrendSink();
  for (const v of values) t.add(v);
  return t;
};

describe('percentile (k6 TrendSink.P)', () => {
  it('empty → 0, one value → that value', () => {
    for (let i = 1; i <= 100; i++) {
      expect(percentile([], i / 100)).toBe(0);
      expect(percentile([10], i / 100)).toBe(10);
    }
  });

  it('two values interpolate linearly (k6 sink_test "two values")', () => {
    const t = trend([5, 10]);
    expect(t.p(0)).toBe(5);
    expect(t.p(0.5)).toBe(7.5);
    expect(t.p(0.95)).toBe(5 + (10 - 5) * 0.95);
    expect(t.p(0.99)).toBe(5 + (10 - 5) * 0.99);
    expect(t.p(1)).toBe(10);
  });

  it('i = p·(n−1) over sorted values (k6 sink_test "more than 2")', () => {
    const t = trend(UNSORTED10);
    expect(t.p(0)).toBeCloseTo(0, 6);
    expect(t.p(0.5)).toBeCloseTo(55, 6);
    expect(t.p(0.95)).toBeCloseTo(95.5, 6);
    expect(t.p(0.99)).toBeCloseTo(99.1, 6);
    expect(t.p(1)).toBeCloseTo(100, 6);
    // the formula spelled out: v[⌊i⌋] + (v[⌈i⌉] − v[⌊i⌋])·(i − ⌊i⌋)
    const sorted = [...UNSORTED10].sort((a, b) => a - b);
    const i = 0.9 * 9;
    expect(percentileSorted(sorted, 0.9)).toBe(sorted[8]! + (sorted[9]! - sorted[8]!) * (i - Math.floor(i)));
  });

  it('min/max/avg/sum and summaryTrendStats columns', () => {
    const t = trend(UNSORTED10);
    expect([t.count, t.min, t.max, t.avg(), t.sum]).toEqual([10, 0, 100, 54, 540]);
    expect(t.summaryValues(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'count', 'p(99.9)'])).toEqual({
      avg: 54,
      min: 0,
      med: 55,
      max: 100,
      'p(90)': t.p(90 / 100),
      'p(95)': t.p(95 / 100),
      count: 10,
      'p(99.9)': t.p(99.9 / 100), // k6 divides N by 100: not the same float as 0.999
    });
    const neg = trend([1.4, 0, -1.2]);
    expect([neg.min, neg.max, Math.round(neg.avg() * 1000) / 1000]).toEqual([-1.2, 1.4, 0.067]);
    expect(new TrendSink().summaryValues(['avg', 'min', 'med', 'p(95)'])).toEqual({ avg: 0, min: 0, med: 0, 'p(95)': 0 });
  });

  it('validates trend stats with k6 messages', () => {
    expect(parseTrendStat('p(99.9)')).toBe(99.9);
    expect(() => validateTrendStats(['avg', 'foo'])).toThrow("invalid trend stat 'foo', unknown format");
    expect(() => validateTrendStats(['p(101)'])).toThrow(
      "invalid percentile trend stat value 'p(101)', provide a number between 0 and 100",
    );
  });
});

describe('sinks', () => {
  it('Counter {count, rate} per second of test-run time; rate is 0 at t=0', () => {
    const c = new CounterSink();
    expect(c.isEmpty()).toBe(true);
    c.add(3, 1000);
    c.add(7, 1500);
    expect(c.summaryValues(4000)).toEqual({ count: 10, rate: 2.5 });
    expect(c.rate(0)).toBe(0);
  });

  it('Gauge {value, min, max}: last value; v1 max starts at 0, v2 at the first sample', () => {
    const v1 = new GaugeSink();
    const v2 = new GaugeSink('v2');
    for (const [i, v] of [-5, -2, -9].entries()) {
      v1.add(v, i);
      v2.add(v, i);
    }
    expect(v1.summaryValues()).toEqual({ value: -9, min: -9, max: 0 });
    expect(v2.summaryValues()).toEqual({ value: -9, min: -9, max: -2 });
  });

  it('Rate {rate, passes, fails}: any non-zero value passes', () => {
    const r = new RateSink();
    for (const v of [1, 0, 1, 0.5, 0]) r.add(v);
    expect(r.summaryValues()).toEqual({ rate: 0.6, passes: 3, fails: 2 });
    expect(new RateSink().summaryValues()).toEqual({ rate: 0, passes: 0, fails: 0 });
  });

  it('merging worker sinks equals one sink that saw every sample', () => {
    const values = Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 1013) / 7);
    const single = trend(values);
    const parts = [trend(values.slice(0, 100)), trend(values.slice(100, 650)), trend(values.slice(650))];
    const merged = new TrendSink();
    for (const p of parts) mergeSink(merged, sinkFromJSON(JSON.parse(JSON.stringify(p))));
    const stats = ['min', 'max', 'med', 'p(90)', 'p(95)', 'p(99)', 'p(99.99)', 'count'];
    expect(merged.summaryValues(stats)).toEqual(single.summaryValues(stats));
    expect(merged.avg()).toBeCloseTo(single.avg(), 9);

    const g1 = new GaugeSink();
    g1.add(5, 10);
    const g2 = new GaugeSink();
    g2.add(3, 20);
    g2.add(8, 5); // older sample: does not become the last value
    mergeSink(g1, sinkFromJSON(JSON.parse(JSON.stringify(g2))));
    expect(g1.summaryValues()).toEqual({ value: 3, min: 3, max: 8 });

    const c = newSink('counter') as CounterSink;
    c.add(2, 100);
    const d = new CounterSink();
    d.add(5, 50);
    mergeSink(c, d);
    expect([c.value, c.first]).toEqual([7, 50]);
    expect(() => mergeSink(c, new RateSink())).toThrow();
  });

  it('summaryValues per type', () => {
    const r = new RateSink();
    r.add(1);
    expect(summaryValues(r, 1000, [])).toEqual({ rate: 1, passes: 1, fails: 0 });
    expect(summaryValues(trend([1, 2, 3]), 1000, ['avg', 'p(50)'])).toEqual({ avg: 2, 'p(50)': 2 });
  });
});
