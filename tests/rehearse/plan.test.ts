import { describe, expect, it } from 'vitest';
import { getWave } from '../../scenarios/waves/builtin.js';
import { breakpointSteps, planRehearsal, type RehearseFlags } from '../../scripts/rehearse/plan.js';
import { UsageError } from '../../scripts/run/plan.js';

const flags = (f: Partial<RehearseFlags> = {}): RehearseFlags => ({
  wave: 'exodus-day-one', target: 'auto', bpSteps: 12, bpStepDuration: '20s', bpStartRate: 1, bpStepRate: 1, activityRate: 50, activityDuration: '2m', ...f,
});
const facts = { docker: false, now: new Date('2026-11-27T01:00:00Z'), cwd: '/work' };

describe('rehearsal plans', () => {
  it('falls back from auto to the stand-in without Docker, and says so', () => {
    const plan = planRehearsal(flags(), getWave('exodus-day-one'), facts);
    expect(plan.target).toEqual({ kind: 'standin' });
    expect(plan.notes.join(' ')).toMatch(/no Docker engine here, so the stand-in is used/);
    expect(plan.outDir).toBe('/work/runs/20261127-010000Z-exodus-day-one');
  });

  it('runs a breakpoint, the wave compressed into 4 minutes and scaled into the breakpoint range, then the activity phase', () => {
    const plan = planRehearsal(flags(), getWave('exodus-day-one'), facts);
    expect(plan.phases.map((p) => [p.name, p.scenario])).toEqual([['breakpoint', 'breakpoint'], ['wave', 'signup-wave'], ['activity', 'newcomer-activity']]);
    expect(plan.wave.compression).toBeCloseTo(360, 6);
    // Compressed peak (≈1.79/s × 360) brought down to half the top step (12/s).
    expect(plan.wave.realPeakRate * plan.wave.compression * plan.wave.scale).toBeCloseTo(6, 6);
    expect(plan.phases[1]!.env).toMatchObject({ WAVE: 'exodus-day-one', DURATION: '240s' });
    expect(plan.phases[0]!.env).toMatchObject({ BP_STEPS: '12', BP_STEP_DURATION: '20s', BP_START_RATE: '1' });
    expect(plan.phases[2]!.env).toMatchObject({ WAVE: 'exodus-day-one', DURATION: '120s', SEED: plan.phases[0]!.env.SEED });
    expect(plan.phases.reduce((s, p) => s + p.plannedSec, 0)).toBeLessThanOrEqual(10 * 60);
  });

  it("scales the activity phase so the newcomers' everyday requests peak at --activity-rate", () => {
    const w = getWave('exodus-day-one');
    const at = (activityRate: number) => Number(planRehearsal(flags({ activityRate }), w, facts).phases[2]!.env.SCALE);
    expect(at(100) / at(50)).toBeCloseTo(2, 4);
    // 70,000 newcomers replayed in 2 minutes would ask for thousands of requests/s; 50/s is a small slice.
    expect(at(50)).toBeLessThan(0.05);
    expect(() => planRehearsal(flags({ activityDuration: '2s' }), w, facts)).toThrow(/--activity-duration "2s" must be a duration of 10s or more/);
  });

  it('skips the activity phase for a URL target without a mail API, and says why', () => {
    const w = getWave('peak-hour');
    const plan = planRehearsal(flags({ target: 'http://127.0.0.1:3000' }), w, facts);
    expect(plan.phases.map((p) => p.name)).toEqual(['breakpoint', 'wave']);
    expect(plan.notes.join(' ')).toMatch(/activity phase is skipped/);
    expect(() => planRehearsal(flags({ target: 'http://127.0.0.1:3000', phases: 'activity' }), w, facts)).toThrow(/--phases activity needs --mail-api-url/);
    const withMail = planRehearsal(flags({ target: 'http://127.0.0.1:3000', mailApiUrl: 'http://127.0.0.1:8025/' }), w, facts);
    expect(withMail.phases.at(-1)!.env).toMatchObject({ BASE_URL: 'http://127.0.0.1:3000', MAIL_API_URL: 'http://127.0.0.1:8025' });
  });

  it('keeps a user scale and honours --compress, --breakpoint and --no-breakpoint', () => {
    const w = getWave('peak-hour');
    expect(planRehearsal(flags({ scale: 0.5, compress: 12 }), w, facts).wave).toMatchObject({ scale: 0.5, compression: 12 });
    expect(planRehearsal(flags({ breakpoint: true }), w, facts).phases.map((p) => p.name)).toEqual(['breakpoint']);
    expect(planRehearsal(flags({ breakpoint: false }), w, facts).phases.map((p) => p.name)).toEqual(['wave', 'activity']);
  });

  it('refuses what it cannot do with one line naming the fix', () => {
    const w = getWave('peak-hour');
    expect(() => planRehearsal(flags({ target: 'mastodon' }), w, facts)).toThrow(/needs a running Docker engine.*--target standin/);
    expect(() => planRehearsal(flags({ target: 'https://social.example' }), w, facts)).toThrow(/--i-own-this-instance/);
    expect(() => planRehearsal(flags({ compress: 2, duration: '5m' }), w, facts)).toThrow(UsageError);
    expect(() => planRehearsal(flags({ phases: 'wave,soak' }), w, facts)).toThrow(/unknown phase "soak" \(use breakpoint, wave, activity\)/);
  });

  it('refuses phases chosen twice or both ways, a wave replayed in under 2 s, and a mail API that is not a plain URL', () => {
    const w = getWave('peak-hour');
    expect(() => planRehearsal(flags({ phases: 'wave,wave' }), w, facts)).toThrow(/--phases: "wave" is listed twice/);
    expect(() => planRehearsal(flags({ phases: '' }), w, facts)).toThrow(/--phases: unknown phase ""/);
    expect(() => planRehearsal(flags({ phases: 'wave', breakpoint: true }), w, facts)).toThrow(/--phases and --breakpoint both choose the phases: give one/);
    expect(() => planRehearsal(flags({ phases: 'wave', breakpoint: false }), w, facts)).toThrow(/--phases and --no-breakpoint/);
    // k6 reads a bare number as milliseconds: "--duration 5" is 5 ms, not a wave.
    expect(() => planRehearsal(flags({ duration: '5' }), w, facts)).toThrow(/--duration 5 plays the peak-hour wave in 0\.005 s; give at least 2 s/);
    expect(() => planRehearsal(flags({ compress: 10_000 }), w, facts)).toThrow(/--compress 10000 plays the peak-hour wave in 0\.36 s/);
    expect(planRehearsal(flags({ duration: '2s' }), w, facts).phases[1]!.env.DURATION).toBe('2s');
    const url = { target: 'http://127.0.0.1:3000' };
    expect(() => planRehearsal(flags({ ...url, mailApiUrl: 'mailpit' }), w, facts)).toThrow(/--mail-api-url "mailpit" is not a URL like http:\/\/127\.0\.0\.1:8025/);
    expect(() => planRehearsal(flags({ ...url, mailApiUrl: 'http://admin:hunter2@127.0.0.1:8025' }), w, facts)).toThrow(/^--mail-api-url must not carry a user or password[^\n]*$/);
    expect(() => planRehearsal(flags({ mailApiUrl: 'http://127.0.0.1:8025' }), w, facts)).toThrow(/--mail-api-url is for a URL target; the standin target has its own mail sink/);
  });

  it('checks --tag wherever the rehearsal lands, and refuses it for a target without an image', () => {
    const w = getWave('peak-hour');
    // Without Docker, auto falls back to the stand-in; a typo in the tag is still a typo.
    expect(() => planRehearsal(flags({ tag: 'latest' }), w, facts)).toThrow(/^--tag "latest" is not a Mastodon release tag such as v4\.5\.\d+$/);
    expect(planRehearsal(flags({ tag: 'v4.4.8' }), w, facts).notes).toContain('--tag v4.4.8 applies only to the containerised Mastodon');
    expect(() => planRehearsal(flags({ tag: 'v4.4.8', target: 'standin' }), w, facts)).toThrow(/--tag picks the containerised Mastodon's image; the stand-in target has none/);
    expect(() => planRehearsal(flags({ tag: 'v4.4.8', target: 'http://127.0.0.1:3000' }), w, facts)).toThrow(/a URL target has none/);
    expect(planRehearsal(flags({ tag: 'v4.4.8', target: 'mastodon' }), w, { ...facts, docker: true }).target).toEqual({ kind: 'mastodon', tag: 'v4.4.8' });
  });

  it('lays the breakpoint steps out from --bp-step-duration read as a k6 duration', () => {
    const plan = planRehearsal(flags({ bpSteps: 3, bpStepDuration: '2500ms', bpStartRate: 2, bpStepRate: 0.5 }), getWave('peak-hour'), facts);
    expect(breakpointSteps(plan.phases[0]!.env, 10)).toEqual([
      { startSec: 10, endSec: 12.5, rate: 2 },
      { startSec: 12.5, endSec: 15, rate: 2.5 },
      { startSec: 15, endSec: 17.5, rate: 3 },
    ]);
    expect(breakpointSteps(planRehearsal(flags({ bpSteps: 1, bpStepDuration: '1m30s' }), getWave('peak-hour'), facts).phases[0]!.env, 0)[0]!.endSec).toBe(90);
  });

  it("plans where the instance's series are read, and refuses what --prometheus-url cannot do", () => {
    const w = getWave('peak-hour');
    const url = { target: 'http://127.0.0.1:3000', prometheusUrl: 'http://127.0.0.1:9090/' };
    expect(planRehearsal(flags(url), w, facts).metrics).toEqual({ prometheusUrl: 'http://127.0.0.1:9090', jobs: {} });
    expect(planRehearsal(flags({ ...url, prometheusJobs: 'web=puma, worker=sidekiq' }), w, facts).metrics.jobs).toEqual({ web: 'puma', worker: 'sidekiq' });
    expect(planRehearsal(flags(), w, facts).metrics).toEqual({ jobs: {} });
    expect(() => planRehearsal(flags({ prometheusUrl: 'http://127.0.0.1:9090' }), w, facts)).toThrow(/the standin target is started for the run.*drop --prometheus-url, or give --target URL/);
    expect(() => planRehearsal(flags({ ...url, prometheusJobs: 'db=pg' }), w, facts)).toThrow(/unknown role "db" \(use web, worker, streaming, postgres, redis, node\)/);
    expect(() => planRehearsal(flags({ ...url, prometheusJobs: 'web' }), w, facts)).toThrow(/"web" is not role=job/);
    expect(() => planRehearsal(flags({ ...url, prometheusUrl: 'http://admin:hunter2@127.0.0.1:9090' }), w, facts)).toThrow(/must not carry a user or password/);
    expect(() => planRehearsal(flags({ ...url, prometheusUrl: undefined, prometheusJobs: 'web=x' }), w, facts)).toThrow(/give --prometheus-url too/);
  });

  it("shapes only the stand-in's own mail relay", () => {
    const w = getWave('peak-hour');
    expect(planRehearsal(flags({ mailDelay: '2s', mailQuota: 100 }), w, facts).standinMail).toEqual({ delayMs: 2000, dailyQuota: 100 });
    expect(planRehearsal(flags(), w, facts).standinMail).toEqual({});
    expect(() => planRehearsal(flags({ target: 'http://127.0.0.1:3000', mailDelay: '2s' }), w, facts)).toThrow(/--mail-delay and --mail-quota shape the stand-in's own mail relay/);
  });
});
