// The metrics engine of a run (k6 metrics.Registry + internal/metrics/engine):
// metric definitions, their sinks, submetrics (for thresholds and the
// auto-created `http_req_duration{expected_response:true}`), the "observed"
// set the summary shows, threshold evaluation, and fan-out of every sample to
// outputs (JSON lines, Prometheus). Single-threaded: samples are added
// synchronously as they are produced.

import { DEFAULT_K6_LINE, type K6Line } from '../compat.js';
import { BUILTIN_METRICS, CUSTOM_METRIC_NAME_RE, type MetricInfo, splitSubmetricName } from '../metric-names.js';
import { mergeSink, newSink, type SerializedSink, type Sink, sinkFromJSON } from '../stats/sinks.js';
import type { MetricType, ValueType } from '../stats/sinks.js';
import type { ObservedMetric } from '../summary.js';
import {
  buildThresholds,
  evaluateThresholds,
  type MetricThresholds,
  type ThresholdConfig,
  type ThresholdedMetric,
} from '../thresholds.js';

export type Tags = Record<string, string>;

export interface Metric {
  readonly name: string;
  readonly type: MetricType;
  readonly contains: ValueType;
  sink: Sink;
  observed: boolean;
  submetrics: Submetric[];
  /** Sample listeners interested in this metric (see onSample). */
  listeners: SampleListener[];
  thresholds?: MetricThresholds;
  /** Set for submetrics. */
  parent?: Metric;
  /** Submetric filter (`{k:v}`) and its raw suffix. */
  filter?: Tags;
  suffix?: string;
}

export interface Submetric {
  name: string;
  suffix: string;
  filter: Tags;
  /** The filter as parallel arrays, matched per sample without allocating. */
  filterKeys: string[];
  filterValues: string[];
  metric: Metric;
}

export interface Sample {
  metric: Metric;
  tags: Tags;
  value: number;
  /** Unix epoch, ms (float). */
  time: number;
  metadata?: Record<string, string> | undefined;
}

export type SampleListener = (s: Sample) => void;

export class MetricError extends Error {}

const BAD_NAME =
  'Metric names must only include up to 128 ASCII letters, numbers, or underscores and start with a letter or an underscore.';

export const EXPECTED_RESPONSE_SUBMETRIC = 'http_req_duration{expected_response:true}';

export class MetricsEngine {
  readonly metrics = new Map<string, Metric>();
  /** Observed (sub)metrics in the order they were first observed. */
  readonly observed = new Map<string, Metric>();
  private readonly withThresholds: Metric[] = [];
  private readonly listeners: { l: SampleListener; only: ReadonlySet<string> | undefined }[] = [];
  private readonly metricListeners: ((m: Metric) => void)[] = [];

  constructor(readonly line: K6Line = DEFAULT_K6_LINE) {
    for (const [name, info] of Object.entries(BUILTIN_METRICS)) this.define(name, info.type, info.contains);
  }

  private define(name: string, type: MetricType, contains: ValueType): Metric {
    const m: Metric = { name, type, contains, sink: newSink(type, this.line), observed: false, submetrics: [], listeners: [] };
    m.listeners = this.listenersOf(name);
    this.metrics.set(name, m);
    for (const l of this.metricListeners) l(m);
    return m;
  }

  /** Registry.NewMetric: validates the name; redeclaring needs the same type and value type. */
  newMetric(name: string, type: MetricType, contains: ValueType = 'default'): Metric {
    if (!CUSTOM_METRIC_NAME_RE.test(name)) throw new MetricError(`Invalid metric name: '${name}'. ${BAD_NAME}`);
    const old = this.metrics.get(name);
    if (old) {
      if (old.type !== type) {
        throw new MetricError(`metric '${name}' already exists but with type ${old.type}, instead of ${type}`);
      }
      if (old.contains !== contains) {
        throw new MetricError(`metric '${name}' already exists but with a value type ${old.contains}, instead of ${contains}`);
      }
      return old;
    }
    return this.define(name, type, contains);
  }

  get(name: string): Metric | undefined {
    return this.metrics.get(name);
  }

  mustGet(name: string): Metric {
    const m = this.metrics.get(name);
    if (!m) throw new MetricError(`unknown metric ${name}`);
    return m;
  }

  info(name: string): MetricInfo | undefined {
    const m = this.metrics.get(name);
    return m ? { type: m.type, contains: m.contains } : undefined;
  }

  /**
   * Call `l` with every sample, or only with samples of the metrics named in
   * `only` (samples nobody listens to are never built as objects).
   */
  onSample(l: SampleListener, only?: readonly string[]): () => void {
    const entry = { l, only: only ? new Set(only) : undefined };
    this.listeners.push(entry);
    this.relisten();
    return () => {
      const i = this.listeners.indexOf(entry);
      if (i >= 0) this.listeners.splice(i, 1);
      this.relisten();
    };
  }

  private listenersOf(name: string): SampleListener[] {
    return this.listeners.filter((e) => !e.only || e.only.has(name)).map((e) => e.l);
  }

  private relisten(): void {
    for (const m of this.metrics.values()) m.listeners = this.listenersOf(m.name);
  }

  /** Metric.AddSubmetric: created once per exact name. */
  submetric(fullName: string): Metric {
    const split = splitSubmetricName(fullName);
    const parent = this.mustGet(split.parent);
    if (split.suffix === undefined) return parent;
    const existing = parent.submetrics.find((s) => s.suffix === split.suffix);
    if (existing) return existing.metric;
    const name = `${parent.name}{${split.suffix}}`;
    const metric: Metric = {
      name,
      type: parent.type,
      contains: parent.contains,
      sink: newSink(parent.type, this.line),
      observed: false,
      submetrics: [],
      listeners: [],
      parent,
      filter: split.tags!,
      suffix: split.suffix,
    };
    const filter = split.tags!;
    parent.submetrics.push({ name, suffix: split.suffix, filter, filterKeys: Object.keys(filter), filterValues: Object.values(filter), metric });
    return metric;
  }

  private markObserved(m: Metric): void {
    if (!m.observed) {
      m.observed = true;
      this.observed.set(m.name, m);
    }
  }

  /**
   * InitSubMetricsAndThresholds: validate and attach thresholds (throws the
   * 104 InvalidThresholdError), mark them observed, and create the
   * expected_response submetric.
   */
  initThresholds(config: Record<string, ThresholdConfig[]>, enabled = true): void {
    if (enabled) {
      const built = buildThresholds(config, (n) => this.info(n), this.line);
      for (const t of built) {
        const m = this.submetric(t.metricName);
        m.thresholds = t;
        this.withThresholds.push(m);
        this.markObserved(m);
        if (m.parent) this.markObserved(m.parent);
      }
    }
    this.submetric(EXPECTED_RESPONSE_SUBMETRIC);
  }

  hasThresholds(): boolean {
    return this.withThresholds.length > 0;
  }

  add(s: Sample): void {
    this.record(s.metric, s.tags, s.value, s.time);
    for (const l of s.metric.listeners) l(s);
  }

  /** add() without a Sample object unless a listener wants one; `tags` must not change afterwards. */
  push(metric: Metric, tags: Tags, value: number, time: number): void {
    this.record(metric, tags, value, time);
    const ls = metric.listeners;
    if (ls.length === 0) return;
    const s: Sample = { metric, tags, value, time };
    for (const l of ls) l(s);
  }

  private record(m: Metric, tags: Tags, value: number, time: number): void {
    if (!m.observed) this.markObserved(m);
    addToSink(m.sink, value, time);
    for (const sm of m.submetrics) {
      if (!matchesFilter(sm, tags)) continue;
      if (!sm.metric.observed) this.markObserved(sm.metric);
      addToSink(sm.metric.sink, value, time);
    }
  }

  thresholded(): ThresholdedMetric[] {
    return this.withThresholds.map((m) => ({ thresholds: m.thresholds!, sink: m.sink }));
  }

  evaluate(elapsedMs: number, ignoreEmptySinks: boolean) {
    return evaluateThresholds(this.thresholded(), elapsedMs, ignoreEmptySinks);
  }

  /** Observed metrics for the summary, with each threshold's last result. */
  observedMetrics(): ObservedMetric[] {
    return [...this.observed.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((m) => ({
        name: m.name,
        type: m.type,
        contains: m.contains,
        sink: m.sink,
        thresholds: m.thresholds?.thresholds.map((t) => ({ source: t.source, ok: !t.lastFailed })),
      }));
  }

  /** Every sink, for merging across processes. */
  serialize(): SerializedEngine {
    const metrics: SerializedMetric[] = [];
    for (const m of this.metrics.values()) {
      metrics.push({ name: m.name, type: m.type, contains: m.contains, observed: m.observed, sink: m.sink.toJSON() });
      for (const sm of m.submetrics) {
        metrics.push({
          name: sm.name,
          type: m.type,
          contains: m.contains,
          observed: sm.metric.observed,
          sink: sm.metric.sink.toJSON(),
        });
      }
    }
    return { metrics, observedOrder: [...this.observed.keys()] };
  }

  /** Merge another engine's sinks in (metrics are created as needed). */
  merge(other: SerializedEngine): void {
    for (const sm of other.metrics) {
      const isSub = sm.name.includes('{');
      let m: Metric;
      if (isSub) {
        const parentName = sm.name.slice(0, sm.name.indexOf('{'));
        if (!this.metrics.has(parentName)) this.define(parentName, sm.type, sm.contains);
        m = this.submetric(sm.name);
      } else {
        m = this.metrics.get(sm.name) ?? this.define(sm.name, sm.type, sm.contains);
      }
      mergeSink(m.sink, sinkFromJSON(sm.sink, this.line));
      if (sm.observed) this.markObserved(m);
    }
  }
}

export interface SerializedMetric {
  name: string;
  type: MetricType;
  contains: ValueType;
  observed: boolean;
  sink: SerializedSink;
}

export interface SerializedEngine {
  metrics: SerializedMetric[];
  observedOrder: string[];
}

function matchesFilter(sm: Submetric, tags: Tags): boolean {
  const keys = sm.filterKeys;
  for (let i = 0; i < keys.length; i++) if (tags[keys[i]!] !== sm.filterValues[i]) return false;
  return true;
}

function addToSink(sink: Sink, value: number, time: number): void {
  switch (sink.type) {
    case 'counter':
    case 'gauge':
      sink.add(value, time);
      break;
    default:
      sink.add(value);
  }
}
