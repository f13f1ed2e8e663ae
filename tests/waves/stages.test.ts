import { describe, expect, it } from 'vitest';
import { getWave, listWaves } from '../../scenarios/waves/builtin.js';
import { peakRate, signupRate } from '../../scenarios/waves/curve.js';
import { formatK6Duration, parseK6Duration } from '../../scenarios/waves/duration.js';
import { WaveError } from '../../scenarios/waves/errors.js';
import {
  rateToStages,
  stagesIntegral,
  suggestVUs,
  toRampingArrivalStages,
  type RampingArrivalStages,
  type RateCurve,
  type StageOptions,
  type TimeUnit,
} from '../../scenarios/waves/stages.js';
import { compress, scale } from '../../scenarios/waves/transform.js';

// k6 decodes startRate and every target as int64 and starts whole iterations,
// so each stage set must be whole numbers whose area is the total to within
// one iteration; a wrong area, or a fraction, fails by much more.
const TOLERANCE = 1;
const UNIT: Record<TimeUnit, number> = { '1s': 1, '1m': 60, '1h': 3600 };

function expectWholeAndExact(s: RampingArrivalStages, total: number, duration: number): void {
  expect(Number.isSafeInteger(s.startRate) && s.startRate >= 0).toBe(true);
  for (const st of s.stages) {
    expect(Number.isSafeInteger(st.target) && st.target >= 0, `target ${st.target}`).toBe(true);
    expect(st.duration).toMatch(/^\d+(ms|s)$/);
  }
  expect(s.stages.length).toBeLessThanOrEqual(400);
  expect(Math.abs(stagesIntegral(s.stages, s.startRate, s.timeUnit) - total)).toBeLessThanOrEqual(TOLERANCE);
  const seconds = s.stages.reduce((sum, st) => sum + parseK6Duration(st.duration), 0);
  expect(seconds).toBeCloseTo(duration, 2);
}

const maxTarget = (s: RampingArrivalStages) => Math.max(s.startRate, ...s.stages.map((st) => st.target));

describe('toRampingArrivalStages', () => {
  for (const name of listWaves()) {
    for (const factor of [1, 144, 1440]) {
      for (const x of [0.002, 0.37, 1, 3]) {
        it(`${name} ×${factor} compressed, scaled ${x}: whole targets whose integral is the total ±1`, () => {
          const wave = scale(compress(getWave(name), factor), x);
          const s = toRampingArrivalStages(wave);
          expectWholeAndExact(s, wave.signups.total, wave.duration);
          // The default unit is the smallest in which the peak is ≥ 1,000 per unit (1h when none is).
          const truePeak = peakRate(wave);
          const expected = (['1s', '1m', '1h'] as TimeUnit[]).find((u) => truePeak * UNIT[u] >= 1000) ?? '1h';
          expect(s.timeUnit).toBe(expected);
          if (s.timeUnit !== '1h') expect(maxTarget(s)).toBeGreaterThanOrEqual(1000);
        });
      }
    }
  }

  for (const name of listWaves()) {
    it(`${name}: follows the curve to within one unit step (plus the area-fitting midpoints' share)`, () => {
      const wave = getWave(name);
      const s = toRampingArrivalStages(wave);
      const unit = UNIT[s.timeUnit];
      const truePeak = peakRate(wave) * unit;
      // The peak is a knot, so the highest target is the true peak rounded, give or take midpoint curvature.
      expect(Math.abs(maxTarget(s) - truePeak) / truePeak).toBeLessThan(0.02);
      expect(Math.abs(s.startRate - signupRate(wave, 0) * unit)).toBeLessThanOrEqual(0.5);
      // Every second target sits on a knot pinned to the true rate, rounded to the nearest whole per unit.
      let t = 0;
      s.stages.forEach((st, i) => {
        t += parseK6Duration(st.duration);
        if (i % 2 === 1) expect(Math.abs(st.target - signupRate(wave, Math.min(t, wave.duration)) * unit), `knot at ${t}`).toBeLessThanOrEqual(0.5);
        // Midpoints bend to fit the area, but stay near the curve: within 5 % of the peak and a couple of units.
        else expect(Math.abs(st.target - signupRate(wave, t) * unit), `midpoint at ${t}`).toBeLessThanOrEqual(0.05 * truePeak + 2 );
      });
    });
  }

  it('honours stageSeconds and maxStages', () => {
    const wave = getWave('peak-hour');
    expect(toRampingArrivalStages(wave, { stageSeconds: 60 }).stages.length).toBeGreaterThanOrEqual(60);
    const few = toRampingArrivalStages(wave, { stageSeconds: 1, maxStages: 20 });
    expect(few.stages.length).toBeLessThanOrEqual(20);
    expectWholeAndExact(few, wave.signups.total, wave.duration);
    const month = getWave('mastodon-world-november');
    expect(toRampingArrivalStages(month).stages.length).toBeLessThanOrEqual(400);
  });

  it('uses whole per-minute or per-hour targets when asked for a coarser unit', () => {
    const wave = scale(getWave('peak-hour'), 10);
    const truePeak = peakRate(wave);
    expect(toRampingArrivalStages(wave).timeUnit).toBe('1m');
    for (const timeUnit of ['1m', '1h'] as TimeUnit[]) {
      const s = toRampingArrivalStages(wave, { timeUnit });
      expect(s.timeUnit).toBe(timeUnit);
      expectWholeAndExact(s, wave.signups.total, wave.duration);
      // The peak per unit, divided by the unit, is the curve's peak per second to within rounding and midpoint fit.
      expect(Math.abs(maxTarget(s) / UNIT[timeUnit] - truePeak) / truePeak).toBeLessThan(0.02);
    }
    // Same stage knots whatever the unit: the per-hour knot is 60× the per-minute one, to within rounding.
    const perMinute = toRampingArrivalStages(wave, { timeUnit: '1m' });
    const perHour = toRampingArrivalStages(wave, { timeUnit: '1h' });
    expect(perMinute.stages.slice(0, 20).map((st) => st.duration)).toEqual(perHour.stages.slice(0, 20).map((st) => st.duration));
    expect(Math.abs(perHour.stages[11]!.target / 60 - perMinute.stages[11]!.target)).toBeLessThanOrEqual(1);
  });

  it('accepts a finer unit than the default while the peak is ≥ 100 per unit, and refuses a staircase', () => {
    const wave = scale(getWave('peak-hour'), 10);
    // ~38 signups/s at the peak: in '1s' every target would be one of 0…38.
    expect(() => toRampingArrivalStages(wave, { timeUnit: '1s' })).toThrow(WaveError);
    expect(() => toRampingArrivalStages(wave, { timeUnit: '1s' })).toThrow(/timeUnit '1s' is too fine .* use '1m'/);
    const busier = scale(getWave('peak-hour'), 100); // ~377/s: 1m by default, 1s still fine
    expect(toRampingArrivalStages(busier).timeUnit).toBe('1m');
    const s = toRampingArrivalStages(busier, { timeUnit: '1s' });
    expect(s.timeUnit).toBe('1s');
    expectWholeAndExact(s, busier.signups.total, busier.duration);
  });

  it('rejects bad options', () => {
    const wave = getWave('peak-hour');
    expect(() => toRampingArrivalStages(wave, { stageSeconds: 0 })).toThrow(WaveError);
    expect(() => toRampingArrivalStages(wave, { maxStages: 2 })).toThrow(/maxStages/);
    expect(() => toRampingArrivalStages(wave, { timeUnit: '1d' as TimeUnit })).toThrow(/timeUnit/);
  });
});

describe('rateToStages', () => {
  const constant = (rate: number, duration: number): RateCurve => ({ duration, rate: () => rate, area: (a, b) => rate * (b - a) });
  const ramp = (peak: number, duration: number): RateCurve => ({
    duration,
    rate: (t) => (peak * t) / duration,
    area: (a, b) => (peak * (b * b - a * a)) / (2 * duration),
  });

  it('makes whole-number stages of any curve, exact to one iteration', () => {
    const cases: [string, RateCurve][] = [
      ['0.8/s for 10 min', constant(0.8, 600)],
      ['0.03816/s for an hour', constant(0.03816, 3600)],
      ['1234.5/s for 90 s', constant(1234.5, 90)],
      ['a 0 → 7/s ramp over a day', ramp(7, 86_400)],
      ['a 0 → 5000/s ramp over 3.7 s', ramp(5000, 3.7)],
      ['nothing for a minute', constant(0, 60)],
    ];
    for (const [what, curve] of cases) {
      for (const opts of [{}, { maxStages: 4 }, { stageSeconds: 1 }] as StageOptions[]) {
        const s = rateToStages(curve, opts);
        expect(Number.isSafeInteger(s.startRate), what).toBe(true);
        expect(s.stages.every((st) => Number.isSafeInteger(st.target) && st.target >= 0), what).toBe(true);
        if (opts.maxStages === undefined) expect(Math.abs(stagesIntegral(s.stages, s.startRate, s.timeUnit) - curve.area(0, curve.duration)), `${what} ${JSON.stringify(opts)}`).toBeLessThanOrEqual(TOLERANCE);
        expect(s.stages.length).toBeLessThanOrEqual(opts.maxStages ?? 400);
      }
    }
  });

  it('picks the smallest unit with a peak of at least 1,000 per unit', () => {
    expect(rateToStages(constant(0.8, 600)).timeUnit).toBe('1h');
    expect(rateToStages(constant(0.8, 600)).startRate).toBe(2880);
    expect(rateToStages(constant(17, 600)).timeUnit).toBe('1m');
    expect(rateToStages(constant(17, 600)).startRate).toBe(1020);
    expect(rateToStages(constant(1000, 600)).timeUnit).toBe('1s');
    expect(() => rateToStages(constant(0.8, 600), { timeUnit: '1s' })).toThrow(/too fine/);
  });
});

describe('stagesIntegral', () => {
  it('integrates the piecewise-linear rate from startRate', () => {
    // k6's own example: 0 → 1/s over 5 s.
    expect(stagesIntegral([{ duration: '5s', target: 1 }], 0)).toBe(2.5);
    expect(stagesIntegral([{ duration: '1m', target: 10 }, { duration: '30s', target: 10 }], 10)).toBe(900);
    expect(stagesIntegral([{ duration: '2m', target: 60 }], 0, '1m')).toBe(60);
    expect(stagesIntegral([], 5)).toBe(0);
  });
});

describe('k6 durations', () => {
  it('parses Go/k6 syntax and formats whole milliseconds', () => {
    expect(parseK6Duration('1m30s')).toBe(90);
    expect(parseK6Duration('1.5s')).toBe(1.5);
    expect(parseK6Duration('250ms')).toBe(0.25);
    expect(parseK6Duration('1d2h')).toBe(93_600);
    expect(parseK6Duration('1500')).toBe(1.5);
    expect(parseK6Duration('soon')).toBeNaN();
    expect(parseK6Duration('5x')).toBeNaN();
    expect(formatK6Duration(30_000)).toBe('30s');
    expect(formatK6Duration(2_500)).toBe('2500ms');
    expect(() => formatK6Duration(1.5)).toThrow();
  });
});

describe('suggestVUs', () => {
  it("sizes VUs by Little's law with headroom", () => {
    expect(suggestVUs(10, 2)).toEqual({ preAllocatedVUs: 24, maxVUs: 80 });
    expect(suggestVUs(0.01, 0.5)).toEqual({ preAllocatedVUs: 1, maxVUs: 2 });
    const { preAllocatedVUs, maxVUs } = suggestVUs(2.78, 1.3);
    expect(maxVUs).toBeGreaterThanOrEqual(preAllocatedVUs);
    expect(() => suggestVUs(0, 1)).toThrow(/peakRatePerSecond/);
    expect(() => suggestVUs(1, Number.NaN)).toThrow(/expectedIterationSeconds/);
  });
});
