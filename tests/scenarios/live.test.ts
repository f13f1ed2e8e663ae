import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTest, type RunOverrides } from '../../infra/engines/node/runtime/run.js';
import { startStandin, type StandinHandle } from '../../infra/targets/standin/standin.js';
import { buildScenarios } from '../../scripts/build-scenarios.js';

// The scenario bundles against a real stand-in on the Node runner, as
// `k6 run --vus N --iterations M` would run them: every flow completes, every
// check passes, and every request carries an endpoint `name`, not a URL.

let s: StandinHandle;
let env: Record<string, string>;
let dir: string;
const bundles: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'surge-live-'));
  const [standin, built] = await Promise.all([
    startStandin({ webConcurrency: 2, maxThreads: 4, sidekiqConcurrency: 3 }),
    buildScenarios({ outDir: join(dir, 'k6') }),
  ]);
  s = standin;
  for (const b of built) bundles[b.name] = b.file;
  env = { BASE_URL: s.baseUrl, MAIL_API_URL: s.mailApiUrl };
}, 180_000);

afterAll(async () => {
  await s?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  exitCode: number;
  stderr: string;
  metrics: Record<string, { values: Record<string, number> }>;
  checks: Record<string, { passes: number; fails: number }>;
  /** `"<name> <status>"` → count, from the --out json lines. */
  requests: Record<string, number>;
}

async function run(bundle: string, scriptEnv: Record<string, string>, overrides: RunOverrides): Promise<Outcome> {
  const out = join(dir, `${Math.random().toString(36).slice(2)}.jsonl`);
  let stderr = '';
  const sink = { write: (c: string | Uint8Array) => void (stderr += String(c)) };
  const r = await runTest({ script: bundles[bundle]!, env: scriptEnv, overrides, outJson: out, quiet: true, stdout: { write: () => true }, stderr: sink, logSink: (l) => void (stderr += `${l}\n`) });
  const requests: Record<string, number> = {};
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    if (!line) continue;
    const p = JSON.parse(line);
    if (p.type === 'Point' && p.metric === 'http_reqs') {
      const key = `${p.data.tags.name} ${p.data.tags.status}`;
      requests[key] = (requests[key] ?? 0) + 1;
    }
  }
  const checks: Outcome['checks'] = {};
  const walk = (g: { checks: { name: string; passes: number; fails: number }[]; groups: unknown[] }) => {
    for (const c of g.checks) checks[c.name] = { passes: c.passes, fails: c.fails };
    for (const sub of g.groups) walk(sub as typeof g);
  };
  if (r.summaryData) walk(r.summaryData.root_group as never);
  return { exitCode: r.exitCode, stderr, metrics: (r.summaryData?.metrics ?? {}) as Outcome['metrics'], checks, requests };
}

function expectClean(r: Outcome): void {
  expect(r.exitCode, r.stderr.slice(-2000)).toBe(0);
  expect(Object.entries(r.checks).filter(([, c]) => c.fails > 0)).toEqual([]);
  for (const key of Object.keys(r.requests)) expect(key, 'request named by endpoint, not URL').not.toMatch(/https?:\/\//);
}

describe('scenario bundles against the stand-in, on the Node runner', () => {
  it('smoke: newcomers sign up, confirm by mail, sign in, post, and see their post at home', async () => {
    const r = await run('smoke', { ...env, SEED: '101' }, {});
    expectClean(r);
    expect(r.metrics.signups_completed!.values.count).toBe(3);
    expect(r.checks["new post reaches its author's home timeline"]).toEqual({ passes: 3, fails: 0 });
    expect(r.requests).toMatchObject({ 'POST /api/v1/accounts 200': 3, 'GET /auth/confirmation 302': 3, 'POST /api/v1/statuses 200': 3 });
    expect(r.metrics.confirmation_latency!.values['p(95)']).toBeGreaterThan(0);
  });

  it('smoke: a second run with the same SEED stops in setup, saying why', async () => {
    const r = await run('smoke', { ...env, SEED: '101' }, {});
    expect(r.exitCode).toBe(108);
    expect(r.stderr).toMatch(/already exists/);
  });

  it('signup-wave: each iteration is one newcomer with their own IP, signed up and confirmed by mail', async () => {
    const r = await run('signup-wave', { ...env, SEED: '102', WAVE: 'peak-hour', DURATION: '1m', SCALE: '0.01' }, { vus: 4, iterations: 8 });
    expectClean(r);
    expect(r.metrics.signups_completed!.values.count).toBe(8);
    expect(r.metrics.signup_duration!.values.count ?? r.requests['POST /api/v1/accounts 200']).toBe(8);
    expect(r.requests['POST /api/v1/accounts 200']).toBe(8);
    expect(r.requests['GET /auth/confirmation 302']).toBe(8);
  });

  it('signup-wave throttle rehearsal: shared IPs hit the per-IP throttles, 429s pass as expected', async () => {
    const r = await run('signup-wave', { ...env, SEED: '104', WAVE: 'peak-hour', DURATION: '1m', SCALE: '0.01', CLIENT_IPS: '1' }, { vus: 4, iterations: 8 });
    expectClean(r);
    // 5 app registrations per 10 min per IP: the other 3 newcomers are turned away.
    expect(r.requests['POST /api/v1/apps 429']).toBe(3);
    expect(r.metrics.signups_completed!.values.count).toBe(5);
  });

  it('newcomer-activity: a confirmed cohort follows, posts, reads, favourites, reblogs and polls notifications', async () => {
    const r = await run(
      'newcomer-activity',
      { ...env, SEED: '105', WAVE: 'exodus-day-one', DURATION: '10m', SCALE: '0.0001', COHORT_SIZE: '3', PAGE_PROB: '0.5' },
      { vus: 3, iterations: 90 },
    );
    expectClean(r);
    const names = Object.keys(r.requests).map((k) => k.replace(/ \d+$/, ''));
    for (const endpoint of ['POST /api/v1/statuses', 'GET /api/v1/timelines/home', 'GET /api/v1/timelines/public', 'GET /api/v1/notifications']) {
      expect(names, endpoint).toContain(endpoint);
    }
  });

  it('timeline-read: readers who follow each other read filled home timelines at a constant rate', async () => {
    const r = await run('timeline-read', { ...env, SEED: '106', RATE: '4', DURATION: '5s', FOLLOWS_PER_USER: '2', POSTS_PER_USER: '2', PAGE_PROB: '0' }, {});
    expectClean(r);
    // constant-arrival-rate starts iteration k at k/rate from t=0: 4/s for 5 s is 20 reads.
    expect(r.requests['GET /api/v1/timelines/home 200']).toBe(20);
    expect(r.metrics.dropped_iterations).toBeUndefined();
  });
});
