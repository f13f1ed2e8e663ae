// Shared fixtures for the wave tests: an independent integrator, so the
// curve's own Simpson table is never checked against itself.
import { signupRate } from '../../scenarios/waves/curve.js';
import type { Wave } from '../../scenarios/waves/model.js';

/** ∫ signupRate over [0, duration] by a fine trapezoid rule that also samples peakAt. */
export function trapezoidTotal(wave: Wave, steps = 200_000): number {
  const tp = wave.signups.peakAt;
  const d = wave.duration;
  const pieces: Array<[number, number]> = tp > 0 && tp < d ? [[0, tp], [tp, d]] : [[0, d]];
  let sum = 0;
  for (const [a, b] of pieces) {
    const n = Math.max(2, Math.round((steps * (b - a)) / d));
    const h = (b - a) / n;
    for (let i = 0; i < n; i++) sum += ((signupRate(wave, a + i * h) + signupRate(wave, a + (i + 1) * h)) * h) / 2;
  }
  return sum;
}
