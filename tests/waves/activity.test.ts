import { describe, expect, it } from 'vitest';
import { activeNewcomers, activityAt, activityRequests, activityStages, retentionAt } from '../../scenarios/waves/activity.js';
import { getWave, listWaves } from '../../scenarios/waves/builtin.js';
import { cumulativeSignups } from '../../scenarios/waves/curve.js';
import { ENDPOINTS, waveSchema } from '../../scenarios/waves/model.js';
import { stagesIntegral } from '../../scenarios/waves/stages.js';
import { compress, scale } from '../../scenarios/waves/transform.js';

const plain = waveSchema.parse({
  name: 'plain',
  duration: '10d',
  signups: { total: 1000, peakAt: '1d', decay: '2d' },
  diurnal: { amplitude: 0 },
  retention: 0.5,
});

describe('retention and active newcomers', () => {
  it('decays from 1 to retention at the end by default', () => {
    expect(retentionAt(plain, 0)).toBe(1);
    expect(retentionAt(plain, plain.duration)).toBeCloseTo(0.5, 12);
    expect(retentionAt(plain, plain.duration / 2)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(activeNewcomers(plain, plain.duration)).toBeCloseTo(500, 9);
  });

  it('reaches retention at retentionHorizon when set, and stays there', () => {
    const w = getWave('exodus-day-one');
    expect(w.retentionHorizon).toBe(60 * 86_400);
    expect(retentionAt(w, w.duration)).toBeCloseTo(0.56 ** (1 / 60), 12);
    const long = waveSchema.parse({ name: 'l', duration: '10d', signups: { total: 5 }, retention: 0.5, retentionHorizon: '2d' });
    expect(retentionAt(long, 5 * 86_400)).toBe(0.5);
  });

  it('never has more active newcomers than signups', () => {
    const w = getWave('mastodon-world-november');
    for (let i = 0; i <= 100; i++) {
      const t = (w.duration * i) / 100;
      expect(activeNewcomers(w, t)).toBeLessThanOrEqual(cumulativeSignups(w, t) + 1e-9);
    }
  });
});

describe('activityAt', () => {
  it('is per-hour habits × active people ÷ 3600, newcomers plus baseline', () => {
    const w = getWave('mas-to-steady');
    const t = 7 * 3600;
    const snap = activityAt(w, t);
    const day = 1 + w.diurnal.amplitude * Math.cos((2 * Math.PI * (t - w.diurnal.phase)) / w.diurnal.period);
    expect(snap.baselineUsers).toBe(40_000);
    for (const e of ENDPOINTS) {
      const expected = ((snap.activeNewcomers * w.newcomers[e] + 40_000 * w.baseline!.activity[e]) * day) / 3600;
      expect(snap.rates[e]).toBeCloseTo(expected, 9);
    }
    expect(snap.totalRate).toBeCloseTo(ENDPOINTS.reduce((s, e) => s + snap.rates[e], 0), 9);
    // ~2 % of 40,000 accounts on the streaming API, swinging with the day.
    expect(snap.streamingConnections).toBeGreaterThan(500);
    expect(snap.streamingConnections).toBeLessThan(1200);
  });

  it('is zero outside the wave and never negative inside', () => {
    const w = getWave('exodus-day-one');
    expect(activityAt(w, -5).totalRate).toBe(0);
    for (let i = 0; i <= 200; i++) {
      const snap = activityAt(w, (w.duration * i) / 200);
      for (const e of ENDPOINTS) expect(snap.rates[e]).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('activityStages', () => {
  for (const name of listWaves()) {
    it(`${name}: stage integral equals the requests of the wave, compressed or not`, () => {
      const base = getWave(name);
      const requests = activityRequests(base, 0, base.duration);
      expect(requests).toBeGreaterThan(0);
      for (const f of [1, 144, 1440]) {
        const w = compress(base, f);
        // Compression speeds everything up but the same people do the same things.
        expect(activityRequests(w, 0, w.duration) / requests).toBeCloseTo(1, 6);
      }
    });

    for (const f of [1, 144, 1440]) {
      it(`${name} ×${f}: whole-number stages for every endpoint and scale, each exact to one request`, () => {
        for (const x of [0.002, 0.37, 1, 3]) {
          const w = scale(compress(getWave(name), f), x);
          for (const endpoint of [undefined, ...ENDPOINTS]) {
            const what = `${endpoint ?? 'all endpoints'} at scale ${x}`;
            const s = activityStages(w, { endpoint });
            // k6 decodes startRate and targets as int64 and starts whole iterations.
            expect(Number.isSafeInteger(s.startRate) && s.startRate >= 0, what).toBe(true);
            expect(s.stages.every((st) => Number.isSafeInteger(st.target) && st.target >= 0), what).toBe(true);
            expect(s.stages.length, what).toBeLessThanOrEqual(400);
            const want = activityRequests(w, 0, w.duration, endpoint);
            expect(Math.abs(stagesIntegral(s.stages, s.startRate, s.timeUnit) - want), what).toBeLessThanOrEqual(1);
          }
        }
      });
    }
  }

  it('per-endpoint stages add up to the all-endpoint total', () => {
    const w = getWave('exodus-day-one');
    const all = activityStages(w);
    const total = stagesIntegral(all.stages, all.startRate, all.timeUnit);
    const sum = ENDPOINTS.reduce((acc, endpoint) => {
      const s = activityStages(w, { endpoint });
      return acc + stagesIntegral(s.stages, s.startRate, s.timeUnit);
    }, 0);
    // Each set is within one request of its own total, so the sum is within one per set.
    expect(Math.abs(sum - total)).toBeLessThanOrEqual(ENDPOINTS.length + 1);
  });
});
