import { describe, expect, it } from 'vitest';
import { activityRate } from '../../scenarios/waves/activity.js';
import { getWave, listWaves } from '../../scenarios/waves/builtin.js';
import { cumulativeSignups, peakRate, signupRate } from '../../scenarios/waves/curve.js';
import { WaveError } from '../../scenarios/waves/errors.js';
import { compress, scale } from '../../scenarios/waves/transform.js';
import { trapezoidTotal } from './helpers.js';

describe('compress', () => {
  for (const name of listWaves()) {
    it(`${name}: keeps the total, divides the duration, multiplies the rates`, () => {
      const w = getWave(name);
      for (const f of [144, 1440, 0.5]) {
        const c = compress(w, f);
        expect(c.signups.total).toBe(w.signups.total);
        expect(c.duration).toBeCloseTo(w.duration / f, 9);
        expect(trapezoidTotal(c) / w.signups.total).toBeCloseTo(1, 6);
        expect(peakRate(c) / peakRate(w)).toBeCloseTo(f, 3);
        for (const t of [0.1, 0.37, 0.5, 0.93].map((x) => x * w.duration)) {
          expect(signupRate(c, t / f) / f).toBeCloseTo(signupRate(w, t), 6);
          expect(cumulativeSignups(c, t / f)).toBeCloseTo(cumulativeSignups(w, t), 3);
          expect(activityRate(c, t / f) / f).toBeCloseTo(activityRate(w, t), 6);
        }
        expect(c.compression).toBe(w.compression * f);
      }
    });
  }

  it('a day in 10 minutes is factor 144', () => {
    expect(compress(getWave('exodus-day-one'), 144).duration).toBe(600);
  });

  it('rejects non-positive and non-finite factors with a clear error', () => {
    const w = getWave('peak-hour');
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => compress(w, bad)).toThrow(WaveError);
      expect(() => compress(w, bad)).toThrow(/compress factor must be a finite number greater than 0/);
      expect(() => scale(w, bad)).toThrow(/scale factor must be a finite number greater than 0/);
    }
  });

  it('does not touch the original wave', () => {
    const w = getWave('mas-to-steady');
    const before = JSON.stringify(w);
    compress(scale(w, 3), 144);
    expect(JSON.stringify(w)).toBe(before);
  });
});

describe('scale', () => {
  it('multiplies the total, existing users and every rate by x', () => {
    const w = getWave('mas-to-steady');
    const s = scale(w, 2.5);
    expect(s.signups.total).toBe(w.signups.total * 2.5);
    expect(s.baseline?.users).toBe(100_000);
    expect(s.duration).toBe(w.duration);
    for (const t of [0, 3600, 40_000]) {
      expect(signupRate(s, t)).toBeCloseTo(2.5 * signupRate(w, t), 9);
      expect(activityRate(s, t)).toBeCloseTo(2.5 * activityRate(w, t), 6);
    }
    expect(trapezoidTotal(s) / s.signups.total).toBeCloseTo(1, 6);
  });
});
