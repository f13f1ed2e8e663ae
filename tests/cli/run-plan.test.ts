import { describe, expect, it } from 'vitest';
import { planRun, UsageError, type RunFlags } from '../../scripts/run/plan.js';

const builtins = { smoke: '/repo/scenarios/smoke.ts', 'signup-wave': '/repo/scenarios/signup-wave.ts' };
const flags = (f: Partial<RunFlags> = {}): RunFlags => ({ target: 'standin', env: [], out: [], tag: [], thresholds: true, ...f });

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('surge run plans', () => {
  it('picks real k6 when it is on PATH and the Node runner otherwise', () => {
    expect(planRun('smoke', flags(), { builtins, k6Path: '/usr/bin/k6' }).engine).toBe('k6');
    expect(planRun('smoke', flags(), { builtins, k6Path: undefined }).engine).toBe('node');
    expect(planRun('smoke', flags({ engine: 'node' }), { builtins, k6Path: '/usr/bin/k6' }).engine).toBe('node');
    expect(usage(() => planRun('smoke', flags({ engine: 'k6' }), { builtins, k6Path: undefined }))).toMatch(/no k6 on PATH.*--engine node/);
  });

  it('turns wave flags and -e into the script environment, -e winning', () => {
    const plan = planRun('signup-wave', flags({ wave: 'peak-hour', compress: 1440, scale: 0.01, seed: 7, env: ['SCALE=0.5', 'EMPTY='] }), {
      builtins,
      k6Path: undefined,
    });
    expect(plan.run.env).toEqual({ WAVE: 'peak-hour', COMPRESS: '1440', SCALE: '0.5', SEED: '7', EMPTY: '' });
    expect(plan.scenario).toEqual({ name: 'signup-wave', source: '/repo/scenarios/signup-wave.ts', bundled: false, builtin: true });
  });

  it('passes a URL target as BASE_URL only when it is loopback or claimed', () => {
    const plan = planRun('smoke', flags({ target: 'http://127.0.0.1:3000/', mailApiUrl: 'http://127.0.0.1:8025' }), { builtins, k6Path: undefined });
    expect(plan.run.env).toMatchObject({ BASE_URL: 'http://127.0.0.1:3000', MAIL_API_URL: 'http://127.0.0.1:8025' });
    expect(usage(() => planRun('smoke', flags({ target: 'https://social.example' }), { builtins, k6Path: undefined }))).toMatch(/--i-own-this-instance/);
    expect(usage(() => planRun('smoke', flags({ target: 'https://mastodon.social', iOwnThisInstance: true }), { builtins, k6Path: undefined }))).toMatch(
      /large public instance/,
    );
  });

  it('maps k6 output flags and refuses what it cannot serve', () => {
    const plan = planRun('smoke', flags({ out: ['json=run.jsonl'], tag: ['testid=ci-42'], thresholds: false, summaryExport: 's.json' }), {
      builtins,
      k6Path: undefined,
    });
    expect(plan.run).toMatchObject({ outJson: 'run.jsonl', tags: { testid: 'ci-42' }, noThresholds: true, summaryExport: 's.json' });
    expect(usage(() => planRun('smoke', flags({ out: ['influxdb=http://x'] }), { builtins, k6Path: undefined }))).toMatch(/--out json=FILE/);
    expect(usage(() => planRun('smoke', flags({ tag: ['novalue'] }), { builtins, k6Path: undefined }))).toMatch(/NAME=value/);
    expect(usage(() => planRun('nope', flags(), { builtins, k6Path: undefined }))).toMatch(/unknown scenario "nope"/);
    expect(usage(() => planRun('smoke', flags({ workers: 2, engine: 'k6' }), { builtins, k6Path: '/usr/bin/k6' }))).toMatch(/--workers/);
  });

  it('refuses --prometheus-rw where the Node runner would run, instead of ignoring it', () => {
    const rw = { prometheusRw: 'http://127.0.0.1:9090/api/v1/write' };
    expect(usage(() => planRun('smoke', flags(rw), { builtins, k6Path: undefined }))).toMatch(/--prometheus-rw.*--engine k6/);
    expect(planRun('smoke', flags(rw), { builtins, k6Path: '/usr/bin/k6' }).run.prometheusRw?.url).toBe(rw.prometheusRw);
  });

  it('takes a user script file as it is', () => {
    const plan = planRun('./my-test.js', flags(), { builtins, k6Path: undefined });
    expect(plan.scenario).toEqual({ name: 'my-test', source: './my-test.js', bundled: true, builtin: false });
  });
});
