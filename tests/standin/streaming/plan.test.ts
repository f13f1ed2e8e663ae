import { describe, expect, it } from 'vitest';
import { ConfigError, readActivityConfig } from '../../../scenarios/lib/env.js';
import { streamingPlan } from '../../../scenarios/lib/plan.js';
import { activityAt } from '../../../scenarios/waves/activity.js';
import { getWave } from '../../../scenarios/waves/builtin.js';
import { parseK6Duration } from '../../../scenarios/waves/duration.js';
import { compress, scale } from '../../../scenarios/waves/transform.js';

// How many user streams newcomer-activity holds over a wave: the wave's
// concurrent streaming connections as ramping-vus stages, capped by STREAMS_MAX.

const wave = compress(scale(getWave('exodus-day-one'), 0.01), 288);

describe('streamingPlan', () => {
  it('follows the wave’s concurrent connections over its whole length', () => {
    const plan = streamingPlan(wave, 100_000)!;
    // Stage lengths are whole milliseconds: at most 1 ms off per stage.
    const total = plan.stages.reduce((sec, st) => sec + parseK6Duration(st.duration), 0);
    expect(Math.abs(total - wave.duration)).toBeLessThanOrEqual(plan.stages.length / 1000);
    let peak = 0;
    for (let i = 0; i <= 60; i++) peak = Math.max(peak, activityAt(wave, (wave.duration * i) / 60).streamingConnections);
    expect(plan.wanted).toBeCloseTo(peak, 6);
    expect(plan.peak).toBe(Math.round(peak));
    expect(plan.peak).toBeGreaterThan(10);
    expect(plan.capped).toBe(false);
    // Half-way through the stages, VUs match the connections at that time.
    const mid = plan.stages[29]!;
    expect(mid.target).toBe(Math.round(activityAt(wave, wave.duration / 2).streamingConnections));
  });

  it('caps the streams at STREAMS_MAX and says so', () => {
    const plan = streamingPlan(wave, 5)!;
    expect(plan.peak).toBe(5);
    expect(plan.capped).toBe(true);
    expect(Math.max(plan.startVUs, ...plan.stages.map((st) => st.target))).toBe(5);
  });

  it('leaves streaming out when nobody streams or STREAMS_MAX is 0', () => {
    expect(streamingPlan(wave, 0)).toBeUndefined();
    expect(streamingPlan({ ...wave, newcomers: { ...wave.newcomers, streamingShare: 0 } }, 100)).toBeUndefined();
  });
});

describe('streaming settings', () => {
  const env = { BASE_URL: 'http://127.0.0.1:3000', MAIL_API_URL: 'http://127.0.0.1:8025' };
  it('defaults to at most 200 streams held 60 s each', () => {
    expect(readActivityConfig(env)).toMatchObject({ streamsMax: 200, streamHoldS: 60 });
  });
  it('refuses a hold too short for a post to arrive, naming the variable', () => {
    expect(() => readActivityConfig({ ...env, STREAM_HOLD: '2s' })).toThrow(ConfigError);
    expect(() => readActivityConfig({ ...env, STREAM_HOLD: '2s' })).toThrow(/STREAM_HOLD must be at least 5s/);
    expect(() => readActivityConfig({ ...env, STREAMS_MAX: '-1' })).toThrow(/STREAMS_MAX/);
  });
});
