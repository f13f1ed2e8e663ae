// The `handleSummary(data)` object (k6 internal/js/summary.go
// summarizeMetricsToObject) and the legacy `--summary-export` JSON derived
// from it (internal/js/summary-wrapper.js oldJSONSummary).

import type { Group } from './groups.js';
import { type MetricType, type Sink, summaryValues, type ValueType } from './stats/sinks.js';
import { DEFAULT_SUMMARY_TREND_STATS } from './stats/trend-stats.js';

export interface SummaryCheckData {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}

export interface SummaryGroupData {
  name: string;
  path: string;
  id: string;
  groups: SummaryGroupData[];
  checks: SummaryCheckData[];
}

export interface SummaryMetricData {
  type: MetricType;
  contains: ValueType;
  values: Record<string, number>;
  /** Present only for metrics with thresholds: expression → {ok}. */
  thresholds?: Record<string, { ok: boolean }>;
}

export interface SummaryData {
  root_group: SummaryGroupData;
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  metrics: Record<string, SummaryMetricData>;
  /** JSON round-trip of setup()'s result; undefined when setup returned nothing. */
  setup_data?: unknown;
}

/** An observed (sub)metric: one with samples or with thresholds. */
export interface ObservedMetric {
  /** `name` or `name{tag:value}` */
  name: string;
  type: MetricType;
  contains: ValueType;
  sink: Sink;
  /** In configuration order; `ok` is "did not fail at the last evaluation". */
  thresholds?: readonly { source: string; ok: boolean }[];
}

export interface SummaryInput {
  rootGroup: Group;
  metrics: readonly ObservedMetric[];
  testRunDurationMs: number;
  summaryTrendStats?: readonly string[];
  /** "" when unset (k6 passes the null.String's string). */
  summaryTimeUnit?: string;
  noColor?: boolean;
  isStdOutTTY?: boolean;
  isStdErrTTY?: boolean;
  /** setup()'s return value; it is JSON round-tripped like k6 does. */
  setupData?: unknown;
}

/** exportGroup: groups and checks as arrays, in first-use order. */
export function exportGroup(g: Group): SummaryGroupData {
  return {
    name: g.name,
    path: g.path,
    id: g.id,
    groups: [...g.groups.values()].map(exportGroup),
    checks: [...g.checks.values()].map((c) => ({ name: c.name, path: c.path, id: c.id, passes: c.passes, fails: c.fails })),
  };
}

export function buildSummaryData(input: SummaryInput): SummaryData {
  const trendStats = [...(input.summaryTrendStats ?? DEFAULT_SUMMARY_TREND_STATS)];
  const metrics: Record<string, SummaryMetricData> = {};
  for (const m of input.metrics) {
    const data: SummaryMetricData = {
      type: m.type,
      contains: m.contains,
      values: summaryValues(m.sink, input.testRunDurationMs, trendStats),
    };
    if (m.thresholds && m.thresholds.length > 0) {
      data.thresholds = {};
      for (const t of m.thresholds) data.thresholds[t.source] = { ok: t.ok };
    }
    metrics[m.name] = data;
  }
  const out: SummaryData = {
    root_group: exportGroup(input.rootGroup),
    options: {
      summaryTrendStats: trendStats,
      summaryTimeUnit: input.summaryTimeUnit ?? '',
      noColor: input.noColor ?? false,
    },
    state: {
      isStdOutTTY: input.isStdOutTTY ?? false,
      isStdErrTTY: input.isStdErrTTY ?? false,
      testRunDurationMs: input.testRunDurationMs,
    },
    metrics,
  };
  // k6 marshals setup() to JSON once and parses it again for each consumer.
  const json = input.setupData === undefined ? undefined : JSON.stringify(input.setupData);
  out.setup_data = json === undefined ? undefined : JSON.parse(json);
  return out;
}

type LegacyGroup = Omit<SummaryGroupData, 'groups' | 'checks'> & {
  groups: Record<string, LegacyGroup>;
  checks: Record<string, SummaryCheckData>;
};

function transformGroup(g: SummaryGroupData): LegacyGroup {
  const groups: Record<string, LegacyGroup> = {};
  for (const sub of g.groups) groups[sub.name] = transformGroup(sub);
  const checks: Record<string, SummaryCheckData> = {};
  for (const c of g.checks) checks[c.name] = c;
  return { ...g, groups, checks };
}

export interface LegacySummaryExport {
  root_group: LegacyGroup;
  /** Flattened values; thresholds as {expr: failed}; rate metrics use `value`. */
  metrics: Record<string, Record<string, number | Record<string, boolean>>>;
  setup_data?: unknown;
}

/**
 * oldJSONSummary: drop options/state, flatten each metric to its values,
 * invert thresholds to `{expr: true_if_failed}`, rename a rate's `rate` to
 * `value`, and key groups/checks by name.
 */
export function toLegacySummaryExport(data: SummaryData): LegacySummaryExport {
  const copy = JSON.parse(JSON.stringify(data)) as SummaryData;
  const metrics: LegacySummaryExport['metrics'] = {};
  for (const [name, metric] of Object.entries(copy.metrics)) {
    const flat: Record<string, number | Record<string, boolean>> = metric.values;
    if (metric.thresholds && Object.keys(metric.thresholds).length > 0) {
      const inverted: Record<string, boolean> = {};
      for (const [expr, t] of Object.entries(metric.thresholds)) inverted[expr] = !t.ok;
      flat.thresholds = inverted;
    }
    if (metric.type === 'rate' && Object.hasOwn(flat, 'rate')) {
      flat.value = flat.rate!;
      delete flat.rate;
    }
    metrics[name] = flat;
  }
  const out: LegacySummaryExport = { root_group: transformGroup(copy.root_group), metrics };
  if ('setup_data' in copy) out.setup_data = copy.setup_data;
  return out;
}

/** The file content k6 writes for --summary-export (4-space JSON). */
export function legacySummaryExportJSON(data: SummaryData): string {
  const legacy = toLegacySummaryExport(data);
  // Key order as in k6: root_group, metrics, setup_data (options/state removed).
  return JSON.stringify({ root_group: legacy.root_group, metrics: legacy.metrics, setup_data: legacy.setup_data }, null, 4);
}
