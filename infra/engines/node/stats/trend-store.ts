// Where a Trend keeps its samples. k6 keeps every value, which makes its
// percentiles exact; ExactTrendStore does the same, and merging two stores
// (e.g. from worker threads or instances) is plain concatenation, so merged
// percentiles equal those of a single sink that saw every sample. A lossy
// store (e.g. an HDR histogram) can be added later behind this interface.

import { percentileSorted, sortFloat64s } from './percentile.js';

export interface TrendStore {
  readonly kind: string;
  readonly count: number;
  readonly min: number;
  readonly max: number;
  /** Running sum in arrival order, like k6's TrendSink.sum. */
  readonly sum: number;
  add(value: number): void;
  /** p in [0, 1]. */
  percentile(p: number): number;
  merge(other: TrendStore): void;
  toJSON(): SerializedTrendStore;
}

export interface SerializedExactTrendStore {
  kind: 'exact';
  values: number[];
  min: number;
  max: number;
  sum: number;
}
export type SerializedTrendStore = SerializedExactTrendStore;

export class ExactTrendStore implements TrendStore {
  readonly kind = 'exact';
  private buf = new Float64Array(64);
  private n = 0;
  private sorted = true;
  min = 0;
  max = 0;
  sum = 0;

  get count(): number {
    return this.n;
  }

  add(value: number): void {
    if (this.n === 0) {
      this.min = value;
      this.max = value;
    } else {
      if (value > this.max) this.max = value;
      if (value < this.min) this.min = value;
    }
    if (this.n === this.buf.length) {
      const bigger = new Float64Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.n++] = value;
    this.sorted = false;
    this.sum += value;
  }

  /** The stored values (sorted after any percentile query). */
  values(): Float64Array {
    return this.buf.subarray(0, this.n);
  }

  percentile(p: number): number {
    if (!this.sorted) {
      sortFloat64s(this.buf.subarray(0, this.n));
      this.sorted = true;
    }
    return percentileSorted(this.buf.subarray(0, this.n), p);
  }

  merge(other: TrendStore): void {
    if (!(other instanceof ExactTrendStore)) {
      throw new TypeError(`cannot merge a ${other.kind} trend store into an exact one`);
    }
    if (other.n === 0) return;
    if (this.n === 0) {
      this.min = other.min;
      this.max = other.max;
    } else {
      this.min = Math.min(this.min, other.min);
      this.max = Math.max(this.max, other.max);
    }
    if (this.n + other.n > this.buf.length) {
      const bigger = new Float64Array(Math.max(this.buf.length * 2, this.n + other.n));
      bigger.set(this.buf.subarray(0, this.n));
      this.buf = bigger;
    }
    this.buf.set(other.values(), this.n);
    this.n += other.n;
    this.sorted = false;
    this.sum += other.sum;
  }

  toJSON(): SerializedExactTrendStore {
    return { kind: 'exact', values: Array.from(this.values()), min: this.min, max: this.max, sum: this.sum };
  }

  static fromJSON(s: SerializedExactTrendStore): ExactTrendStore {
    const st = new ExactTrendStore();
    st.buf = Float64Array.from(s.values);
    if (st.buf.length === 0) st.buf = new Float64Array(64);
    st.n = s.values.length;
    st.sorted = false;
    st.min = s.min;
    st.max = s.max;
    st.sum = s.sum;
    return st;
  }
}

export function trendStoreFromJSON(s: SerializedTrendStore): TrendStore {
  switch (s.kind) {
    case 'exact':
      return ExactTrendStore.fromJSON(s);
  }
}
