// From configuration to load: which wave, how fast, how many VUs, how big a
// cohort, and which endpoint mix when. Pure (no k6 imports) and the only place
// that runs the wave model's numerics, which are far too heavy to repeat in
// every VU's init: scenarios call these only in the planning init (see
// `isPlanningInit`) and hand VUs what they need through setup() data.
import { getWave } from '../waves/builtin.js';
import { activityAt, activityStages } from '../waves/activity.js';
import { findPeak } from '../waves/curve.js';
import { ENDPOINTS, type Endpoint } from '../waves/activity-defaults.js';
import type { Wave } from '../waves/model.js';
import { formatK6Duration } from '../waves/duration.js';
import { suggestVUs, toRampingArrivalStages, wholeRate, type RampingArrivalStages, type Stage, type TimeUnit } from '../waves/stages.js';
import { compress, scale } from '../waves/transform.js';
import { ConfigError, type WaveSelection } from './env.js';

/**
 * True in the init that k6 runs to read `options`, and in setup/teardown's
 * (`__VU` is 0 there), or when there is no `__VU` at all; false in a VU's own
 * init, where k6 discards `options` and only the consolidated ones count.
 */
export function isPlanningInit(vu: unknown): boolean {
  return typeof vu !== 'number' || vu === 0;
}

// ---------------------------------------------------------------------------
// The wave

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A Wave from JSON, as the CLI's loadWave() returns it (all defaults filled).
 * Checked by hand: the scenarios do not carry a schema library.
 */
export function parseWaveJson(json: string): Wave {
  let w: unknown;
  try {
    w = JSON.parse(json);
  } catch (err) {
    throw new ConfigError(`WAVE_JSON is not valid JSON: ${(err as Error).message}`);
  }
  const problems: string[] = [];
  const num = (obj: unknown, path: string, test: (n: number) => boolean, what: string) => {
    const parts = path.split('.');
    let v: unknown = obj;
    for (const p of parts) v = isObj(v) ? v[p] : undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || !test(v)) problems.push(`${path} must be ${what}`);
  };
  if (!isObj(w)) throw new ConfigError('WAVE_JSON must be a JSON object (a wave as loadWave returns it)');
  if (typeof w.name !== 'string' || !/^[0-9a-zA-Z_-]+$/.test(w.name)) problems.push('name must use only letters, digits, - and _');
  const pos = (n: number) => n > 0;
  const nonNeg = (n: number) => n >= 0;
  const frac = (n: number) => n >= 0 && n <= 1;
  num(w, 'duration', pos, 'a positive number of seconds');
  num(w, 'signups.total', pos, 'a positive number');
  num(w, 'signups.peakAt', nonNeg, 'seconds, 0 or more');
  num(w, 'signups.decay', pos, 'a positive number of seconds');
  num(w, 'signups.riseExponent', (n) => n >= 1 && n <= 8, 'a number from 1 to 8');
  num(w, 'diurnal.amplitude', frac, 'a fraction between 0 and 1');
  num(w, 'diurnal.phase', nonNeg, 'seconds, 0 or more');
  num(w, 'diurnal.period', pos, 'a positive number of seconds');
  num(w, 'retention', frac, 'a fraction between 0 and 1');
  num(w, 'retentionHorizon', pos, 'a positive number of seconds');
  num(w, 'compression', pos, 'a positive number');
  for (const e of ENDPOINTS) num(w, `newcomers.${e}`, nonNeg, 'requests per person per hour, 0 or more');
  num(w, 'newcomers.streamingShare', frac, 'a fraction between 0 and 1');
  if (w.baseline !== undefined) {
    num(w, 'baseline.users', nonNeg, 'a number of users, 0 or more');
    for (const e of ENDPOINTS) num(w, `baseline.activity.${e}`, nonNeg, 'requests per person per hour, 0 or more');
    num(w, 'baseline.activity.streamingShare', frac, 'a fraction between 0 and 1');
  }
  if (problems.length > 0) throw new ConfigError(`WAVE_JSON: ${problems.join('; ')}`);
  return w as unknown as Wave;
}

export interface ResolvedWave {
  wave: Wave;
  /** The compression applied here (1 = real time). */
  factor: number;
}

/** The wave to play: built-in or WAVE_JSON, then SCALE, then COMPRESS (or DURATION). */
export function resolveWave(sel: WaveSelection): ResolvedWave {
  let base: Wave;
  if (sel.json !== undefined) base = parseWaveJson(sel.json);
  else {
    try {
      base = getWave(sel.name);
    } catch (err) {
      throw new ConfigError(`WAVE: ${(err as Error).message}`);
    }
  }
  const scaled = sel.scale !== 1 ? scale(base, sel.scale) : base;
  const factor = sel.durationS !== undefined ? scaled.duration / sel.durationS : (sel.compress ?? 1);
  const wave = factor !== 1 ? compress(scaled, factor) : scaled;
  if (wave.duration < 1) {
    throw new ConfigError(`the wave would last ${wave.duration.toPrecision(3)} s after compression ×${factor.toPrecision(4)}: k6 needs at least 1 s; lower COMPRESS or raise DURATION`);
  }
  return { wave, factor };
}

// ---------------------------------------------------------------------------
// Arrival plans

export interface VuSizing {
  preAllocatedVUs: number;
  maxVUs: number;
}

export interface ArrivalPlan {
  arrival: RampingArrivalStages;
  /** Highest arrival rate the stages reach, per second. */
  peakRate: number;
  vus: VuSizing;
}

const UNIT_SECONDS: Record<TimeUnit, number> = { '1s': 1, '1m': 60, '1h': 3600 };

function peakOfStages(a: RampingArrivalStages): number {
  const unit = UNIT_SECONDS[a.timeUnit];
  return Math.max(a.startRate, ...a.stages.map((s) => s.target)) / unit;
}

function sizeVUs(peakRate: number, expectedIterationS: number, overrides: Partial<VuSizing>): VuSizing {
  const s = suggestVUs(Math.max(peakRate, 1e-6), expectedIterationS);
  const preAllocatedVUs = overrides.preAllocatedVUs ?? s.preAllocatedVUs;
  const maxVUs = Math.max(overrides.maxVUs ?? s.maxVUs, preAllocatedVUs);
  return { preAllocatedVUs, maxVUs };
}

export interface SignupPlan extends ArrivalPlan {
  wave: Wave;
  factor: number;
  /** The curve's peak (signups/s) and when (s from start). */
  peak: { rate: number; at: number };
}

export function signupPlan(
  sel: WaveSelection,
  opts: { expectedIterationS: number; preAllocatedVUs?: number | undefined; maxVUs?: number | undefined },
): SignupPlan {
  const { wave, factor } = resolveWave(sel);
  const arrival = toRampingArrivalStages(wave);
  const peakRate = peakOfStages(arrival);
  return {
    wave,
    factor,
    arrival,
    peakRate,
    peak: findPeak(wave),
    vus: sizeVUs(peakRate, opts.expectedIterationS, { preAllocatedVUs: opts.preAllocatedVUs, maxVUs: opts.maxVUs }),
  };
}

// ---------------------------------------------------------------------------
// Rates by endpoint over time, the endpoint mix, and throttle-safe cohorts

/** Per-endpoint request rates (per second) on a uniform grid t_i = i·step, i = 0…n. */
export interface RateSeries {
  step: number;
  duration: number;
  rates: Record<Endpoint, number[]>;
}

export function sampleActivity(wave: Wave, points = 2000): RateSeries {
  const n = Math.max(2, Math.floor(points));
  const step = wave.duration / n;
  const rates = Object.fromEntries(ENDPOINTS.map((e) => [e, [] as number[]])) as Record<Endpoint, number[]>;
  for (let i = 0; i <= n; i++) {
    const snap = activityAt(wave, Math.min(i * step, wave.duration));
    for (const e of ENDPOINTS) rates[e].push(snap.rates[e]);
  }
  return { step, duration: wave.duration, rates };
}

/** A constant rate on one endpoint (timeline-read). */
export function constantSeries(endpoint: Endpoint, rate: number, duration: number): RateSeries {
  const rates = Object.fromEntries(ENDPOINTS.map((e) => [e, [0, 0]])) as Record<Endpoint, number[]>;
  rates[endpoint] = [rate, rate];
  return { step: duration, duration, rates };
}

/** Most requests (weighted by endpoint) in any window of `windowS` seconds; the whole run if it is shorter. */
export function maxInWindow(series: RateSeries, weights: Partial<Record<Endpoint, number>>, windowS: number): number {
  const n = series.rates[ENDPOINTS[0]].length;
  const cum: number[] = [0];
  for (let i = 1; i < n; i++) {
    let r0 = 0;
    let r1 = 0;
    for (const e of ENDPOINTS) {
      const w = weights[e] ?? 0;
      if (w === 0) continue;
      r0 += w * series.rates[e][i - 1]!;
      r1 += w * series.rates[e][i]!;
    }
    cum.push(cum[i - 1]! + ((r0 + r1) / 2) * series.step);
  }
  const total = cum[n - 1]!;
  if (windowS >= series.duration) return total;
  const at = (t: number): number => {
    const x = Math.min(Math.max(t / series.step, 0), n - 1);
    const j = Math.min(Math.floor(x), n - 2);
    return cum[j]! + (cum[j + 1]! - cum[j]!) * (x - j);
  };
  // Windows starting at each grid point, and windows ending at each.
  let best = 0;
  for (let i = 0; i < n; i++) {
    const t = i * series.step;
    if (t + windowS <= series.duration) best = Math.max(best, at(t + windowS) - cum[i]!);
    if (t - windowS >= 0) best = Math.max(best, cum[i]! - at(t - windowS));
  }
  return best;
}

export interface ThrottleLimit {
  name: string;
  limit: number;
  windowS: number;
  /** Requests counted per request of each endpoint (paging counts only the scrolled share). */
  weights: Partial<Record<Endpoint, number>>;
}

/** The Mastodon limits one synthetic user (one token) must stay under (rack_attack.rb, rate_limiter.rb). */
export function mastodonLimits(pageProb: number): ThrottleLimit[] {
  const all = Object.fromEntries(ENDPOINTS.map((e) => [e, 1])) as Record<Endpoint, number>;
  return [
    { name: 'API requests per token (300 per 5 min)', limit: 300, windowS: 300, weights: all },
    { name: 'paging per user (300 per 15 min)', limit: 300, windowS: 900, weights: { homeTimeline: pageProb, publicTimeline: pageProb } },
    { name: 'posts per account (300 per 3 h)', limit: 300, windowS: 3 * 3600, weights: { posts: 1 } },
    { name: 'follows per account (400 per 24 h)', limit: 400, windowS: 24 * 3600, weights: { follows: 1 } },
  ];
}

export interface CohortSizing {
  /** Users needed so that, spread evenly, none crosses any limit (with the safety margin). */
  needed: number;
  /** The limit that needs the most users. */
  binding: string;
  perLimit: { name: string; maxInWindow: number; needed: number }[];
}

/** Smallest cohort that keeps every user under every limit at `safety` of it (0.8 leaves 20 % headroom). */
export function cohortSizing(series: RateSeries, limits: ThrottleLimit[], safety = 0.8): CohortSizing {
  const perLimit = limits.map((l) => {
    const most = maxInWindow(series, l.weights, l.windowS);
    return { name: l.name, maxInWindow: most, needed: Math.ceil(most / (l.limit * safety)) };
  });
  let binding = perLimit[0]!;
  for (const p of perLimit) if (p.needed > binding.needed) binding = p;
  return { needed: Math.max(1, binding.needed), binding: binding.name, perLimit };
}

/** The endpoint mix over time: row k holds the shares of ENDPOINTS at t = k·step (sums to 1). */
export interface MixTable {
  step: number;
  endpoints: Endpoint[];
  rows: number[][];
}

export function mixTable(wave: Wave, series: RateSeries, rows = 120): MixTable {
  const n = series.rates[ENDPOINTS[0]].length - 1;
  const stride = Math.max(1, Math.round(n / rows));
  // Before anyone has arrived the rates are all 0: use newcomers' own habits.
  const habits = ENDPOINTS.map((e) => wave.newcomers[e]);
  const out: number[][] = [];
  for (let i = 0; i <= n; i += stride) {
    const r = ENDPOINTS.map((e) => series.rates[e][i]!);
    const sum = r.reduce((a, b) => a + b, 0);
    const use = sum > 0 ? r : habits;
    const total = use.reduce((a, b) => a + b, 0) || 1;
    out.push(use.map((v) => Math.round((v / total) * 1e6) / 1e6));
  }
  return { step: series.step * stride, endpoints: [...ENDPOINTS], rows: out };
}

/** The endpoint for a uniform draw u ∈ [0,1) at t seconds into the run. */
export function pickEndpoint(mix: MixTable, t: number, u: number): Endpoint {
  const k = Math.min(mix.rows.length - 1, Math.max(0, Math.round(t / mix.step)));
  const row = mix.rows[k]!;
  let acc = 0;
  for (let i = 0; i < row.length; i++) {
    acc += row[i]!;
    if (u < acc) return mix.endpoints[i]!;
  }
  // Rounding left a sliver at the top: the last endpoint with any share.
  for (let i = row.length - 1; i >= 0; i--) if (row[i]! > 0) return mix.endpoints[i]!;
  return mix.endpoints[0]!;
}

export interface ActivityPlan extends ArrivalPlan {
  wave: Wave;
  factor: number;
  mix: MixTable;
  /** The cohort setup() signs up: `needed` from the limits, `size` what is used. */
  cohort: CohortSizing & { size: number; clamped: boolean };
}

export function activityPlan(
  sel: WaveSelection,
  opts: {
    expectedIterationS: number;
    pageProb: number;
    cohortSize?: number | undefined;
    cohortMax: number;
    preAllocatedVUs?: number | undefined;
    maxVUs?: number | undefined;
  },
): ActivityPlan {
  const { wave, factor } = resolveWave(sel);
  const arrival = activityStages(wave);
  const peakRate = peakOfStages(arrival);
  const series = sampleActivity(wave);
  const sizing = cohortSizing(series, mastodonLimits(opts.pageProb));
  const size = opts.cohortSize ?? Math.max(2, sizing.needed);
  if (opts.cohortSize === undefined && size > opts.cohortMax) {
    throw new ConfigError(
      `this wave needs a cohort of ${size} users so that none crosses Mastodon's limits (binding: ${sizing.binding}), above COHORT_MAX=${opts.cohortMax}: ` +
        'lower SCALE, raise COHORT_MAX, or set COHORT_SIZE to accept throttling (429s then count as failures)',
    );
  }
  return {
    wave,
    factor,
    arrival,
    peakRate,
    vus: sizeVUs(peakRate, opts.expectedIterationS, { preAllocatedVUs: opts.preAllocatedVUs, maxVUs: opts.maxVUs }),
    mix: mixTable(wave, series),
    cohort: { ...sizing, size, clamped: opts.cohortSize !== undefined && opts.cohortSize < sizing.needed },
  };
}

/** The streams the wave's active people hold open: a `ramping-vus` scenario, one VU per stream. */
export interface StreamingPlan {
  startVUs: number;
  stages: Stage[];
  /** Most concurrent streams the wave asks for, before the cap. */
  wanted: number;
  /** Most VUs the stages reach. */
  peak: number;
  capped: boolean;
}

/**
 * Concurrent streaming connections over the wave (`activityAt().streamingConnections`),
 * sampled at `points` evenly spaced times and capped at `maxStreams`; k6 ramps
 * VUs linearly between them. Undefined when the wave asks for no stream at all.
 */
export function streamingPlan(wave: Wave, maxStreams: number, points = 60): StreamingPlan | undefined {
  const at = (i: number) => activityAt(wave, (wave.duration * i) / points).streamingConnections;
  const levels = Array.from({ length: points + 1 }, (_, i) => at(i));
  const wanted = Math.max(...levels);
  const vus = levels.map((c) => Math.min(maxStreams, Math.round(c)));
  const peak = Math.max(...vus);
  if (peak === 0) return undefined;
  const stepMs = Math.max(1, Math.round((wave.duration * 1000) / points));
  return {
    startVUs: vus[0]!,
    stages: vus.slice(1).map((target) => ({ duration: formatK6Duration(stepMs), target })),
    wanted,
    peak,
    capped: wanted > maxStreams + 0.5,
  };
}

export interface TimelinePlan {
  /** Reads per second, as asked. */
  rate: number;
  /** The same rate as k6's constant-arrival-rate takes it: a whole number per timeUnit (int64; RATE=2.5 → 150 per 1m). */
  arrival: { rate: number; timeUnit: TimeUnit };
  durationS: number;
  vus: VuSizing;
  cohort: CohortSizing & { size: number; clamped: boolean };
}

export function timelinePlan(opts: {
  rate: number;
  durationS: number;
  pageProb: number;
  expectedIterationS: number;
  cohortSize?: number | undefined;
  cohortMax: number;
  preAllocatedVUs?: number | undefined;
  maxVUs?: number | undefined;
}): TimelinePlan {
  const sizing = cohortSizing(constantSeries('homeTimeline', opts.rate, opts.durationS), mastodonLimits(opts.pageProb));
  const size = opts.cohortSize ?? Math.max(2, sizing.needed);
  if (opts.cohortSize === undefined && size > opts.cohortMax) {
    throw new ConfigError(
      `RATE=${opts.rate}/s needs a cohort of ${size} readers to stay under Mastodon's limits (binding: ${sizing.binding}), above COHORT_MAX=${opts.cohortMax}: ` +
        'lower RATE, raise COHORT_MAX, or set COHORT_SIZE to accept throttling',
    );
  }
  return {
    rate: opts.rate,
    arrival: wholeRate(opts.rate),
    durationS: opts.durationS,
    vus: sizeVUs(opts.rate, opts.expectedIterationS, { preAllocatedVUs: opts.preAllocatedVUs, maxVUs: opts.maxVUs }),
    cohort: { ...sizing, size, clamped: opts.cohortSize !== undefined && opts.cohortSize < sizing.needed },
  };
}

/** setup()'s time budget for signing up `users` newcomers `concurrency` at a time (each ≈ a few seconds with mail). */
export function setupTimeoutS(users: number, concurrency: number, extraPerUserS = 0): number {
  return Math.ceil(60 + (Math.ceil(users / concurrency) * (6 + extraPerUserS)));
}
