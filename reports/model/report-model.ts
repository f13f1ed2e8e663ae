// Assembles every analysis into the report object that becomes report.json:
// objectives, breaking point, first bottleneck, scalability fit, projection
// and the verdict paragraph. Pure: the caller passes the clock and any
// override files already parsed (parseSloConfig, parsePriceSheet).
import { findBottlenecks, type BottleneckOptions } from './bottleneck.js';
import { findBreakingPoint, type BreakingPointOptions } from './breaking-point.js';
import { parseConfig } from './config-errors.js';
import { measureCosts } from './costs.js';
import { DEFAULT_PRICE_SHEET, type PriceSheet } from './price-sheet.js';
import { project, projectionWaveFromRun, type ProjectionAssumptions, type ProjectionWave } from './projection.js';
import { REPORT_SCHEMA_VERSION, reportSchema, type Report } from './report-schema.js';
import { DEFAULT_SLOS, evaluateSlos, type Slos } from './slo.js';
import type { RunData, Target } from './types.js';
import { assessInterference } from './interference.js';
import { fitUsl } from './usl.js';
import { writeVerdict } from './verdict.js';

export { REPORT_SCHEMA_VERSION, reportSchema, type Report };

export interface ReportOptions {
  slos?: Slos;
  prices?: PriceSheet;
  /** The wave to plan for; default: the rehearsed wave in real time. */
  projectionWave?: ProjectionWave;
  assumptions?: Partial<ProjectionAssumptions>;
  /** ISO 8601 time the report was made (the model reads no clock). */
  generatedAt?: string;
  breakingPoint?: BreakingPointOptions;
  bottleneck?: BottleneckOptions;
}

export function buildReport(data: RunData, options: ReportOptions = {}): Report {
  const slos = options.slos ?? DEFAULT_SLOS;
  const prices = options.prices ?? DEFAULT_PRICE_SHEET;
  const sloEvaluation = evaluateSlos(data, slos);
  const breakingPoint = findBreakingPoint(data, slos, options.breakingPoint);
  const bottleneck = findBottlenecks(data, slos, options.bottleneck);

  // The fit reads the breakpoint's windows: mean requests in flight vs mean throughput.
  const uslPoints = breakingPoint.windows
    .filter((w) => w.concurrency !== null && w.concurrency > 0 && w.throughput !== null)
    .map((w) => [w.concurrency!, w.throughput!] as const);
  const fit = fitUsl(uslPoints) ?? null;
  const hasConcurrency = !!data.series.concurrency?.some((s) => s.points.length > 0);
  const scalability = {
    fit,
    concurrencySource: hasConcurrency ? ('measured' as const) : ('none' as const),
    note: fit
      ? `fitted to ${fit.points} breakpoint window${fit.points === 1 ? '' : 's'} (requests in flight vs ${data.rateUnit})`
      : hasConcurrency
        ? 'not fitted: no breakpoint window had both concurrency and throughput'
        : 'not fitted: the run has no concurrency series (requests in flight or busy threads)',
  };

  const measured = measureCosts(data, breakingPoint, fit);
  const wave = options.projectionWave ?? projectionWaveFromRun(data.wave);
  // A run stopped before any load measured nothing to size from.
  const projection = data.phases.length ? project(wave, measured, data.sizing, prices, options.assumptions, data.limits.pgMaxConnections) : null;

  const target = labelTarget(data.target);
  const interference = assessInterference(data.phases, target);
  const partialReason = data.interrupted ? data.interrupted.reason.trim() || 'interrupted' : null;
  const compression = data.wave.compression > 0 ? data.wave.compression : 1;
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: options.generatedAt ?? null,
    target,
    wave: {
      name: data.wave.name,
      totalSignups: data.wave.totalSignups,
      durationSec: data.wave.durationSec,
      realDurationSec: data.wave.durationSec * compression,
      compression,
      peakSignupRate: data.wave.peakSignupRate,
      realPeakSignupRate: data.wave.peakSignupRate / compression,
      retention: data.wave.retention,
      baselineUsers: data.wave.baselineUsers,
      newcomerActivity: { ...data.wave.newcomerActivity },
      streamingShare: data.wave.streamingShare,
    },
    sizing: {
      webConcurrency: data.sizing.webConcurrency,
      maxThreads: data.sizing.maxThreads,
      sidekiqConcurrency: data.sizing.sidekiqConcurrency,
      sidekiqProcesses: data.sizing.sidekiqProcesses ?? 1,
      dbPool: data.sizing.dbPool ?? null,
      streamingProcesses: data.sizing.streamingProcesses ?? 1,
    },
    slos: sloEvaluation,
    breakingPoint,
    bottleneck,
    scalability,
    interference,
    projection,
    verdict: writeVerdict({ target, sizing: data.sizing, slos: sloEvaluation, breakingPoint, bottleneck, projection, interference: interference.warning, partialReason }),
    partial: partialReason !== null,
    partialReason,
  };
  return report;
}

/** A stand-in is always labelled as one, whatever the collector called it. */
function labelTarget(t: Target): Target {
  const label = t.label.trim();
  if (t.kind !== 'standin') return { kind: t.kind, label: label || t.kind };
  return { kind: 'standin', label: /stand-in/i.test(label) ? label : label ? `stand-in (${label})` : 'stand-in' };
}

/** Validates a report.json read from disk; throws a one-line ReportConfigError. */
export function parseReport(data: unknown, source = 'report.json'): Report {
  return parseConfig(reportSchema, data, source);
}
