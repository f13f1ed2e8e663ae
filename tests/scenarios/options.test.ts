import { afterAll, describe, expect, it } from 'vitest';
import { resolveWave } from '../../scenarios/lib/plan.js';
import { activityRequests } from '../../scenarios/waves/activity.js';
import { getWave, listWaves } from '../../scenarios/waves/builtin.js';
import { stagesIntegral } from '../../scenarios/waves/stages.js';
import { parseK6Duration } from '../../scenarios/waves/duration.js';
import { bundleFile, cleanBundles, evaluateOptions, k6OptionProblems } from './helpers.js';

// Each bundle's exported `options`, evaluated as k6's options-extraction init
// would (__VU = 0, k6 modules from the shim), must be options k6 accepts and
// must play the wave it claims to.

const TARGET = { BASE_URL: 'http://127.0.0.1:9', MAIL_API_URL: 'http://127.0.0.1:10' };

afterAll(cleanBundles);

async function options(name: string, env: Record<string, string>) {
  const r = await evaluateOptions(await bundleFile(name), { ...TARGET, ...env });
  if (!r.ok) throw new Error(r.error);
  return r.options;
}

function totalSeconds(stages: { duration: string }[]): number {
  return stages.reduce((s, st) => s + parseK6Duration(st.duration), 0);
}

describe('signup-wave options', () => {
  it.each(listWaves())('%s: ramping-arrival-rate stages start exactly the wave total, compressed', async (wave) => {
    const compress = wave === 'mastodon-world-november' ? 4320 : wave === 'peak-hour' ? 6 : 144;
    const o = await options('signup-wave', { WAVE: wave, COMPRESS: String(compress) });
    expect(k6OptionProblems(o)).toEqual([]);
    const sc = o.scenarios.signups;
    expect(sc.executor).toBe('ramping-arrival-rate');
    expect(sc.tags).toEqual({ wave });
    const total = getWave(wave).signups.total;
    expect(Math.abs(stagesIntegral(sc.stages, sc.startRate, sc.timeUnit) - total)).toBeLessThan(1);
    expect(totalSeconds(sc.stages)).toBeCloseTo(getWave(wave).duration / compress, 3);
    expect(sc.preAllocatedVUs).toBeGreaterThanOrEqual(1);
    expect(sc.maxVUs).toBeGreaterThanOrEqual(sc.preAllocatedVUs);
  });

  it.each([
    ['peak-hour', '0.002', '1'],
    ['exodus-day-one', '0.002', '1440'],
    ['mas-to-steady', '3', '1'],
    ['exodus-day-one', '3', '144'],
  ])('%s at SCALE=%s, COMPRESS=%s: whole-number rates k6 accepts, starting the scaled total ±1', async (wave, x, compress) => {
    const o = await options('signup-wave', { WAVE: wave, SCALE: x, COMPRESS: compress });
    // Includes k6's int64 decoding of startRate, every target and the VU counts.
    expect(k6OptionProblems(o)).toEqual([]);
    const sc = o.scenarios.signups;
    expect(['1s', '1m', '1h']).toContain(sc.timeUnit);
    expect(Math.abs(stagesIntegral(sc.stages, sc.startRate, sc.timeUnit) - getWave(wave).signups.total * Number(x))).toBeLessThanOrEqual(1);
  });

  it('defaults to exodus-day-one in real time, SLO thresholds on the scenario and the instance only', async () => {
    const o = await options('signup-wave', {});
    const sc = o.scenarios.signups;
    expect(k6OptionProblems(o)).toEqual([]);
    expect(sc.tags.wave).toBe('exodus-day-one');
    expect(totalSeconds(sc.stages)).toBeCloseTo(86_400, 3);
    expect(o.thresholds).toEqual({
      'http_req_duration{scenario:signups,target:mastodon}': ['p(95)<500', 'p(99)<1000'],
      'http_req_failed{scenario:signups,target:mastodon}': ['rate<0.01'],
      'signup_duration{scenario:signups}': ['p(95)<30000'],
    });
    // With a mail API a newcomer may wait for their mail after the wave ends.
    expect(sc.gracefulStop).toBe('90s');
  });

  it('DURATION picks the compression, SCALE the size; SLO knobs feed the thresholds; VU overrides win', async () => {
    const o = await options('signup-wave', {
      WAVE: 'peak-hour',
      DURATION: '10m',
      SCALE: '0.5',
      SLO_P95_MS: '250',
      SLO_P99_MS: '900',
      SLO_ERROR_RATE: '0.05',
      SLO_SIGNUP_P95_MS: '5000',
      PRE_ALLOCATED_VUS: '7',
      MAX_VUS: '9',
    });
    const sc = o.scenarios.signups;
    expect(totalSeconds(sc.stages)).toBeCloseTo(600, 3);
    expect(Math.abs(stagesIntegral(sc.stages, sc.startRate, sc.timeUnit) - 5000)).toBeLessThan(1);
    expect([sc.preAllocatedVUs, sc.maxVUs]).toEqual([7, 9]);
    expect(o.thresholds['http_req_duration{scenario:signups,target:mastodon}']).toEqual(['p(95)<250', 'p(99)<900']);
    expect(o.thresholds['http_req_failed{scenario:signups,target:mastodon}']).toEqual(['rate<0.05']);
    expect(o.thresholds['signup_duration{scenario:signups}']).toEqual(['p(95)<5000']);
  });

  it('takes a whole wave as WAVE_JSON (what the CLI loads from a wave file)', async () => {
    const wave = { ...getWave('peak-hour'), name: 'my-wave', signups: { ...getWave('peak-hour').signups, total: 1234 } };
    const o = await options('signup-wave', { WAVE_JSON: JSON.stringify(wave), COMPRESS: '6' });
    const sc = o.scenarios.signups;
    expect(sc.tags.wave).toBe('my-wave');
    expect(Math.abs(stagesIntegral(sc.stages, sc.startRate, sc.timeUnit) - 1234)).toBeLessThan(1);
  });

  it('skips the stage computation in a VU\'s own init (__VU ≥ 1), where k6 discards options', async () => {
    const r = await evaluateOptions(await bundleFile('signup-wave'), { ...TARGET, WAVE: 'mastodon-world-november' }, 1);
    expect(r.ok).toBe(true);
    expect(r.options).toEqual({});
    expect(r.exports).toEqual(['default', 'options', 'setup']);
  });

  it('fails in init with one message naming every bad variable', async () => {
    const r = await evaluateOptions(await bundleFile('signup-wave'), {
      BASE_URL: 'localhost:3000',
      COMPRESS: '0',
      SCALE: 'big',
      SEED: '-1',
      MAIL_TIMEOUT: '60',
      WAVE: 'nope',
    });
    expect(r.ok).toBe(false);
    expect(r.error).toContain('signup-wave: invalid environment');
    expect(r.error).toContain("BASE_URL must be an http:// or https:// URL");
    expect(r.error).toContain("COMPRESS must be a number greater than 0 (got '0')");
    expect(r.error).toContain("SCALE must be a number greater than 0 (got 'big')");
    expect(r.error).toContain('SEED must be a whole number from 0 to 4294967295');
    expect(r.error).toContain("MAIL_TIMEOUT must be a duration with a unit, like '30s'");
  });

  it('names the built-in waves for an unknown WAVE, and refuses COMPRESS with DURATION', async () => {
    const unknown = await evaluateOptions(await bundleFile('signup-wave'), { ...TARGET, WAVE: 'nope' });
    expect(unknown.error).toMatch(/WAVE: unknown wave 'nope': valid names are exodus-day-one, peak-hour/);
    const both = await evaluateOptions(await bundleFile('signup-wave'), { ...TARGET, COMPRESS: '2', DURATION: '1h' });
    expect(both.error).toContain('COMPRESS and DURATION both set');
    const missing = await evaluateOptions(await bundleFile('signup-wave'), {});
    expect(missing.error).toContain('BASE_URL is required');
  });
});

describe('newcomer-activity options', () => {
  it('plays the wave\'s activity and sizes the cohort so no token crosses 300 requests per 5 min', async () => {
    const o = await options('newcomer-activity', { WAVE: 'exodus-day-one', DURATION: '10m', SCALE: '0.0002' });
    expect(k6OptionProblems(o)).toEqual([]);
    const sc = o.scenarios.activity;
    expect(sc.executor).toBe('ramping-arrival-rate');
    expect(totalSeconds(sc.stages)).toBeCloseTo(600, 3);
    const { wave } = resolveWave({ name: 'exodus-day-one', json: undefined, compress: undefined, durationS: 600, scale: 0.0002 });
    expect(Math.abs(stagesIntegral(sc.stages, sc.startRate, sc.timeUnit) - activityRequests(wave, 0, wave.duration))).toBeLessThanOrEqual(1);
    expect(o.thresholds).toEqual({
      'http_req_duration{scenario:activity,target:mastodon}': ['p(95)<500', 'p(99)<1000'],
      'http_req_failed{scenario:activity,target:mastodon}': ['rate<0.01'],
    });
    expect(parseK6Duration(o.setupTimeout)).toBeGreaterThanOrEqual(60);
  });

  it('refuses a load that needs a bigger cohort than COHORT_MAX, saying what to change', async () => {
    const r = await evaluateOptions(await bundleFile('newcomer-activity'), { ...TARGET, DURATION: '10m', COHORT_MAX: '10' });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/needs a cohort of \d+ users .* above COHORT_MAX=10: lower SCALE, raise COHORT_MAX, or set COHORT_SIZE/);
  });

  it('requires MAIL_API_URL (the cohort must be confirmed to act)', async () => {
    const r = await evaluateOptions(await bundleFile('newcomer-activity'), { BASE_URL: TARGET.BASE_URL });
    expect(r.error).toContain('MAIL_API_URL is required');
  });
});

describe('timeline-read options', () => {
  it('is a constant-arrival-rate of RATE reads/s for DURATION', async () => {
    const o = await options('timeline-read', { RATE: '25', DURATION: '2m' });
    expect(k6OptionProblems(o)).toEqual([]);
    const sc = o.scenarios.reads;
    expect(sc).toMatchObject({ executor: 'constant-arrival-rate', rate: 25, timeUnit: '1s', duration: '120s' });
    expect(sc.preAllocatedVUs).toBeGreaterThanOrEqual(1);
    expect(Object.keys(o.thresholds)).toEqual(['http_req_duration{scenario:reads,target:mastodon}', 'http_req_failed{scenario:reads,target:mastodon}']);
  });
});

describe('smoke options', () => {
  it('runs one newcomer per VU and demands every check and every signup', async () => {
    const o = await options('smoke', { SMOKE_USERS: '4' });
    expect(k6OptionProblems(o)).toEqual([]);
    expect(o.scenarios.smoke).toMatchObject({ executor: 'per-vu-iterations', vus: 4, iterations: 1 });
    expect(o.thresholds).toEqual({ checks: ['rate==1'], signups_completed: ['count==4'] });
  });
});

describe('k6OptionProblems (the test\'s own validator)', () => {
  it('reports what k6 would refuse', () => {
    expect(
      k6OptionProblems({
        vus: 2,
        scenarios: {
          'bad name': { executor: 'ramping-arrival-rate', stages: [{ duration: '1x', target: -1 }], preAllocatedVUs: 3, maxVUs: 2, rate: 1 },
          // k6 exits 104 on these: "json: cannot unmarshal number 0.03816 into Go value of type int64".
          fractional: { executor: 'ramping-arrival-rate', startRate: 0.5, timeUnit: '1h', stages: [{ duration: '1m', target: 0.03816 }, { duration: '1m', target: 3 }], preAllocatedVUs: 2.5, maxVUs: 4 },
          steady: { executor: 'constant-arrival-rate', rate: 2.5, timeUnit: '1s', duration: '1m', preAllocatedVUs: 1, maxVUs: 1e21 },
        },
        thresholds: { nope: ['p(95)<1'], http_req_failed: ['p(95)<1'] },
      }),
    ).toEqual([
      'vus next to scenarios',
      'scenarios.bad name: bad scenario name',
      'scenarios.bad name: unknown field rate',
      'scenarios.bad name: maxVUs < preAllocatedVUs',
      'scenarios.bad name.stages[0].duration: bad duration "1x"',
      'scenarios.bad name.stages[0]: target must be a whole number >= 0 (int64; got -1)',
      'scenarios.fractional: preAllocatedVUs must be a whole number (int64; got 2.5)',
      'scenarios.fractional: startRate must be a whole number >= 0 (int64; got 0.5)',
      'scenarios.fractional.stages[0]: target must be a whole number >= 0 (int64; got 0.03816)',
      'scenarios.steady: maxVUs must be a whole number (int64; got 1e+21)',
      'scenarios.steady: rate must be a whole number > 0 (int64; got 2.5)',
      'threshold on unknown metric nope',
      'threshold http_req_failed: p(95) does not apply to a rate',
    ]);
  });
});
