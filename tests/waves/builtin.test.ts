import { describe, expect, it } from 'vitest';
import { getWave, listWaves } from '../../scenarios/waves/builtin.js';
import { cumulativeSignups, peakRate } from '../../scenarios/waves/curve.js';
import { describeWave, humanDuration } from '../../scenarios/waves/describe.js';
import { WaveError } from '../../scenarios/waves/errors.js';
import { waveSchema } from '../../scenarios/waves/model.js';
import { compress } from '../../scenarios/waves/transform.js';

describe('built-in waves', () => {
  it('lists the four published waves', () => {
    expect(listWaves()).toEqual(['exodus-day-one', 'peak-hour', 'mastodon-world-november', 'mas-to-steady']);
  });

  for (const name of listWaves()) {
    it(`${name}: valid, described, sourced, and frozen`, () => {
      const w = getWave(name);
      expect(w.name).toBe(name);
      expect(waveSchema.parse(JSON.parse(JSON.stringify(w)))).toEqual(w);
      expect(w.description.length).toBeGreaterThan(40);
      expect(w.source).toMatch(/\d/);
      expect(Object.isFrozen(w) && Object.isFrozen(w.signups)).toBe(true);
      expect(w.retention).toBe(0.56);
    });
  }

  it('carry the published figures', () => {
    expect(getWave('exodus-day-one')).toMatchObject({ duration: 86_400, signups: { total: 70_849 } });
    expect(getWave('peak-hour')).toMatchObject({ duration: 3600, signups: { total: 10_000 } });
    expect(getWave('mastodon-world-november')).toMatchObject({ duration: 30 * 86_400, signups: { total: 120_000 } });
    const steady = getWave('mas-to-steady');
    expect(steady.baseline?.users).toBe(40_000);
    expect(steady.signups.total).toBeLessThan(1000);
  });

  it('mastodon-world-november peaks around 18 Nov (day 17)', () => {
    const w = getWave('mastodon-world-november');
    expect(cumulativeSignups(w, 16 * 86_400) / w.signups.total).toBeLessThan(0.5);
    expect(cumulativeSignups(w, 22 * 86_400) / w.signups.total).toBeGreaterThan(0.7);
  });

  it('rejects unknown names, listing the valid ones', () => {
    expect(() => getWave('exodus')).toThrow(WaveError);
    expect(() => getWave('exodus')).toThrow(
      "unknown wave 'exodus': valid names are exodus-day-one, peak-hour, mastodon-world-november, mas-to-steady",
    );
  });
});

describe('describeWave', () => {
  it('summarises total, duration and peak rate in one line', () => {
    const w = getWave('peak-hour');
    const line = describeWave(w);
    expect(line).toMatch(/^peak-hour: 10,000 signups over 1h, peak 3\.\d+\/s at 10m \(average 2\.78\/s\)$/);
    expect(line).toContain(`${Number(peakRate(w).toPrecision(3))}/s`);
    expect(describeWave(compress(getWave('exodus-day-one'), 144))).toMatch(/over 10m, .*compressed ×144$/);
    expect(describeWave(getWave('mas-to-steady'))).toContain('40,000 existing users');
  });

  it('formats durations compactly', () => {
    expect(humanDuration(86_400)).toBe('1d');
    expect(humanDuration(5400)).toBe('1h30m');
    expect(humanDuration(2.5)).toBe('2.5s');
  });
});

describe('built-in waves as shipped data', () => {
  it('equal their inputs after validation and defaults (regenerate with npm run build:waves)', async () => {
    const { BUILTIN_INPUTS } = await import('../../scenarios/waves/builtin-inputs.js');
    const { waveSchema } = await import('../../scenarios/waves/model.js');
    const { getWave } = await import('../../scenarios/waves/builtin.js');
    for (const input of BUILTIN_INPUTS) {
      expect(JSON.parse(JSON.stringify(getWave(input.name as string)))).toEqual(waveSchema.parse(input));
    }
  });
});
