// Turning a rate curve into k6 `ramping-arrival-rate` stages. k6 makes the
// rate piecewise-linear between stage targets and starts iteration n when the
// rate's integral reaches n, so what matters is that the area under the
// polyline matches the curve's area — otherwise a rehearsal sends more or
// fewer signups than the wave it claims to replay.
//
// Method: the curve is cut into intervals at knots (uniform grid plus the
// curve's kinks). At each knot the target is the true rate; each interval is
// split in two stages and the target at its midpoint is solved so the
// interval's area equals the curve's exact area there. Knots never drift from
// the curve (unlike solving knot-to-knot, which rings in a sawtooth), the
// midpoint absorbs both curvature and rounding, and any leftover from rounding
// or clamping at 0 is carried into the next interval, so the total is right
// to within the (finer) rounding of the last midpoint.
import { cumulativeSignups, signupRate } from './curve.js';
import { formatK6Duration, parseK6Duration } from './duration.js';
import { WaveError } from './errors.js';
import type { Wave } from './model.js';

export type TimeUnit = '1s' | '1m' | '1h';
export interface Stage {
  duration: string;
  target: number;
}
export interface RampingArrivalStages {
  startRate: number;
  timeUnit: TimeUnit;
  stages: Stage[];
}
export interface StageOptions {
  /** Approximate length of one k6 stage; default min(duration/120, period/24). */
  stageSeconds?: number;
  /** Upper bound on stages; default 400. */
  maxStages?: number;
  /**
   * Unit of targets. k6 reads startRate and every target as whole numbers
   * (int64: a fraction is a config error, exit 104), so the default is the
   * smallest unit in which the peak is at least 1,000 per unit, keeping the
   * integer rounding of the shape under 0.1 % of the peak.
   */
  timeUnit?: TimeUnit;
}

/** A rate curve, in events per second over [0, duration]. */
export interface RateCurve {
  duration: number;
  rate(t: number): number;
  /** Exact (or numerically converged) ∫ rate over [a, b]. */
  area(a: number, b: number): number;
  /** Times where the rate has a kink; made stage boundaries. */
  kinks?: number[];
  /** A periodic swing the default stage length must resolve. */
  period?: number;
}

const UNIT_SECONDS: Record<TimeUnit, number> = { '1s': 1, '1m': 60, '1h': 3600 };
const DEFAULT_MAX_STAGES = 400;
// Whole numbers, as k6's config decoder demands; the carried remainder keeps
// the total exact to within half an iteration of the last stage.
const whole = (v: number) => Math.round(v);
function checkOptions(opts: StageOptions): void {
  const { stageSeconds, maxStages, timeUnit } = opts;
  if (stageSeconds !== undefined && !(Number.isFinite(stageSeconds) && stageSeconds > 0)) {
    throw new WaveError(`stageSeconds must be a positive number of seconds (got ${String(stageSeconds)})`);
  }
  if (maxStages !== undefined && !(Number.isInteger(maxStages) && maxStages >= 4)) {
    throw new WaveError(`maxStages must be a whole number, 4 or more (got ${String(maxStages)})`);
  }
  if (timeUnit !== undefined && !(timeUnit in UNIT_SECONDS)) {
    throw new WaveError(`timeUnit must be '1s', '1m' or '1h' (got ${String(timeUnit)})`);
  }
}

/** Knots in whole milliseconds, because k6 stage durations are what we integrate. */
function knotsMs(curve: RateCurve, opts: StageOptions): number[] {
  const totalMs = Math.round(curve.duration * 1000);
  if (totalMs < 1) throw new WaveError(`wave duration must be at least 1 ms to make stages (got ${curve.duration} s)`);
  const kinks = (curve.kinks ?? []).map((k) => Math.round(k * 1000)).filter((k) => k > 0 && k < totalMs);
  const stageSeconds = opts.stageSeconds ?? Math.min(curve.duration / 120, (curve.period ?? Infinity) / 24);
  const maxIntervals = Math.max(1, Math.floor((opts.maxStages ?? DEFAULT_MAX_STAGES) / 2) - kinks.length);
  const intervals = Math.max(1, Math.min(Math.ceil(curve.duration / (2 * stageSeconds)), maxIntervals));
  const set = new Set<number>([0, totalMs, ...kinks]);
  for (let j = 1; j < intervals; j++) set.add(Math.round((j * totalMs) / intervals));
  return [...set].sort((a, b) => a - b);
}

function autoUnit(curve: RateCurve): TimeUnit {
  let peak = 0;
  const n = 2000;
  for (let i = 0; i <= n; i++) peak = Math.max(peak, curve.rate((curve.duration * i) / n));
  if (peak >= 1000) return '1s';
  if (peak * 60 >= 1000) return '1m';
  return '1h';
}

/** Stages whose piecewise-linear integral equals the curve's integral over [0, duration]. */
export function rateToStages(curve: RateCurve, opts: StageOptions = {}): RampingArrivalStages {
  checkOptions(opts);
  const timeUnit = opts.timeUnit ?? autoUnit(curve);
  const u = UNIT_SECONDS[timeUnit];
  const knots = knotsMs(curve, opts);
  const last = knots[knots.length - 1]!;
  // The final knot is the exact duration so the areas telescope to the exact total.
  const sec = (ms: number) => (ms === last ? curve.duration : ms / 1000);
  const target = (t: number) => Math.max(0, whole(curve.rate(t) * u));

  const startRate = target(0);
  const stages: Stage[] = [];
  let y0 = startRate;
  let carry = 0;
  for (let i = 1; i < knots.length; i++) {
    const a = knots[i - 1]!;
    const b = knots[i]!;
    const want = curve.area(sec(a), sec(b)) + carry;
    const round = whole;
    let realized: number;
    if (b - a >= 2) {
      const m = a + Math.floor((b - a) / 2);
      const h1 = (m - a) / 1000;
      const h2 = (b - m) / 1000;
      const yb = target(sec(b));
      const ym = Math.max(0, round((2 * want * u - h1 * y0 - h2 * yb) / (h1 + h2)));
      realized = (h1 * (y0 + ym) + h2 * (ym + yb)) / (2 * u);
      stages.push({ duration: formatK6Duration(m - a), target: ym }, { duration: formatK6Duration(b - m), target: yb });
      y0 = yb;
    } else {
      // A 1 ms interval cannot be split; solve its end target instead.
      const h = (b - a) / 1000;
      const yb = Math.max(0, round((2 * want * u) / h - y0));
      realized = (h * (y0 + yb)) / (2 * u);
      stages.push({ duration: formatK6Duration(b - a), target: yb });
      y0 = yb;
    }
    carry = want - realized;
  }
  return { startRate, timeUnit, stages };
}

/** Signup stages for the wave's `ramping-arrival-rate` scenario (one iteration = one signup). */
export function toRampingArrivalStages(wave: Wave, opts: StageOptions = {}): RampingArrivalStages {
  return rateToStages(
    {
      duration: wave.duration,
      rate: (t) => signupRate(wave, t),
      area: (a, b) => cumulativeSignups(wave, b) - cumulativeSignups(wave, a),
      kinks: [wave.signups.peakAt],
      period: wave.diurnal.amplitude > 0 ? wave.diurnal.period : undefined,
    },
    opts,
  );
}

/** Iterations k6 will start: the area under the piecewise-linear rate from startRate through the targets. */
export function stagesIntegral(stages: readonly Stage[], startRate: number, timeUnit: TimeUnit | string = '1s'): number {
  const unit = parseK6Duration(timeUnit);
  if (!(unit > 0)) throw new WaveError(`timeUnit must be a k6 duration like '1s' (got ${timeUnit})`);
  let prev = startRate;
  let total = 0;
  for (const s of stages) {
    const d = parseK6Duration(s.duration);
    if (!Number.isFinite(d)) throw new WaveError(`stage duration must be a k6 duration like '30s' (got ${s.duration})`);
    total += (d * (prev + s.target)) / 2;
    prev = s.target;
  }
  return total / unit;
}

/**
 * VUs for an arrival-rate executor by Little's law (concurrency = rate × time
 * in system). preAllocatedVUs carries the expected peak with 20 % headroom;
 * maxVUs lets iterations slow to 4× before k6 starts dropping them, which is
 * what a struggling server does in a surge. Each drop beyond that is a
 * `dropped_iterations` sample, not a retry.
 */
export function suggestVUs(peakRatePerSecond: number, expectedIterationSeconds: number): { preAllocatedVUs: number; maxVUs: number } {
  for (const [name, v] of [['peakRatePerSecond', peakRatePerSecond], ['expectedIterationSeconds', expectedIterationSeconds]] as const) {
    if (!(Number.isFinite(v) && v > 0)) throw new WaveError(`${name} must be a positive number (got ${String(v)})`);
  }
  const concurrency = peakRatePerSecond * expectedIterationSeconds;
  const preAllocatedVUs = Math.max(1, Math.ceil(concurrency * 1.2));
  return { preAllocatedVUs, maxVUs: Math.max(2 * preAllocatedVUs, Math.ceil(concurrency * 4)) };
}
