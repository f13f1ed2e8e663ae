import { describe, expect, it } from 'vitest';
import { getWave, listWaves } from '../../scenarios/waves/builtin.js';
import { signupRate } from '../../scenarios/waves/curve.js';
import { formatK6Duration, parseK6Duration } from '../../scenarios/waves/duration.js';
import { WaveError } from '../../scenarios/waves/errors.js';
import { stagesIntegral, suggestVUs, toRampingArrivalStages, type TimeUnit } from '../../scenarios/waves/stages.js';
import { compress, scale } from '../../scenarios/waves/transform.js';

// Rounding leaves at most a tiny fraction of one signup; a wrong area is off by many.
// k6 targets are whole numbers, so rounding the last stages can leave a few
// iterations over or under: within one iteration or 0.01 % of the total.
const tolerance = (total: number) => Math.max(1, total * 1e-4);

describe('toRampingArrivalStages', () => {
  for (const name of listWaves()) {
    for (const factor of [1, 144, 1440]) {
      for (const x of [1, 0.37, 3]) {
        it(`${name} ×${factor} compressed, scaled ${x}: stage integral equals total`, () => {
          const wave = scale(compress(getWave(name), factor), x);
          // k6 decodes startRate and targets as int64: the default unit keeps them whole and the shape fine.
          for (const timeUnit of [undefined] as (TimeUnit | undefined)[]) {
            const s = toRampingArrivalStages(wave, { timeUnit });
            expect(Number.isInteger(s.startRate) && s.stages.every((st) => Number.isInteger(st.target))).toBe(true);
            const peakPerUnit = Math.max(s.startRate, ...s.stages.map((st) => st.target));
            expect(peakPerUnit).toBeGreaterThanOrEqual(s.timeUnit === '1h' ? 0 : 1000);
            expect(Math.abs(stagesIntegral(s.stages, s.startRate, s.timeUnit) - wave.signups.total)).toBeLessThan(tolerance(wave.signups.total));
            expect(s.startRate).toBeGreaterThanOrEqual(0);
            for (const st of s.stages) {
              expect(st.target).toBeGreaterThanOrEqual(0);
              expect(Number.isFinite(st.target)).toBe(true);
              expect(st.duration).toMatch(/^\d+(ms|s)$/);
            }
            const seconds = s.stages.reduce((sum, st) => sum + parseK6Duration(st.duration), 0);
            expect(seconds).toBeCloseTo(wave.duration, 2);
          }
        });
      }
    }
  }

  it('follows the curve: the highest target is close to the peak rate and stays near r(t)', () => {
    const wave = getWave('exodus-day-one');
    const s = toRampingArrivalStages(wave);
    const unit = parseK6Duration(s.timeUnit);
    const peak = Math.max(...s.stages.map((st) => st.target)) / unit;
    const truePeak = Math.max(...Array.from({ length: 2001 }, (_, i) => signupRate(wave, (wave.duration * i) / 2000)));
    expect(Math.abs(peak - truePeak) / truePeak).toBeLessThan(0.02);
    // Every second target sits on a knot pinned to the true rate, to the nearest whole unit.
    let t = 0;
    s.stages.forEach((st, i) => {
      t += parseK6Duration(st.duration);
      if (i % 2 === 1) expect(Math.abs(st.target - signupRate(wave, t) * unit)).toBeLessThanOrEqual(0.5);
    });
  });

  it('honours stageSeconds and maxStages', () => {
    const wave = getWave('peak-hour');
    expect(toRampingArrivalStages(wave, { stageSeconds: 60 }).stages.length).toBeGreaterThanOrEqual(60);
    expect(toRampingArrivalStages(wave, { stageSeconds: 1, maxStages: 20 }).stages.length).toBeLessThanOrEqual(20);
    const month = getWave('mastodon-world-november');
    expect(toRampingArrivalStages(month).stages.length).toBeLessThanOrEqual(400);
  });

  it('uses whole per-minute or per-hour targets as asked', () => {
    const wave = getWave('peak-hour');
    const perHour = toRampingArrivalStages(wave, { timeUnit: '1h' });
    const perMinute = toRampingArrivalStages(wave, { timeUnit: '1m' });
    expect(perHour.timeUnit).toBe('1h');
    expect(perMinute.stages.every((st) => Number.isInteger(st.target))).toBe(true);
    expect(Math.abs(perMinute.stages[11]!.target - perHour.stages[11]!.target / 60)).toBeLessThanOrEqual(1);
  });

  it('rejects bad options', () => {
    const wave = getWave('peak-hour');
    expect(() => toRampingArrivalStages(wave, { stageSeconds: 0 })).toThrow(WaveError);
    expect(() => toRampingArrivalStages(wave, { maxStages: 2 })).toThrow(/maxStages/);
    expect(() => toRampingArrivalStages(wave, { timeUnit: '1d' as TimeUnit })).toThrow(/timeUnit/);
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
