// Turning a rate curve into k6 `ramping-arrival-rate` stages. k6 makes the
// rate piecewise-linear between stage targets and starts iteration n when the
// rate's integral reaches n, so what matters is that the area under the
// polyline matches the curve's area — otherwise a rehearsal sends more or
// fewer signups than the wave it claims to replay.
//
// Whole numbers: k6 decodes `startRate`, every stage `target` (and
// constant-arrival-rate's `rate`) as int64, so a fractional value is not
// rounded but refused — `k6 run` exits 104 with "json: cannot unmarshal
// number 0.03816 into Go value of type int64". Every target here is a whole
// number per `timeUnit`, and the unit carries the precision: by default the
// smallest of 1s/1m/1h in which the peak is ≥ 1,000 per unit, so rounding
// bends the shape by under 0.1 % of the peak (a slow wave goes per hour, a
// surge per second). An explicit finer unit is honoured while the peak is
// still ≥ 100 per unit and refused with a WaveError below that (0.8/s in '1s'
// would be a staircase of 0s and 1s); a coarser one is always honoured.
//
// Method: the curve is cut into intervals at knots (uniform grid plus the
// curve's kinks). At each knot the target is the true rate, rounded; each
// interval is split in two stages and the whole-number target at its midpoint
// is solved so the interval's area matches the curve's exact area there.
// Knots never drift from the curve (unlike solving knot-to-knot, which rings
// in a sawtooth), the midpoint absorbs curvature, and what rounding or
// clamping at 0 leaves over is carried into the next interval. Only the last
// interval's rounding would remain — up to length/(4·unit) iterations, i.e.
// hundreds for a 20-minute interval in '1s' — so the grid ends in a tail of
// intervals shrinking ×1/4 down to ≤ 2 units long, each absorbing the one
// before it with a target at most 2 units off. The total is then within one
// iteration of the curve's (k6 starts whole iterations anyway), for any curve
// whose stages fit in maxStages.
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
   * integer rounding of the shape under 0.1 % of the peak. A finer unit is
   * accepted while the peak is ≥ 100 per unit, else a WaveError.
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
// Whole numbers, as k6's config decoder demands; the carried remainder and the
// shrinking tail keep the total within one iteration.
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

// Each tail interval is this many times shorter than the one before it.
const TAIL_RATIO = 4;

/** Tail knots that shrink an interval of `lengthMs` ending at `endMs` down to `finalMs` or less. */
function tailKnots(endMs: number, lengthMs: number, finalMs: number): number[] {
  const out: number[] = [];
  for (let len = lengthMs / TAIL_RATIO; len * TAIL_RATIO > finalMs && len >= 2; len /= TAIL_RATIO) out.push(Math.round(endMs - len));
  return out;
}

/**
 * Knots in whole milliseconds, because k6 stage durations are what we
 * integrate. `unitSeconds` sizes the tail: rounding the last interval's
 * midpoint target to a whole number moves its area by up to
 * length / (4·unit) iterations, so the final interval is at most 2 units
 * long, and the intervals before it shrink geometrically (×1/4) from the
 * grid's, each absorbing its predecessor's rounding with a target at most
 * 2 units off the exact one.
 */
function knotsMs(curve: RateCurve, opts: StageOptions, unitSeconds: number): number[] {
  const totalMs = Math.round(curve.duration * 1000);
  if (totalMs < 1) throw new WaveError(`wave duration must be at least 1 ms to make stages (got ${curve.duration} s)`);
  const kinks = (curve.kinks ?? []).map((k) => Math.round(k * 1000)).filter((k) => k > 0 && k < totalMs);
  const stageSeconds = opts.stageSeconds ?? Math.min(curve.duration / 120, (curve.period ?? Infinity) / 24);
  const budget = Math.max(1, Math.floor((opts.maxStages ?? DEFAULT_MAX_STAGES) / 2) - kinks.length);
  const finalMs = 2000 * unitSeconds;
  const tailFor = (intervalMs: number) => tailKnots(totalMs, intervalMs, finalMs).length;
  let intervals = Math.max(1, Math.min(Math.ceil(curve.duration / (2 * stageSeconds)), budget));
  // Make room for the tail within maxStages: fewer, longer grid intervals.
  while (intervals > 1 && intervals + tailFor(totalMs / intervals) > budget) {
    intervals = Math.max(1, Math.min(intervals - 1, budget - tailFor(totalMs / intervals)));
  }
  const set = new Set<number>([0, totalMs, ...kinks]);
  for (let j = 1; j < intervals; j++) set.add(Math.round((j * totalMs) / intervals));
  const lastGrid = Math.max(...[...set].filter((k) => k < totalMs));
  // A tiny maxStages may leave no room for all of it; the total is then only as exact as the last interval allows.
  const room = Math.max(0, budget - intervals);
  for (const k of tailKnots(totalMs, totalMs - lastGrid, finalMs).slice(0, room)) if (k > lastGrid && k < totalMs) set.add(k);
  return [...set].sort((a, b) => a - b);
}

// An explicit unit finer than the default must still give the peak this many
// whole steps, so rounding moves the shape by at most 0.5 % of the peak.
const MIN_EXPLICIT_PEAK = 100;
const UNITS: TimeUnit[] = ['1s', '1m', '1h'];

function samplePeak(curve: RateCurve): number {
  let peak = 0;
  const n = 2000;
  for (let i = 0; i <= n; i++) peak = Math.max(peak, curve.rate((curve.duration * i) / n));
  for (const k of curve.kinks ?? []) if (k >= 0 && k <= curve.duration) peak = Math.max(peak, curve.rate(k));
  return peak;
}

/**
 * The default is the smallest unit in which the peak is ≥ 1,000 per unit
 * ('1h' when none is). An explicit unit is used when it is that one or
 * coarser, or still gives the peak ≥ 100 whole steps; a finer one would turn
 * the curve into a staircase of a few values (0.8/s in '1s' is all 0s and 1s),
 * so it is refused with a WaveError rather than silently replaced.
 */
function chooseUnit(curve: RateCurve, asked: TimeUnit | undefined): TimeUnit {
  const peak = samplePeak(curve);
  const auto = UNITS.find((unit) => peak * UNIT_SECONDS[unit] >= 1000) ?? '1h';
  if (asked === undefined) return auto;
  if (UNIT_SECONDS[asked] >= UNIT_SECONDS[auto] || peak * UNIT_SECONDS[asked] >= MIN_EXPLICIT_PEAK) return asked;
  const per = asked === '1s' ? 'second' : 'minute';
  throw new WaveError(
    `timeUnit '${asked}' is too fine for this curve: k6 takes whole-number rates and its peak of ${Number(peak.toPrecision(3))}/s ` +
      `is only ${Math.round(peak * UNIT_SECONDS[asked])} per ${per}; use '${auto}' (the default, leave timeUnit unset) or coarser`,
  );
}

/** Stages whose piecewise-linear integral equals the curve's integral over [0, duration]. */
export function rateToStages(curve: RateCurve, opts: StageOptions = {}): RampingArrivalStages {
  checkOptions(opts);
  const timeUnit = chooseUnit(curve, opts.timeUnit);
  const u = UNIT_SECONDS[timeUnit];
  const knots = knotsMs(curve, opts, u);
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
 * A constant rate as k6's `constant-arrival-rate` needs it: a whole `rate`
 * per `timeUnit` (int64, like the stage targets). The smallest unit in which
 * the rate is exactly whole (2.5/s → 150 per 1m), else the default rule (the
 * smallest unit with ≥ 1,000 per unit, or '1h', rounded).
 */
export function wholeRate(perSecond: number): { rate: number; timeUnit: TimeUnit } {
  if (!(Number.isFinite(perSecond) && perSecond > 0)) throw new WaveError(`rate must be a positive number per second (got ${String(perSecond)})`);
  for (const timeUnit of UNITS) {
    const v = perSecond * UNIT_SECONDS[timeUnit];
    if (v >= 1 && Math.abs(v - Math.round(v)) <= 1e-9 * v) return { rate: Math.round(v), timeUnit };
  }
  const timeUnit = UNITS.find((unit) => perSecond * UNIT_SECONDS[unit] >= 1000) ?? '1h';
  return { rate: Math.max(1, Math.round(perSecond * UNIT_SECONDS[timeUnit])), timeUnit };
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
