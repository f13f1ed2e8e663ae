// What the people of a wave do once they are in. Surge write-ups agree the load
// came from newcomers' activity rather than from signups, so this is the
// second scenario to replay: active newcomers (and, optionally, the existing
// users) times their per-hour habits, swinging with the day.
import { cumulativeSignups, diurnalFactor } from './curve.js';
import { ENDPOINTS, type Endpoint } from './activity-defaults.js';
import type { Wave } from './model.js';
import { simpson } from './numeric.js';
import { rateToStages, type RampingArrivalStages, type StageOptions } from './stages.js';

/**
 * Share of newcomers still active at t: 1 at the start, falling geometrically
 * to `retention` at `retentionHorizon` (the wave's end unless set) and staying
 * there. Applied to everyone who has signed up so far, not per sign-up cohort:
 * that overstates late arrivals' churn a little but keeps the curve equal to
 * the published figure at the horizon.
 */
export function retentionAt(wave: Wave, t: number): number {
  const x = Math.min(Math.max(t / wave.retentionHorizon, 0), 1);
  return wave.retention ** x;
}

/** Newcomers active at t. */
export function activeNewcomers(wave: Wave, t: number): number {
  return cumulativeSignups(wave, t) * retentionAt(wave, t);
}

export interface ActivitySnapshot {
  activeNewcomers: number;
  baselineUsers: number;
  /** Requests per second by endpoint, newcomers and baseline together. */
  rates: Record<Endpoint, number>;
  totalRate: number;
  /** Concurrent streaming connections (a count, not a rate). */
  streamingConnections: number;
}

/** Everything the activity scenario needs at time t. */
export function activityAt(wave: Wave, t: number): ActivitySnapshot {
  const inWave = t >= 0 && t <= wave.duration;
  const newcomers = inWave ? activeNewcomers(wave, t) : 0;
  const users = inWave ? (wave.baseline?.users ?? 0) : 0;
  const day = diurnalFactor(wave, t);
  const rates = {} as Record<Endpoint, number>;
  let totalRate = 0;
  for (const e of ENDPOINTS) {
    const perHour = newcomers * wave.newcomers[e] + users * (wave.baseline?.activity[e] ?? 0);
    rates[e] = (perHour * day) / 3600;
    totalRate += rates[e];
  }
  const streaming = newcomers * wave.newcomers.streamingShare + users * (wave.baseline?.activity.streamingShare ?? 0);
  return { activeNewcomers: newcomers, baselineUsers: users, rates, totalRate, streamingConnections: streaming * day };
}

/** Requests per second at t: one endpoint, or all endpoints together. */
export function activityRate(wave: Wave, t: number, endpoint?: Endpoint): number {
  const snap = activityAt(wave, t);
  return endpoint ? snap.rates[endpoint] : snap.totalRate;
}

/** Requests in [a, b]. Integrates piecewise so no panel straddles the signup peak's kink. */
export function activityRequests(wave: Wave, a: number, b: number, endpoint?: Endpoint): number {
  const lo = Math.max(0, a);
  const hi = Math.min(wave.duration, b);
  if (!(hi > lo)) return 0;
  const f = (t: number) => activityRate(wave, t, endpoint);
  const tp = wave.signups.peakAt;
  // Panels sized to the fastest feature of the curve (a quarter day, the
  // decay, the front) so one call over the whole wave is as exact as many
  // short ones; Simpson needs only a handful per feature.
  const feature = Math.min(wave.diurnal.period / 4, wave.signups.decay, tp > 0 ? tp : Infinity);
  const panels = Math.min(20_000, Math.max(16, 2 * Math.ceil((8 * (hi - lo)) / feature)));
  if (tp > lo && tp < hi) return simpson(f, lo, tp, panels) + simpson(f, tp, hi, panels);
  return simpson(f, lo, hi, panels);
}

/**
 * Stages for the newcomer-activity scenario: one iteration = one request,
 * for one endpoint or (default) all of them, the script choosing the endpoint
 * in proportion to `activityAt(...).rates`.
 */
export function activityStages(wave: Wave, opts: StageOptions & { endpoint?: Endpoint } = {}): RampingArrivalStages {
  const { endpoint, ...stageOpts } = opts;
  return rateToStages(
    {
      duration: wave.duration,
      rate: (t) => activityRate(wave, t, endpoint),
      area: (a, b) => activityRequests(wave, a, b, endpoint),
      kinks: [wave.signups.peakAt],
      period: wave.diurnal.amplitude > 0 ? wave.diurnal.period : undefined,
    },
    stageOpts,
  );
}
