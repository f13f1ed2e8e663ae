// Metric sinks (k6 metrics/sink.go): what each metric type accumulates, the
// values the end-of-test summary shows, and exact merging so several workers'
// sinks combine into what one sink would have seen.

import { DEFAULT_K6_LINE, type K6Line } from '../compat.js';
import { msToNs } from '../duration.js';
import { ExactTrendStore, type SerializedTrendStore, type TrendStore, trendStoreFromJSON } from './trend-store.js';
import { parseTrendStat } from './trend-stats.js';

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
export type ValueType = 'default' | 'time' | 'data';

/** Plain-data form of a sink, for worker messages (structured clone or JSON). */
export type SerializedSink =
  | { type: 'counter'; value: number; first?: number | undefined }
  | { type: 'gauge'; value: number; min: number; max: number; minSet: boolean; lastTime: number | null }
  | { type: 'rate'; trues: number; total: number }
  | { type: 'trend'; store: SerializedTrendStore };

/** Seconds in a test-run duration given in ms, computed like Go's float64(ns)/1e9. */
function seconds(durationMs: number): number {
  return msToNs(durationMs) / 1e9;
}

export class CounterSink {
  readonly type = 'counter';
  value = 0;
  /** Time (ms) of the first sample; undefined = empty. */
  first: number | undefined;

  add(value: number, time = 0): void {
    this.value += value;
    if (this.first === undefined || time < this.first) this.first = time;
  }
  isEmpty(): boolean {
    return this.first === undefined;
  }
  /** Per second over the test-run duration; 0 at t=0. */
  rate(durationMs: number): number {
    return durationMs === 0 ? 0 : this.value / seconds(durationMs);
  }
  summaryValues(durationMs: number): { count: number; rate: number } {
    return { count: this.value, rate: this.rate(durationMs) };
  }
  merge(o: CounterSink): void {
    this.value += o.value;
    if (o.first !== undefined && (this.first === undefined || o.first < this.first)) this.first = o.first;
  }
  toJSON(): SerializedSink {
    return { type: 'counter', value: this.value, first: this.first };
  }
}

export class GaugeSink {
  readonly type = 'gauge';
  value = 0;
  max = 0;
  min = 0;
  minSet = false;
  /** Time (ms) of the sample that set `value`, so merges keep the latest. */
  lastTime = Number.NEGATIVE_INFINITY;

  constructor(readonly line: K6Line = DEFAULT_K6_LINE) {}

  add(value: number, time = 0): void {
    if (time >= this.lastTime) {
      this.value = value;
      this.lastTime = time;
    }
    // v1 compares against an initial max of 0; v2 seeds it with the first sample.
    if (value > this.max || (this.line === 'v2' && !this.minSet)) this.max = value;
    if (value < this.min || !this.minSet) {
      this.min = value;
      this.minSet = true;
    }
  }
  isEmpty(): boolean {
    return !this.minSet;
  }
  summaryValues(): { value: number; min: number; max: number } {
    return { value: this.value, min: this.min, max: this.max };
  }
  merge(o: GaugeSink): void {
    if (!o.minSet) return;
    if (!this.minSet) {
      this.value = o.value;
      this.lastTime = o.lastTime;
      this.min = o.min;
      this.max = this.line === 'v2' ? o.max : Math.max(this.max, o.max);
      this.minSet = true;
      return;
    }
    if (o.lastTime >= this.lastTime) {
      this.value = o.value;
      this.lastTime = o.lastTime;
    }
    this.min = Math.min(this.min, o.min);
    this.max = Math.max(this.max, o.max);
  }
  toJSON(): SerializedSink {
    const lastTime = Number.isFinite(this.lastTime) ? this.lastTime : null; // JSON has no -Infinity
    return { type: 'gauge', value: this.value, min: this.min, max: this.max, minSet: this.minSet, lastTime };
  }
}

export class RateSink {
  readonly type = 'rate';
  trues = 0;
  total = 0;

  /** Any non-zero value is a pass (booleans arrive as 1/0). */
  add(value: number): void {
    this.total++;
    if (value !== 0) this.trues++;
  }
  isEmpty(): boolean {
    return this.total === 0;
  }
  rate(): number {
    return this.total > 0 ? this.trues / this.total : 0;
  }
  summaryValues(): { rate: number; passes: number; fails: number } {
    return { rate: this.rate(), passes: this.trues, fails: this.total - this.trues };
  }
  merge(o: RateSink): void {
    this.trues += o.trues;
    this.total += o.total;
  }
  toJSON(): SerializedSink {
    return { type: 'rate', trues: this.trues, total: this.total };
  }
}

export class TrendSink {
  readonly type = 'trend';

  constructor(readonly store: TrendStore = new ExactTrendStore()) {}

  add(value: number): void {
    this.store.add(value);
  }
  isEmpty(): boolean {
    return this.store.count === 0;
  }
  get count(): number {
    return this.store.count;
  }
  /** 0 when empty, like k6's zero-valued fields. */
  get min(): number {
    return this.store.count === 0 ? 0 : this.store.min;
  }
  get max(): number {
    return this.store.count === 0 ? 0 : this.store.max;
  }
  get sum(): number {
    return this.store.sum;
  }
  avg(): number {
    return this.store.count > 0 ? this.store.sum / this.store.count : 0;
  }
  /** p in [0, 1]; k6's P(). */
  p(pct: number): number {
    return this.store.percentile(pct);
  }
  /** One summaryTrendStats column: avg, min, med, max, count or p(N). */
  stat(name: string): number {
    switch (name) {
      case 'avg':
        return this.avg();
      case 'min':
        return this.min;
      case 'med':
        return this.p(0.5);
      case 'max':
        return this.max;
      case 'count':
        return this.count;
      default:
        return this.p(parseTrendStat(name) / 100);
    }
  }
  summaryValues(stats: readonly string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of stats) out[s] = this.stat(s);
    return out;
  }
  merge(o: TrendSink): void {
    this.store.merge(o.store);
  }
  toJSON(): SerializedSink {
    return { type: 'trend', store: this.store.toJSON() };
  }
}

export type Sink = CounterSink | GaugeSink | RateSink | TrendSink;

export function newSink(type: MetricType, line: K6Line = DEFAULT_K6_LINE): Sink {
  switch (type) {
    case 'counter':
      return new CounterSink();
    case 'gauge':
      return new GaugeSink(line);
    case 'rate':
      return new RateSink();
    case 'trend':
      return new TrendSink();
  }
}

/** Merge `src` into `dst` (same metric type required). */
export function mergeSink(dst: Sink, src: Sink): void {
  if (dst.type !== src.type) throw new TypeError(`cannot merge a ${src.type} sink into a ${dst.type} one`);
  (dst.merge as (s: Sink) => void)(src);
}

/** Rebuild a sink sent over a worker boundary (structured clone / JSON). */
export function sinkFromJSON(s: SerializedSink, line: K6Line = DEFAULT_K6_LINE): Sink {
  switch (s.type) {
    case 'counter': {
      const c = new CounterSink();
      c.value = s.value;
      c.first = s.first ?? undefined;
      return c;
    }
    case 'gauge': {
      const g = new GaugeSink(line);
      Object.assign(g, { value: s.value, min: s.min, max: s.max, minSet: s.minSet, lastTime: s.lastTime ?? Number.NEGATIVE_INFINITY });
      return g;
    }
    case 'rate': {
      const r = new RateSink();
      r.trues = s.trues;
      r.total = s.total;
      return r;
    }
    case 'trend':
      return new TrendSink(trendStoreFromJSON(s.store));
  }
}

/**
 * The values object the summary shows for a metric (k6's metricValueGetter):
 * Counter {count, rate}, Gauge {value, min, max}, Rate {rate, passes, fails},
 * Trend {<each summaryTrendStats column>}.
 */
export function summaryValues(sink: Sink, durationMs: number, trendStats: readonly string[]): Record<string, number> {
  switch (sink.type) {
    case 'counter':
      return sink.summaryValues(durationMs);
    case 'gauge':
      return sink.summaryValues();
    case 'rate':
      return sink.summaryValues();
    case 'trend':
      return sink.summaryValues(trendStats);
  }
}
