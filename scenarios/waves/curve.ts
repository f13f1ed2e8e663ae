// The signup curve r(t): envelope (power-law front, exponential decay) times a
// daily sinusoid, scaled so ∫₀^duration r = total. Normalisation is numerical
// because the product of a cosine with the front/decay has no tidy closed form.
import type { Wave } from './model.js';
import { simpson } from './numeric.js';

// Fine enough that a 30-day wave with a 24 h swing has ~14 panels per hour;
// Simpson's error at that resolution is far below one signup.
const PANELS = 20_000;

/** Un-normalised shape: 0 ≤ shape ≤ 1 + amplitude. */
export function signupShape(wave: Wave, t: number): number {
  const { peakAt, decay, riseExponent } = wave.signups;
  const envelope = t < peakAt ? (t / peakAt) ** riseExponent : Math.exp(-(t - peakAt) / decay);
  return envelope * diurnalFactor(wave, t);
}

/** The daily swing, mean 1 over a whole period; activity uses it too (people sleep). */
export function diurnalFactor(wave: Wave, t: number): number {
  const { amplitude, phase, period } = wave.diurnal;
  return 1 + amplitude * Math.cos((2 * Math.PI * (t - phase)) / period);
}

interface Table {
  knots: number[]; // panel edges; peakAt is one of them so no panel straddles the kink
  area: number[]; // ∫ shape from 0 to knots[i]
  scale: number; // total / ∫₀^duration shape
}

// Waves are treated as immutable values (compress/scale return new objects),
// so caching the integration table per object is safe and keeps stage
// generation, which asks for hundreds of cumulative values, fast.
const tables = new WeakMap<Wave, Table>();

function table(wave: Wave): Table {
  const cached = tables.get(wave);
  if (cached) return cached;
  const d = wave.duration;
  const tp = Math.min(Math.max(wave.signups.peakAt, 0), d);
  const front = tp > 0 ? Math.max(1, Math.round((PANELS * tp) / d)) : 0;
  const tail = tp < d ? Math.max(1, PANELS - front) : 0;
  const knots: number[] = [0];
  for (let i = 1; i <= front; i++) knots.push((tp * i) / front);
  for (let i = 1; i <= tail; i++) knots.push(tp + ((d - tp) * i) / tail);
  knots[knots.length - 1] = d;
  const f = (t: number) => signupShape(wave, t);
  const area: number[] = [0];
  for (let i = 1; i < knots.length; i++) area.push(area[i - 1]! + simpson(f, knots[i - 1]!, knots[i]!, 2));
  const whole = area[area.length - 1]!;
  if (!(whole > 0)) throw new RangeError(`wave ${wave.name}: the signup curve has no area; check diurnal.amplitude and signups`);
  const built = { knots, area, scale: wave.signups.total / whole };
  tables.set(wave, built);
  return built;
}

/** Signups per second at t (seconds from the wave's start); 0 outside [0, duration]. */
export function signupRate(wave: Wave, t: number): number {
  if (!(t >= 0 && t <= wave.duration)) return 0;
  return table(wave).scale * signupShape(wave, t);
}

/** Signups in [0, t]; equals total exactly at t = duration. */
export function cumulativeSignups(wave: Wave, t: number): number {
  if (!(t > 0)) return 0;
  if (t >= wave.duration) return wave.signups.total;
  const { knots, area, scale } = table(wave);
  let lo = 0;
  let hi = knots.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (knots[mid]! <= t) lo = mid;
    else hi = mid;
  }
  const partial = simpson((x) => signupShape(wave, x), knots[lo]!, t, 2);
  return Math.min(wave.signups.total, scale * (area[lo]! + partial));
}

/** Highest signups per second. */
export function peakRate(wave: Wave): number {
  return findPeak(wave).rate;
}

/** Highest signups per second, and when (seconds from start). */
export function findPeak(wave: Wave): { rate: number; at: number } {
  // The envelope peaks at peakAt but the daily swing can move the maximum, so
  // scan coarsely, then refine around the best sample by golden-section search.
  const d = wave.duration;
  const samples = 4000;
  let best = 0;
  let bestRate = -1;
  for (let i = 0; i <= samples; i++) {
    const t = (d * i) / samples;
    const r = signupRate(wave, t);
    if (r > bestRate) [best, bestRate] = [t, r];
  }
  const candidates = [best, Math.min(Math.max(wave.signups.peakAt, 0), d)];
  let lo = Math.max(0, best - d / samples);
  let hi = Math.min(d, best + d / samples);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 60; i++) {
    const a = hi - g * (hi - lo);
    const b = lo + g * (hi - lo);
    if (signupRate(wave, a) >= signupRate(wave, b)) hi = b;
    else lo = a;
  }
  candidates.push((lo + hi) / 2);
  let at = best;
  for (const t of candidates) if (signupRate(wave, t) > signupRate(wave, at)) at = t;
  return { rate: signupRate(wave, at), at };
}

/** Mean signups per second over the whole wave. */
export function averageRate(wave: Wave): number {
  return wave.signups.total / wave.duration;
}
