import type { RunSeries as ExportedSeries } from '../../infra/metrics/series-json.js';
import { getWave, isBuiltinWave } from '../../scenarios/waves/builtin.js';
import type { RunData, RunSeries, Series } from '../model/types.js';
import { MODEL_SERIES, RATE_WINDOW_SEC, type ExtraSeriesName } from './queries.js';
import type { RunMeta } from './run-folder.js';

// series.json + run.json (+ the runner's end-of-phase summaries) → the model's
// RunData: times become seconds since the run started and NaN samples (an
// empty rate window) are dropped. Pure.

/** k6's handleSummary data, as far as the report reads it. */
export interface SummaryData {
  metrics: Record<string, { type?: string; contains?: string; values: Record<string, number> }>;
  [key: string]: unknown;
}

// One signup: app, token, account, confirmation, verify_credentials (mail polls go to the mail sink).
export const REQUESTS_PER_SIGNUP = 5;

function seriesOf(meta: RunMeta, exported: ExportedSeries, keep: (name: string) => boolean): Record<string, Series[]> {
  const t0 = Date.parse(meta.startedAt) / 1000;
  const out: Record<string, Series[]> = {};
  for (const q of exported.queries) {
    if (!keep(q.name)) continue;
    out[q.name] = q.result.map((r) => ({
      name: q.name,
      labels: r.metric,
      points: r.values.filter(([, v]) => Number.isFinite(v)).map(([t, v]) => [t - t0, v] as [number, number]),
    }));
  }
  return out;
}

/** The series the report shows but the model does not read (see queries.ts), by name. */
export function extraSeries(meta: RunMeta, exported: ExportedSeries): Partial<Record<ExtraSeriesName, Series[]>> {
  return seriesOf(meta, exported, (n) => !MODEL_SERIES.has(n));
}

const area = (list: Series[] | undefined) => (list ?? []).reduce((a, s) => a + s.points.reduce((b, [, v]) => b + v, 0), 0);

/**
 * HTTP requests the web answered per completed signup, from the series (same
 * step, so sums stand for integrals); undefined when too few signups finished
 * to say. The runner's own request count would also hold its mail-sink polls.
 */
export function measuredRequestsPerArrival(
  series: Pick<RunSeries, 'requestRate' | 'throughput'>,
  exclude: readonly { startSec: number; endSec: number }[] = [],
): number | undefined {
  // The activity phase's requests are not signups' (and it starts no signups).
  const keep = (list: Series[] | undefined) =>
    (list ?? []).map((x) => ({ ...x, points: x.points.filter(([t]) => !exclude.some((p) => t >= p.startSec && t <= p.endSec)) }));
  const done = area(keep(series.throughput));
  const reqs = area(keep(series.requestRate));
  if (done < 10 || reqs <= 0) return undefined;
  return Math.min(20, Math.max(1, reqs / done));
}

export function toRunData(meta: RunMeta, exported: ExportedSeries, summaries: Record<string, SummaryData> = {}): RunData {
  const series = seriesOf(meta, exported, (n) => MODEL_SERIES.has(n)) as unknown as RunSeries;
  series.offeredRate ??= [];
  series.throughput ??= [];
  series.latencyP95 ??= [];
  series.errorRate ??= [];
  // End-to-end signup time exists only as the runner's trend, which is cumulative:
  // the wave's summary gives one p95 for the whole wave, drawn across it.
  const wavePhase = meta.phases.find((p) => p.name === 'wave');
  const signupP95Ms = summaries.wave?.metrics.signup_duration?.values['p(95)'];
  if (!series.signupLatencyP95?.length && wavePhase && signupP95Ms !== undefined && Number.isFinite(signupP95Ms)) {
    const v = signupP95Ms / 1000;
    series.signupLatencyP95 = [{ name: 'signupLatencyP95', labels: { source: 'summary-wave' }, points: [[wavePhase.startSec, v], [wavePhase.endSec, v]] }];
  }
  const extra = extraSeries(meta, exported);
  const pgMax = extra.pgMaxConnections?.[0]?.points.at(-1)?.[1];
  const wave = isBuiltinWave(meta.wave.name) ? getWave(meta.wave.name) : undefined;
  return {
    target: meta.target,
    rateUnit: 'signups/s',
    requestsPerArrival: measuredRequestsPerArrival(series, meta.phases.filter((p) => p.kind === 'activity')) ?? REQUESTS_PER_SIGNUP,
    phases: meta.phases.map((p) => ({
      name: p.name,
      kind: p.name,
      startSec: p.startSec,
      endSec: p.endSec,
      ...(p.kind === 'stepped' || p.kind === 'ramping' ? { shape: p.kind } : {}),
      ...(p.steps?.length ? { steps: p.steps } : {}),
      ...(p.neighbourCpuShare !== undefined ? { neighbourCpuShare: p.neighbourCpuShare } : {}),
    })),
    sizing: {
      webConcurrency: meta.sizing.webConcurrency,
      maxThreads: meta.sizing.maxThreads,
      sidekiqConcurrency: meta.sizing.sidekiqConcurrency,
      ...(meta.sizing.dbPool !== null ? { dbPool: meta.sizing.dbPool } : {}),
    },
    // What run.json says wins; otherwise what postgres_exporter read.
    limits: { ...(pgMax !== undefined && pgMax > 0 ? { pgMaxConnections: pgMax } : {}), ...meta.limits },
    wave: {
      name: meta.wave.name,
      totalSignups: meta.wave.total,
      durationSec: meta.wave.durationSec,
      compression: meta.wave.compression,
      peakSignupRate: meta.wave.realPeakSignupRate * meta.wave.compression * meta.wave.scale,
      retention: wave?.retention ?? 0.56,
      baselineUsers: wave?.baseline?.users ?? 0,
      newcomerActivity: wave ? { ...wave.newcomers } : {},
      streamingShare: wave?.newcomers.streamingShare ?? 0.1,
    },
    series,
    interrupted: meta.partial ? { reason: meta.partialReason ?? 'interrupted' } : null,
    rateWindowSec: meta.rateWindowSec ?? RATE_WINDOW_SEC,
  };
}
