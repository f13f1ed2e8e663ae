import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandin, type StandinHandle } from '../../infra/targets/standin/standin.js';
import { bundleFile, cleanBundles, runShim, type ShimResult } from './helpers.js';

// The bundles against a real stand-in, on the k6 shim (fetch-backed k6/http,
// per-VU module instances, setup data as JSON): every flow completes, every
// check passes, every request carries an endpoint `name` and a `target` tag.

let s: StandinHandle;
let env: Record<string, string>;

beforeAll(async () => {
  s = await startStandin({ webConcurrency: 2, maxThreads: 4, sidekiqConcurrency: 3 });
  env = { BASE_URL: s.baseUrl, MAIL_API_URL: s.mailApiUrl };
}, 180_000);

afterAll(async () => {
  cleanBundles();
  await s?.stop();
});

function failedChecks(r: ShimResult): string[] {
  return Object.entries(r.checks ?? {})
    .filter(([, c]) => c.fails > 0)
    .map(([name, c]) => `${name}: ${c.fails} failed`);
}

function expectClean(r: ShimResult): void {
  expect(r.ok, r.error ?? r.stdout.slice(-2000)).toBe(true);
  expect(r.aborted).toBeUndefined();
  expect(r.errors).toEqual([]);
  expect(failedChecks(r)).toEqual([]);
  for (const key of Object.keys(r.requests ?? {})) expect(key, 'request named by endpoint, not URL').not.toMatch(/https?:\/\//);
}

describe('scenario bundles against the stand-in', () => {
  it('smoke: newcomers sign up, confirm by mail, sign in, post, and see their post at home', async () => {
    const r = await runShim({ bundle: await bundleFile('smoke'), env: { ...env, SEED: '101' }, mode: 'run', vus: 3, iterations: 1 });
    expectClean(r);
    expect(r.metrics?.signups_completed?.count).toBe(3);
    expect(r.checks?.["new post reaches its author's home timeline"]).toEqual({ passes: 3, fails: 0 });
    expect(r.requests).toMatchObject({
      'POST /api/v1/apps 200': 3,
      'POST /oauth/token 200': 3,
      'POST /api/v1/accounts 200': 3,
      'mail GET /api/v1/message/:id 200': 3,
      'GET /auth/confirmation 302': 3,
      'GET /api/v1/accounts/verify_credentials 200': 3,
      'POST /api/v1/statuses 200': 3,
    });
    expect(r.metrics?.confirmation_latency?.count).toBe(3);
  });

  it('smoke: a second run with the same SEED stops in setup, saying why', async () => {
    const r = await runShim({ bundle: await bundleFile('smoke'), env: { ...env, SEED: '101' }, mode: 'run', vus: 1, iterations: 1 });
    expect(r.phase).toBe('setup');
    expect(r.aborted).toMatch(/already exists .* pass another SEED or USER_OFFSET/);
  });

  it('signup-wave: each iteration is one newcomer with their own IP, end to end', async () => {
    const r = await runShim({
      bundle: await bundleFile('signup-wave'),
      env: { ...env, SEED: '102', WAVE: 'peak-hour', DURATION: '1m', SCALE: '0.01' },
      mode: 'run',
      vus: 4,
      iterations: 2,
    });
    expectClean(r);
    expect(r.metrics?.signups_completed?.count).toBe(8);
    expect(r.metrics?.signup_duration?.count).toBe(8);
    expect(r.requests?.['POST /api/v1/accounts 200']).toBe(8);
    expect(r.metrics?.throttled_requests).toBeUndefined();
  });

  it('signup-wave without MAIL_API_URL creates accounts only, and says so', async () => {
    const r = await runShim({
      bundle: await bundleFile('signup-wave'),
      env: { BASE_URL: s.baseUrl, SEED: '103', WAVE: 'peak-hour', DURATION: '1m', SCALE: '0.01' },
      mode: 'run',
      vus: 2,
      iterations: 1,
    });
    expectClean(r);
    expect(r.stderr).toContain('MAIL_API_URL is not set');
    expect(r.metrics?.signups_completed?.count).toBe(2);
    expect(r.requests?.['GET /api/v1/accounts/verify_credentials 200']).toBeUndefined();
  });

  it('signup-wave throttle rehearsal: shared IPs hit the per-IP throttles, 429s pass as expected', async () => {
    const r = await runShim({
      bundle: await bundleFile('signup-wave'),
      env: { ...env, SEED: '104', WAVE: 'peak-hour', DURATION: '1m', SCALE: '0.01', CLIENT_IPS: '1' },
      mode: 'run',
      vus: 4,
      iterations: 2,
    });
    expectClean(r);
    // 5 app registrations per 10 min per IP: the other 3 newcomers are turned away.
    expect(r.requests?.['POST /api/v1/apps 429']).toBe(3);
    expect(r.metrics?.throttled_requests?.count).toBe(3);
    expect(r.metrics?.signups_completed?.count).toBe(5);
    expect(r.metrics?.signups_failed?.count).toBe(3);
  });

  it('newcomer-activity: a confirmed cohort follows, posts, reads, favourites, reblogs and polls notifications', async () => {
    const r = await runShim({
      bundle: await bundleFile('newcomer-activity'),
      env: { ...env, SEED: '105', WAVE: 'exodus-day-one', DURATION: '10m', SCALE: '0.0001', COHORT_SIZE: '3', PAGE_PROB: '0.5' },
      mode: 'run',
      vus: 3,
      iterations: 30,
    });
    expectClean(r);
    expect(r.metrics?.signups_completed?.count).toBe(3);
    const names = Object.keys(r.requests ?? {}).map((k) => k.replace(/ \d+$/, ''));
    for (const endpoint of [
      'GET /api/v1/accounts/verify_credentials',
      'POST /api/v1/accounts/:id/follow',
      'POST /api/v1/statuses',
      'GET /api/v1/timelines/home',
      'GET /api/v1/timelines/public',
      'POST /api/v1/statuses/:id/favourite',
      'POST /api/v1/statuses/:id/reblog',
      'GET /api/v1/notifications',
    ]) {
      expect(names, endpoint).toContain(endpoint);
    }
    expect(r.metrics?.timeline_page_size?.count).toBeGreaterThan(0);
  });

  it('timeline-read: readers who follow each other read filled home timelines', async () => {
    const r = await runShim({
      bundle: await bundleFile('timeline-read'),
      env: { ...env, SEED: '106', RATE: '2', DURATION: '10s', FOLLOWS_PER_USER: '2', POSTS_PER_USER: '2', PAGE_PROB: '0.5' },
      mode: 'run',
      vus: 2,
      iterations: 10,
    });
    expectClean(r);
    expect(r.requests?.['GET /api/v1/timelines/home 200']).toBe(20);
    // Each reader follows the other and both posted twice: 4 statuses await on page one.
    expect(r.metrics?.timeline_page_size?.max).toBeGreaterThanOrEqual(4);
  });
});
