import type { RunSeries as ExportedSeries } from '../../infra/metrics/series-json.js';
import { getWave, isBuiltinWave } from '../../scenarios/waves/builtin.js';
import type { RunData, RunSeries, Series } from '../model/types.js';
import type { RunMeta } from './run-folder.js';

// series.json + run.json → the model's RunData: times become seconds since the
// run started and NaN samples (an empty rate window) are dropped.

// One signup: app, token, account, mail poll(s), confirmation, verify_credentials.
const REQUESTS_PER_SIGNUP = 5;

export function toRunData(meta: RunMeta, exported: ExportedSeries): RunData {
  const t0 = Date.parse(meta.startedAt) / 1000;
  const series = {} as RunSeries;
  for (const q of exported.queries) {
    const list: Series[] = q.result.map((r) => ({
      name: q.name,
      labels: r.metric,
      points: r.values.filter(([, v]) => Number.isFinite(v)).map(([t, v]) => [t - t0, v] as [number, number]),
    }));
    (series as unknown as Record<string, Series[]>)[q.name] = list;
  }
  series.offeredRate ??= [];
  series.throughput ??= [];
  series.latencyP95 ??= [];
  series.errorRate ??= [];
  const wave = isBuiltinWave(meta.wave.name) ? getWave(meta.wave.name) : undefined;
  return {
    target: meta.target,
    rateUnit: 'signups/s',
    requestsPerArrival: REQUESTS_PER_SIGNUP,
    phases: meta.phases.map((p) => ({
      name: p.name,
      kind: p.name,
      startSec: p.startSec,
      endSec: p.endSec,
      ...(p.kind === 'stepped' || p.kind === 'ramping' ? { shape: p.kind } : {}),
    })),
    sizing: {
      webConcurrency: meta.sizing.webConcurrency,
      maxThreads: meta.sizing.maxThreads,
      sidekiqConcurrency: meta.sizing.sidekiqConcurrency,
      ...(meta.sizing.dbPool !== null ? { dbPool: meta.sizing.dbPool } : {}),
    },
    limits: meta.limits,
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
  };
}
