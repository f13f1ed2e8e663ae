// The grouped report k6 v1's text summary renders (internal/lib/summary and
// internal/output/summary/data.go): metrics sorted into sections, checks
// turned into checks_total/checks_succeeded/checks_failed, thresholds with
// their metric's values, and (in full mode) per-group / per-scenario results.

import { msToNs } from './duration.js';
import type { ObservedMetric } from './summary.js';
import { summaryValues, type TrendSink } from './stats/sinks.js';
import { DEFAULT_SUMMARY_TREND_STATS } from './stats/trend-stats.js';

export type SummaryMode = 'compact' | 'full';

export interface ReportMetric {
  name: string;
  type: string;
  contains: string;
  values: Record<string, number>;
}

/** Section order is k6's struct field order; the renderer moves `custom` first. */
export interface ReportMetrics {
  http: Record<string, ReportMetric>;
  execution: Record<string, ReportMetric>;
  network: Record<string, ReportMetric>;
  browser: Record<string, ReportMetric>;
  web_vitals: Record<string, ReportMetric>;
  grpc: Record<string, ReportMetric>;
  websocket: Record<string, ReportMetric>;
  custom: Record<string, ReportMetric>;
}

export interface ReportCheck {
  name: string;
  passes: number;
  fails: number;
}

export interface ReportChecks {
  metrics: { checks_total: ReportMetric; checks_succeeded: ReportMetric; checks_failed: ReportMetric };
  ordered_checks: ReportCheck[];
}

export interface ReportGroup {
  checks: ReportChecks | null;
  metrics: ReportMetrics;
  /** In first-use order. */
  groups: Record<string, ReportGroup>;
}

export interface ReportThresholds {
  metric: ReportMetric;
  thresholds: { source: string; ok: boolean }[];
}

export interface SummaryReport extends ReportGroup {
  thresholds: Record<string, ReportThresholds>;
  scenarios: Record<string, ReportGroup>;
}

/** Metrics and checks aggregated for one group or scenario (full mode). */
export interface GroupAggregate {
  metrics: readonly ObservedMetric[];
  /** In first-use order, with counts for samples inside this group only. */
  checks: readonly ReportCheck[];
  groups?: ReadonlyMap<string, GroupAggregate> | Record<string, GroupAggregate>;
}

export interface ReportInput {
  mode?: SummaryMode;
  testRunDurationMs: number;
  summaryTrendStats?: readonly string[];
  /** Every observed metric of the test, with its thresholds. */
  metrics: readonly ObservedMetric[];
  /** Root checks in first-use order (over the whole test). */
  checks: readonly ReportCheck[];
  /** Full mode only: groups of the default scenario and non-default scenarios. */
  groups?: GroupAggregate['groups'];
  scenarios?: Record<string, GroupAggregate>;
}

// k6 matches these with strings.HasPrefix, so e.g. a custom `http_reqs_x`
// counter lands in HTTP and `checks_x` is hidden; kept as is.
const HTTP = [
  'http_reqs',
  'http_req_failed',
  'http_req_duration',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
];
const EXECUTION = ['vus', 'vus_max', 'iterations', 'iteration_duration', 'dropped_iterations'];
const NETWORK = ['data_sent', 'data_received'];
const SKIPPED_COMPACT = [
  'checks',
  'group_duration',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_receiving',
  'http_req_sending',
  'http_req_tls_handshaking',
  'http_req_waiting',
];
const SKIPPED_FULL = ['checks', 'group_duration'];

const oneOf = (name: string, prefixes: readonly string[]) => prefixes.some((p) => name.startsWith(p));

export function emptyReportMetrics(): ReportMetrics {
  return { http: {}, execution: {}, network: {}, browser: {}, web_vitals: {}, grpc: {}, websocket: {}, custom: {} };
}

/** Which section a metric is displayed in, or undefined when hidden. */
export function metricSection(mode: SummaryMode, name: string): keyof ReportMetrics | undefined {
  if (oneOf(name, mode === 'compact' ? SKIPPED_COMPACT : SKIPPED_FULL)) return undefined;
  if (oneOf(name, HTTP)) return 'http';
  if (oneOf(name, EXECUTION)) return 'execution';
  if (oneOf(name, NETWORK)) return 'network';
  if (name.startsWith('browser_') && !name.startsWith('browser_web_vital_')) return 'browser';
  if (name.startsWith('grpc_')) return 'grpc';
  if (name.startsWith('ws_')) return 'websocket';
  if (name.startsWith('browser_web_vital_')) return 'web_vitals';
  return 'custom';
}

function reportMetric(m: ObservedMetric, durationMs: number, stats: readonly string[]): ReportMetric {
  return { name: m.name, type: m.type, contains: m.contains, values: summaryValues(m.sink, durationMs, stats) };
}

/** calculateRate: per second of test-run time, 0 at t=0. */
const rate = (count: number, durationMs: number) => (durationMs === 0 ? 0 : count / (msToNs(durationMs) / 1e9));

/** populateSummaryChecks: only when the group saw `checks` samples. */
function reportChecks(metrics: readonly ObservedMetric[], ordered: readonly ReportCheck[], durationMs: number, stats: readonly string[]): ReportChecks | null {
  const checks = metrics.find((m) => m.name === 'checks');
  if (!checks || checks.sink.type !== 'rate') return null;
  const total = checks.sink.total;
  const success = checks.sink.trues;
  const meta = { type: 'rate', contains: 'default' };
  return {
    metrics: {
      checks_total: { name: 'checks_total', type: 'counter', contains: 'default', values: { count: total, rate: rate(total, durationMs) } },
      checks_succeeded: { ...reportMetric(checks, durationMs, stats), name: 'checks_succeeded' },
      // k6 fills these swapped on purpose: "passes" are the failed checks here.
      checks_failed: {
        name: 'checks_failed',
        ...meta,
        values: { passes: total - success, fails: success, rate: total > 0 ? (total - success) / total : 0 },
      },
    },
    ordered_checks: ordered.map((c) => ({ ...c })),
  };
}

function entriesOf(groups: GroupAggregate['groups']): [string, GroupAggregate][] {
  if (!groups) return [];
  return groups instanceof Map ? [...groups.entries()] : Object.entries(groups);
}

function reportGroup(mode: SummaryMode, agg: GroupAggregate, durationMs: number, stats: readonly string[]): ReportGroup {
  const metrics = emptyReportMetrics();
  for (const m of agg.metrics) {
    const section = metricSection(mode, m.name);
    if (section) metrics[section][m.name] = reportMetric(m, durationMs, stats);
  }
  const groups: Record<string, ReportGroup> = {};
  for (const [name, g] of entriesOf(agg.groups)) groups[name] = reportGroup(mode, g, durationMs, stats);
  return { checks: reportChecks(agg.metrics, agg.checks, durationMs, stats), metrics, groups };
}

const PERCENTILE_SOURCE_RE = /^p\((\d+(?:\.\d+)?)\)\s*([<>=])/;

/** summaryThresholds: a trend's values also get any p(N) its thresholds use. */
function reportThresholds(metrics: readonly ObservedMetric[], durationMs: number, stats: readonly string[]) {
  const out: Record<string, ReportThresholds> = {};
  for (const m of metrics) {
    if (!m.thresholds || m.thresholds.length === 0) continue;
    const metric = reportMetric(m, durationMs, stats);
    for (const t of m.thresholds) {
      const match = m.sink.type === 'trend' ? PERCENTILE_SOURCE_RE.exec(t.source.trim()) : null;
      if (match) metric.values[`p(${match[1]})`] = (m.sink as TrendSink).p(Number(match[1]) / 100);
    }
    out[m.name] = { metric, thresholds: m.thresholds.map((t) => ({ source: t.source, ok: t.ok })) };
  }
  return out;
}

/**
 * Build the report. In compact mode (k6's default) only total results and
 * thresholds are kept; `groups`/`scenarios` inputs are ignored, since k6 does
 * not even collect them then.
 */
export function buildSummaryReport(input: ReportInput): SummaryReport {
  const mode = input.mode ?? 'compact';
  const stats = input.summaryTrendStats ?? DEFAULT_SUMMARY_TREND_STATS;
  const d = input.testRunDurationMs;
  const root = reportGroup(mode, { metrics: input.metrics, checks: input.checks, groups: mode === 'full' ? input.groups : undefined }, d, stats);
  const scenarios: Record<string, ReportGroup> = {};
  if (mode === 'full') {
    for (const [name, g] of Object.entries(input.scenarios ?? {})) scenarios[name] = reportGroup(mode, g, d, stats);
  }
  return { ...root, thresholds: reportThresholds(input.metrics, d, stats), scenarios };
}
