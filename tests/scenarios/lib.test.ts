import { describe, expect, it } from 'vitest';
import { EnvReader, readActivityConfig, readSignupWaveConfig, readSmokeConfig, readTimelineReadConfig } from '../../scenarios/lib/env.js';
import {
  confirmationLatencyMs,
  extractConfirmationLink,
  headerValue,
  parseLinkHeader,
  queryParams,
  queryString,
  rebaseUrl,
} from '../../scenarios/lib/links.js';
import {
  activityPlan,
  cohortSizing,
  constantSeries,
  isPlanningInit,
  mastodonLimits,
  maxInWindow,
  mixTable,
  parseWaveJson,
  pickEndpoint,
  resolveWave,
  sampleActivity,
  signupPlan,
  timelinePlan,
} from '../../scenarios/lib/plan.js';
import { sloThresholds } from '../../scenarios/lib/slo.js';
import { getWave } from '../../scenarios/waves/builtin.js';
import { ENDPOINTS } from '../../scenarios/waves/model.js';
import { stagesIntegral } from '../../scenarios/waves/stages.js';

const BASE = { BASE_URL: 'http://127.0.0.1:3000/', MAIL_API_URL: 'http://127.0.0.1:8025' };

describe('links', () => {
  it('builds query strings from defined values only, encoded', () => {
    expect(queryString({ limit: 20, max_id: undefined, q: 'a b&c', local: true })).toBe('?limit=20&q=a%20b%26c&local=true');
    expect(queryString({})).toBe('');
    expect(queryParams('http://x/y?a=1&b=x%20y&c#frag')).toEqual({ a: '1', b: 'x y', c: '' });
  });

  it('reads headers whatever their case', () => {
    expect(headerValue({ Link: 'x' }, 'link')).toBe('x');
    expect(headerValue({ 'x-ratelimit-remaining': '3' }, 'X-RateLimit-Remaining')).toBe('3');
    expect(headerValue(undefined, 'Link')).toBeUndefined();
  });

  it("parses Mastodon's Link header into next/prev cursors", () => {
    const link =
      '<https://m.example/api/v1/timelines/home?limit=20&max_id=109>; rel="next", <https://m.example/api/v1/timelines/home?limit=20&min_id=130>; rel="prev"';
    expect(parseLinkHeader(link)).toEqual({ next: { max_id: '109' }, prev: { min_id: '130' } });
    expect(parseLinkHeader(undefined)).toEqual({});
    expect(parseLinkHeader('<http://x/?max_id=1>; rel=next')).toEqual({ next: { max_id: '1' } });
  });

  it('finds the confirmation link in the text part, else in the HTML part', () => {
    const text = 'Welcome!\n\nConfirm: https://m.example/auth/confirmation?confirmation_token=abc-DEF_123\n\nThanks';
    expect(extractConfirmationLink(text)).toBe('https://m.example/auth/confirmation?confirmation_token=abc-DEF_123');
    const html = '<a href="http://127.0.0.1:4000/auth/confirmation?locale=en&amp;confirmation_token=xyz">Confirm</a>';
    expect(extractConfirmationLink('no link here', html)).toBe('http://127.0.0.1:4000/auth/confirmation?locale=en&confirmation_token=xyz');
    expect(extractConfirmationLink('nothing', '<p>nothing</p>')).toBeUndefined();
  });

  it('re-roots a mail link on the base URL the generator uses', () => {
    expect(rebaseUrl('https://m.example/auth/confirmation?confirmation_token=t', 'http://127.0.0.1:3000/')).toBe(
      'http://127.0.0.1:3000/auth/confirmation?confirmation_token=t',
    );
  });

  it('takes confirmation latency from the mail API receive time, clamped to what the client saw', () => {
    expect(confirmationLatencyMs(1000, { seenAt: 1900, receivedAt: 1300 })).toBe(300);
    expect(confirmationLatencyMs(1000, { seenAt: 1900, receivedAt: 900 })).toBe(0);
    expect(confirmationLatencyMs(1000, { seenAt: 1900, receivedAt: 5000 })).toBe(900);
    expect(confirmationLatencyMs(1000, { seenAt: 1900, receivedAt: undefined })).toBe(900);
  });
});

describe('env', () => {
  it('reads every scenario with its defaults', () => {
    const s = readSignupWaveConfig(BASE);
    expect(s.target).toEqual({ baseUrl: 'http://127.0.0.1:3000', mailApiUrl: 'http://127.0.0.1:8025', forwardedProto: 'https' });
    expect(s.users).toEqual({ seed: 1, userOffset: 0, emailDomain: 'surge.test', clientIps: 0, dateOfBirth: undefined });
    expect(() => readSmokeConfig({ ...BASE, DATE_OF_BIRTH: '31/01/1990' })).toThrow(/DATE_OF_BIRTH must be a date like 1990-01-31/);
    expect(s.wave).toEqual({ name: 'exodus-day-one', json: undefined, compress: undefined, durationS: undefined, scale: 1 });
    expect(s.slo).toEqual({ p95Ms: 500, p99Ms: 1000, errorRate: 0.01, signupP95Ms: 30_000 });
    expect(s.mail).toEqual({ timeoutS: 60, pollS: 0.5 });
    expect([s.expectedIterationS, s.expectThrottles, s.appScopes, s.tokenScope]).toEqual([4, false, 'read write follow push', 'write']);
    expect(readSignupWaveConfig({ BASE_URL: BASE.BASE_URL }).expectedIterationS).toBe(1.5);
    expect(readSignupWaveConfig({ ...BASE, CLIENT_IPS: '10' }).expectThrottles).toBe(true);
    expect(readSignupWaveConfig({ ...BASE, CLIENT_IPS: '10', EXPECT_THROTTLES: 'no' }).expectThrottles).toBe(false);
    expect(readActivityConfig(BASE)).toMatchObject({ pageProb: 0.2, pageLimit: 20, cohort: { size: undefined, max: 500, setupConcurrency: 8 } });
    expect(readTimelineReadConfig(BASE)).toMatchObject({ rate: 10, durationS: 60, followsPerUser: 5, postsPerUser: 3 });
    expect(readSmokeConfig(BASE).newcomers).toBe(3);
    expect(readSignupWaveConfig({ ...BASE, FORWARDED_PROTO: 'none' }).target.forwardedProto).toBe('');
  });

  it('collects every problem into one error', () => {
    expect(() => readTimelineReadConfig({ BASE_URL: 'ftp://x', RATE: '-1', PAGE_LIMIT: '41', MAIL_POLL: 'soon', EMAIL_DOMAIN: 'no_domain' })).toThrow(
      "timeline-read: invalid environment: BASE_URL must be an http:// or https:// URL without query, e.g. http://127.0.0.1:3000 (got 'ftp://x'); " +
        "MAIL_API_URL is required (the Mailpit API that receives the confirmation mails, e.g. the stand-in's mailApiUrl); " +
        "EMAIL_DOMAIN must be a domain name like surge.test (got 'no_domain'); " +
        "MAIL_POLL must be a duration with a unit, like '30s', '10m' or '1h30m' (got 'soon'); " +
        "RATE must be a positive number of reads per second (got '-1'); " +
        "PAGE_LIMIT must be a whole number from 1 to 40 (Mastodon caps timelines at 40) (got '41')",
    );
    expect(() => readSignupWaveConfig({ ...BASE, PRE_ALLOCATED_VUS: '10', MAX_VUS: '5' })).toThrow(/MAX_VUS \(5\) must be at least PRE_ALLOCATED_VUS \(10\)/);
  });

  it('reads booleans, durations and numbers strictly', () => {
    const r = new EnvReader({ A: 'yes', B: '1m30s', C: '90', D: '1e3', E: ' 12 ' });
    expect(r.bool('A', false)).toBe(true);
    expect(r.seconds('B', 1)).toBe(90);
    expect(r.seconds('C', 1)).toBe(1);
    expect(r.number('D', 0, { what: 'n' })).toBe(1000);
    expect(r.number('E', 0, { integer: true, what: 'n' })).toBe(12);
    expect(r.problems).toEqual(["C must be a duration with a unit, like '30s', '10m' or '1h30m' (got '90')"]);
  });
});

describe('plan', () => {
  it('knows the planning init from a VU init', () => {
    expect(isPlanningInit(0)).toBe(true);
    expect(isPlanningInit(undefined)).toBe(true);
    expect(isPlanningInit(3)).toBe(false);
  });

  it('applies SCALE, then COMPRESS or DURATION', () => {
    const sel = { name: 'exodus-day-one', json: undefined, compress: undefined, durationS: 600, scale: 0.5 };
    const { wave, factor } = resolveWave(sel);
    expect(factor).toBe(144);
    expect(wave.duration).toBeCloseTo(600, 9);
    expect(wave.signups.total).toBeCloseTo(70_849 / 2, 9);
    expect(() => resolveWave({ ...sel, durationS: undefined, compress: 1e6 })).toThrow(/k6 needs at least 1 s/);
  });

  it('signup stages integrate to the wave total', () => {
    const p = signupPlan({ name: 'peak-hour', json: undefined, compress: 6, durationS: undefined, scale: 1 }, { expectedIterationS: 4 });
    // Whole numbers per unit (k6 decodes them as int64), starting the total to within one signup.
    expect([p.arrival.startRate, ...p.arrival.stages.map((s) => s.target)].every(Number.isSafeInteger)).toBe(true);
    expect(Math.abs(stagesIntegral(p.arrival.stages, p.arrival.startRate, p.arrival.timeUnit) - 10_000)).toBeLessThanOrEqual(1);
    expect(p.peakRate).toBeGreaterThan(p.peak.rate * 0.9);
    expect(p.vus.maxVUs).toBeGreaterThanOrEqual(p.vus.preAllocatedVUs);
  });

  it('validates WAVE_JSON by hand, naming each bad field', () => {
    expect(parseWaveJson(JSON.stringify(getWave('peak-hour')))).toEqual(getWave('peak-hour'));
    expect(() => parseWaveJson('{')).toThrow(/WAVE_JSON is not valid JSON/);
    const bad = { ...getWave('peak-hour'), duration: -1, signups: { ...getWave('peak-hour').signups, total: 0 } };
    expect(() => parseWaveJson(JSON.stringify(bad))).toThrow('WAVE_JSON: duration must be a positive number of seconds; signups.total must be a positive number');
  });

  it('finds the busiest window of a rate series', () => {
    const flat = constantSeries('homeTimeline', 2, 600);
    expect(maxInWindow(flat, { homeTimeline: 1 }, 300)).toBeCloseTo(600, 6);
    expect(maxInWindow(flat, { homeTimeline: 1 }, 900)).toBeCloseTo(1200, 6);
    expect(maxInWindow(flat, { posts: 1 }, 300)).toBe(0);
  });

  it('sizes a cohort so nobody crosses a limit, and says which limit binds', () => {
    // 10 reads/s for 10 minutes: 3,000 requests in any 5 minutes; 300 per token at 80 % → 13 readers.
    const s = cohortSizing(constantSeries('homeTimeline', 10, 600), mastodonLimits(0.5));
    expect(s.needed).toBe(13);
    expect(s.binding).toBe('API requests per token (300 per 5 min)');
    const t = timelinePlan({ rate: 10, durationS: 600, pageProb: 0.5, expectedIterationS: 0.3, cohortMax: 500 });
    expect(t.cohort.size).toBe(13);
    expect(t.arrival).toEqual({ rate: 10, timeUnit: '1s' });
    // k6 takes constant-arrival-rate's rate as int64: fractional rates move to a unit where they are whole.
    const arrival = (rate: number) => timelinePlan({ rate, durationS: 600, pageProb: 0.5, expectedIterationS: 0.3, cohortMax: 5000 }).arrival;
    expect(arrival(2.5)).toEqual({ rate: 150, timeUnit: '1m' });
    expect(arrival(1 / 3)).toEqual({ rate: 20, timeUnit: '1m' });
    expect(arrival(0.03816)).toEqual({ rate: 137, timeUnit: '1h' });
    expect(arrival(1234.5678)).toEqual({ rate: 1235, timeUnit: '1s' });
    expect(() => timelinePlan({ rate: 10, durationS: 600, pageProb: 0.5, expectedIterationS: 0.3, cohortMax: 5 })).toThrow(/needs a cohort of 13 readers/);
    expect(timelinePlan({ rate: 10, durationS: 600, pageProb: 0.5, expectedIterationS: 0.3, cohortMax: 5, cohortSize: 4 }).cohort).toMatchObject({ size: 4, clamped: true });
  });

  it("draws endpoints in proportion to the wave's mix at that moment", () => {
    const wave = resolveWave({ name: 'mas-to-steady', json: undefined, compress: 144, durationS: undefined, scale: 0.01 }).wave;
    const series = sampleActivity(wave, 200);
    const mix = mixTable(wave, series, 20);
    for (const row of mix.rows) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    const counts = Object.fromEntries(ENDPOINTS.map((e) => [e, 0]));
    const n = 20_000;
    for (let i = 0; i < n; i++) counts[pickEndpoint(mix, 300, (i + 0.5) / n)]!++;
    const row = mix.rows[Math.round(300 / mix.step)]!;
    ENDPOINTS.forEach((e, k) => expect(counts[e]! / n).toBeCloseTo(row[k]!, 3));
    expect(pickEndpoint(mix, -5, 0.999999)).toBeDefined();
    expect(pickEndpoint(mix, 1e9, 0)).toBeDefined();
  });

  it('plans newcomer activity: stages, a mix, and a cohort within the limits', () => {
    const p = activityPlan(
      { name: 'exodus-day-one', json: undefined, compress: undefined, durationS: 600, scale: 0.0002 },
      { expectedIterationS: 0.5, pageProb: 0.2, cohortMax: 500 },
    );
    expect(p.arrival.stages.length).toBeGreaterThan(10);
    expect(p.mix.rows.length).toBeGreaterThan(10);
    expect(p.cohort.size).toBeGreaterThanOrEqual(p.cohort.needed);
    for (const l of p.cohort.perLimit) expect(l.needed).toBeLessThanOrEqual(p.cohort.size);
  });
});

describe('slo', () => {
  it('filters latency and errors to the scenario and the instance', () => {
    expect(sloThresholds({ p95Ms: 300, p99Ms: 800, errorRate: 0.001, signupP95Ms: 20_000 }, 'signups', { signups: true })).toEqual({
      'http_req_duration{scenario:signups,target:mastodon}': ['p(95)<300', 'p(99)<800'],
      'http_req_failed{scenario:signups,target:mastodon}': ['rate<0.001'],
      'signup_duration{scenario:signups}': ['p(95)<20000'],
    });
  });
});
