import { describe, expect, it } from 'vitest';
import { ReportConfigError } from '../../../reports/model/config-errors.js';
import { DEFAULT_SLOS, evaluateSlos, parseSloConfig } from '../../../reports/model/slo.js';
import { phase, runData, series } from './fixtures.js';

function failure(data: unknown): string {
  let err: unknown;
  try {
    parseSloConfig(data, 'slo.yaml');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ReportConfigError);
  const message = (err as Error).message;
  expect(message).not.toContain('\n');
  expect(message.startsWith('slo.yaml: ')).toBe(true);
  return message;
}

describe('SLO config', () => {
  it('defaults to what an admin would accept', () => {
    expect(parseSloConfig(undefined)).toEqual({
      apiP95Sec: 0.5,
      apiP99Sec: 1,
      errorRate: 0.01,
      signupP95Sec: 30,
      queueLatencySec: { default: 60, push: 60, ingress: 60, mailers: 300 },
    });
    expect(parseSloConfig({})).toEqual(DEFAULT_SLOS);
  });

  it('overrides with durations or seconds, switches objectives off with null, and adds queues', () => {
    const slos = parseSloConfig({
      api: { p95: '300ms', p99: 2 },
      errors: { rate: null },
      signup: { p95: '1m' },
      queues: { mailers: '10m', push: null, pull: '15m' },
    });
    expect(slos).toEqual({
      apiP95Sec: 0.3,
      apiP99Sec: 2,
      errorRate: null,
      signupP95Sec: 60,
      queueLatencySec: { default: 60, ingress: 60, mailers: 600, pull: 900 },
    });
    // The defaults are not mutated by an override.
    expect(DEFAULT_SLOS.queueLatencySec.push).toBe(60);
  });

  it('refuses unknown keys with a suggestion and the allowed keys, on one line', () => {
    expect(failure({ api: { P95: '1s' } })).toBe("slo.yaml: unknown key 'api.P95' (did you mean 'p95'?); allowed here: p95, p99");
    expect(failure({ signup: { p59: '1s' } })).toBe("slo.yaml: unknown key 'signup.p59' (did you mean 'p95'?); allowed here: p95");
    expect(failure({ latency: {} })).toContain("unknown key 'latency'; allowed here: api, errors, signup, queues");
  });

  it('explains bad values with what to write instead', () => {
    expect(failure({ api: { p95: -1 } })).toBe(
      "slo.yaml: api.p95 must be a duration like '500ms' or '2m', a positive number of seconds, or null to switch it off (got -1)",
    );
    // A bare numeric string is ambiguous (k6 reads it as milliseconds): refused.
    expect(failure({ api: { p95: '500' } })).toContain("api.p95 must be a duration like '500ms'");
    expect(failure({ errors: { rate: 5 } })).toBe('slo.yaml: errors.rate must be a fraction between 0 and 1 such as 0.01 (1 %), or null to switch it off (got 5)');
    expect(failure({ queues: { Mailers: '1m' } })).toBe("slo.yaml: key 'queues.Mailers' is not allowed: queue names are lowercase letters, digits, - and _");
    expect(failure([1, 2])).toBe('slo.yaml: must be a mapping of fields (got a list)');
    expect(failure({ api: { p95: 'soon', p99: 'later' } })).toMatch(/\(and 1 more problem\)$/);
  });
});

describe('evaluateSlos', () => {
  const data = runData({
    phases: [phase('breakpoint', 0, 600), phase('wave', 600, 1200)],
    series: {
      // Terrible during the breakpoint, fine during the wave except p99 between 900 and 960 s.
      latencyP95: [series('p95', (t) => (t < 600 ? 3 : 0.2 + (t === 900 ? 0.1 : 0)), 0, 1200)],
      latencyP99: [series('p99', (t) => (t >= 900 && t < 960 ? 1.5 : 0.4), 0, 1200)],
      errorRate: [series('err', () => 0.001, 0, 1200)],
      sidekiqLatency: [series('lat', () => 2, 0, 1200, { queue: 'default' }), series('lat', () => 400, 0, 1200, { queue: 'mailers' })],
    },
  });

  it('judges the wave phase, not the breakpoint, and gives the worst value and when', () => {
    const ev = evaluateSlos(data, DEFAULT_SLOS);
    expect(ev.window).toEqual({ from: 600, to: 1200, basis: 'the wave phase' });
    const by = Object.fromEntries(ev.verdicts.map((v) => [v.id, v]));
    expect(by['api-p95']).toMatchObject({ pass: true, observed: 0.30000000000000004, objective: 'API p95 < 500 ms' });
    expect(by['api-p95']!.evidence.worstAt).toBe(900);
    expect(by['api-p99']).toMatchObject({ pass: false, observed: 1.5, objective: 'API p99 < 1 s' });
    expect(by['api-p99']!.evidence).toMatchObject({ firstViolationAt: 900, violatedSec: 60 });
    expect(by['api-p99']!.evidence.text).toBe('worst 1.5 s at t=900 s; at or over 1 s for 60 s from t=900 s');
    expect(by.errors).toMatchObject({ pass: true, objective: 'Server errors (5xx) < 1 %' });
    expect(by['queue-mailers']).toMatchObject({ pass: false, observed: 400, objective: 'Sidekiq mailers queue latency < 5 min' });
    expect(by['queue-default']!.pass).toBe(true);
    expect(ev.pass).toBe(false);
    // No signup, push or ingress series: neither pass nor fail.
    expect(ev.unmeasured).toEqual(['signup-p95', 'queue-push', 'queue-ingress']);
    expect(by['signup-p95']).toMatchObject({ pass: null, observed: null });
  });

  it('passes overall only when every measured objective holds', () => {
    const slos = parseSloConfig({ api: { p99: '2s' }, queues: { mailers: '10m' } });
    expect(evaluateSlos(data, slos).pass).toBe(true);
    // Judged over the whole run the breakpoint's 3 s p95 fails it.
    expect(evaluateSlos(data, slos, { from: 0, to: 1200, basis: 'the whole run' }).pass).toBe(false);
  });

  it("leaves out the wave's first rate window, which still averages in the breakpoint's overload", () => {
    // rate() over 15 s windows: the sample at t=600 still reports the breakpoint's 3 s.
    const spill = runData({
      phases: [phase('breakpoint', 0, 600), phase('wave', 600, 1200)],
      rateWindowSec: 15,
      series: { latencyP95: [series('p95', (t) => (t <= 600 ? 3 : 0.2), 0, 1200)] },
    });
    const ev = evaluateSlos(spill, DEFAULT_SLOS);
    expect(ev.window).toMatchObject({ from: 615, to: 1200 });
    expect(ev.verdicts.find((v) => v.id === 'api-p95')).toMatchObject({ pass: true, observed: 0.2 });
  });

  it('says when only a breakpoint was there to judge', () => {
    const only = runData({ phases: [phase('breakpoint', 0, 600)], series: { latencyP95: [series('p95', () => 0.1, 0, 600)] } });
    expect(evaluateSlos(only, DEFAULT_SLOS).window).toEqual({ from: 0, to: 600, basis: 'the whole run, breakpoint included' });
  });

  it('counts nothing measured as not passed', () => {
    const ev = evaluateSlos(runData(), DEFAULT_SLOS);
    expect(ev.pass).toBe(false);
    expect(ev.unmeasured).toHaveLength(ev.verdicts.length);
  });
});
