// https://jslib.k6.io/k6-summary/*: `textSummary(data, options)` for
// handleSummary. The jslib renders k6's legacy text layout; this shim
// renders the same data with the runner's v1 text summary instead.

import type { SummaryData } from '../summary.js';
import {
  emptyReportMetrics,
  metricSection,
  type ReportCheck,
  type ReportChecks,
  type ReportMetric,
  type ReportThresholds,
  type SummaryReport,
} from '../summary-report.js';
import { renderTextSummary } from '../summary-text.js';
import type { VU } from '../runtime/vu.js';

export const JSLIB_SUMMARY_RE = /^https?:\/\/jslib\.k6\.io\/k6-summary\//;

function checksOf(data: SummaryData): ReportCheck[] {
  const out: ReportCheck[] = [];
  const walk = (g: SummaryData['root_group']) => {
    for (const c of g.checks) out.push({ name: c.name, passes: c.passes, fails: c.fails });
    for (const sub of g.groups) walk(sub);
  };
  walk(data.root_group);
  return out;
}

/** A compact SummaryReport rebuilt from handleSummary's data. */
export function reportFromData(data: SummaryData): SummaryReport {
  const metrics = emptyReportMetrics();
  const thresholds: Record<string, ReportThresholds> = {};
  const secs = data.state.testRunDurationMs / 1000;
  for (const [name, m] of Object.entries(data.metrics)) {
    const rm: ReportMetric = { name, type: m.type, contains: m.contains, values: { ...m.values } };
    const section = metricSection('compact', name);
    if (section) metrics[section][name] = rm;
    if (m.thresholds) {
      thresholds[name] = { metric: rm, thresholds: Object.entries(m.thresholds).map(([source, t]) => ({ source, ok: t.ok })) };
    }
  }
  let checks: ReportChecks | null = null;
  const c = data.metrics.checks;
  if (c) {
    const passes = c.values.passes ?? 0;
    const fails = c.values.fails ?? 0;
    const total = passes + fails;
    checks = {
      metrics: {
        checks_total: { name: 'checks_total', type: 'counter', contains: 'default', values: { count: total, rate: secs > 0 ? total / secs : 0 } },
        checks_succeeded: { name: 'checks_succeeded', type: 'rate', contains: 'default', values: { ...c.values } },
        checks_failed: {
          name: 'checks_failed',
          type: 'rate',
          contains: 'default',
          values: { passes: fails, fails: passes, rate: total > 0 ? fails / total : 0 },
        },
      },
      ordered_checks: checksOf(data),
    };
  }
  return { checks, metrics, groups: {}, thresholds, scenarios: {} };
}

export function createJslibSummaryModule(_vu: VU): object {
  const textSummary = (data: SummaryData, options: { indent?: string; enableColors?: boolean } = {}) => {
    void options;
    return renderTextSummary(reportFromData(data), {
      summaryTrendStats: data.options?.summaryTrendStats,
      summaryTimeUnit: data.options?.summaryTimeUnit || null,
    });
  };
  return { textSummary };
}
