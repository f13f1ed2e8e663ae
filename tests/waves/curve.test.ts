import { describe, expect, it } from 'vitest';
import { getWave, listWaves } from '../../scenarios/waves/builtin.js';
import { averageRate, cumulativeSignups, findPeak, peakRate, signupRate } from '../../scenarios/waves/curve.js';
import { waveSchema } from '../../scenarios/waves/model.js';
import { trapezoidTotal } from './helpers.js';

const custom = waveSchema.parse({
  name: 'custom',
  duration: '3d',
  signups: { total: 12_345, peakAt: '5h', decay: '20h', riseExponent: 3 },
  diurnal: { amplitude: 1, phase: '3h' },
});

describe('signup curve', () => {
  for (const wave of [...listWaves().map(getWave), custom]) {
    it(`${wave.name}: integral of r(t) over the wave equals total`, () => {
      expect(trapezoidTotal(wave) / wave.signups.total).toBeCloseTo(1, 6);
      expect(cumulativeSignups(wave, wave.duration)).toBe(wave.signups.total);
      expect(cumulativeSignups(wave, 0)).toBe(0);
    });

    it(`${wave.name}: rates are never negative and cumulative never decreases`, () => {
      let prev = 0;
      for (let i = 0; i <= 2000; i++) {
        const t = (wave.duration * i) / 2000;
        expect(signupRate(wave, t)).toBeGreaterThanOrEqual(0);
        const c = cumulativeSignups(wave, t);
        expect(c).toBeGreaterThanOrEqual(prev - 1e-9);
        prev = c;
      }
    });

    it(`${wave.name}: peakRate bounds every sampled rate`, () => {
      const peak = peakRate(wave);
      expect(peak).toBeGreaterThanOrEqual(averageRate(wave));
      for (let i = 0; i <= 5000; i++) expect(signupRate(wave, (wave.duration * i) / 5000)).toBeLessThanOrEqual(peak * (1 + 1e-9));
    });
  }

  it('is zero outside the wave', () => {
    const w = getWave('peak-hour');
    expect(signupRate(w, -1)).toBe(0);
    expect(signupRate(w, w.duration + 1)).toBe(0);
    expect(cumulativeSignups(w, w.duration * 2)).toBe(w.signups.total);
  });

  it('interpolates cumulative signups consistently with the rate', () => {
    const w = getWave('exodus-day-one');
    const t = 5 * 3600 + 123;
    const h = 1;
    const derivative = (cumulativeSignups(w, t + h) - cumulativeSignups(w, t - h)) / (2 * h);
    expect(derivative).toBeCloseTo(signupRate(w, t), 6);
  });

  it('peak-hour averages 10,000 an hour ≈ 2.78/s', () => {
    const w = getWave('peak-hour');
    expect(averageRate(w)).toBeCloseTo(2.78, 2);
    expect(cumulativeSignups(w, 3600)).toBe(10_000);
  });

  it('exodus-day-one averages ≈ 0.81/s with a steep front: ~69 % by mid-day (49,215 of 70,849)', () => {
    const w = getWave('exodus-day-one');
    expect(Math.abs(averageRate(w) - 0.81)).toBeLessThan(0.015);
    const midDay = cumulativeSignups(w, 12 * 3600) / w.signups.total;
    expect(midDay).toBeGreaterThan(0.4);
    expect(Math.abs(midDay - 49_215 / 70_849)).toBeLessThan(0.01);
    // The peak comes early in the day, and runs well above the average.
    const { at, rate } = findPeak(w);
    expect(at).toBeLessThan(6 * 3600);
    expect(rate / averageRate(w)).toBeGreaterThan(1.5);
  });
});
