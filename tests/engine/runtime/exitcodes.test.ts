import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, run, startServer, type TestServer } from './helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

describe('exit codes', () => {
  it('passing thresholds → 0, failing → 99 with k6’s message', async () => {
    const ok = await run({ script: fixture('thresholds.js'), env: { BASE: server.base, TH: 'count==3' }, noSummary: true });
    expect(ok.exitCode).toBe(0);
    expect(ok.summaryData!.metrics.http_reqs!.thresholds).toEqual({ 'count==3': { ok: true } });
    const bad = await run({ script: fixture('thresholds.js'), env: { BASE: server.base, TH: 'count<3' }, noSummary: true });
    expect(bad.exitCode).toBe(99);
    expect(bad.error).toBe("thresholds on metrics 'http_reqs' have been crossed");
    expect(bad.summaryData!.metrics.http_reqs!.thresholds).toEqual({ 'count<3': { ok: false } });
    expect(bad.summaryData!.metrics['http_req_duration{status:200}']!.thresholds).toEqual({ 'max<10000': { ok: true } });
  });

  it('--no-thresholds skips them', async () => {
    const r = await run({ script: fixture('thresholds.js'), env: { BASE: server.base, TH: 'count<3' }, overrides: { noThresholds: true }, noSummary: true });
    expect(r.exitCode).toBe(0);
  });

  it('an invalid threshold is an invalid config (104)', async () => {
    const r = await run({ script: fixture('thresholds.js'), env: { BASE: server.base, TH: 'p(95)<3' }, noSummary: true });
    expect(r.exitCode).toBe(104);
    expect(r.error).toContain('unsupported aggregation method p on metric of type counter');
  });

  it('abortOnFail stops the test at the first 2s evaluation and still runs teardown', async () => {
    const t0 = Date.now();
    const r = await run({ script: fixture('abort-on-fail.js'), noSummary: true });
    const took = Date.now() - t0;
    expect(r.exitCode).toBe(99);
    expect(r.error).toContain('at least one has abortOnFail enabled, stopping test prematurely');
    expect(took).toBeLessThan(6000);
    expect(r.summaryData!.state.testRunDurationMs).toBeGreaterThan(1900);
    expect(r.logs.some((l) => l.msg === 'teardown ran')).toBe(true);
  });

  it('exec.test.abort() → 108; teardown still runs; the aborting iteration is interrupted', async () => {
    const r = await run({ script: fixture('test-abort.js'), noSummary: true });
    expect(r.exitCode).toBe(108);
    expect(r.error).toBe('test aborted: enough');
    expect(r.logs.some((l) => l.msg === 'teardown ran')).toBe(true);
    expect(r.summaryData!.metrics.iterations!.values.count).toBe(2);
  });

  it('a throw in setup → 107 and no teardown', async () => {
    const r = await run({ script: fixture('setup-throw.js'), noSummary: true });
    expect(r.exitCode).toBe(107);
    expect(r.error).toMatch(/Error: setup exploded/);
    expect(r.logs.some((l) => l.msg === 'teardown ran')).toBe(false);
  });

  it('an invalid custom metric name is an init error (107)', async () => {
    const r = await run({ script: fixture('bad-metric.js'), noSummary: true });
    expect(r.exitCode).toBe(107);
    expect(r.error).toContain("Invalid metric name: 'bad-name'");
  });

  it('a throw in teardown → 107, and handleSummary still runs', async () => {
    const r = await run({ script: fixture('teardown-throw.js') });
    expect(r.exitCode).toBe(107);
    expect(r.error).toMatch(/Error: teardown exploded\n\s+at teardown \(.*teardown-throw\.js:6:/);
    expect(r.stdout).toBe('handled 1\n');
  });

  it('an unknown scenario key → 104; an unknown top-level option only warns, as in k6', async () => {
    const r = await run({ script: fixture('unknown-option.js'), noSummary: true });
    expect(r.exitCode).toBe(104);
    expect(r.error).toContain('json: unknown field "colour"');
    const top = await run({ script: fixture('unknown-top-option.js'), noSummary: true });
    expect(top.exitCode).toBe(0);
    expect(top.logs.some((l) => l.level === 'warning' && l.msg.includes('unknown field "colour"'))).toBe(true);
  });

  it('an aborted signal stops like Ctrl-C: 105, teardown and summary still happen', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const r = await run({ script: fixture('abort-on-fail.js'), overrides: { noThresholds: true }, signal: ac.signal });
    expect(r.exitCode).toBe(105);
    expect(r.error).toBe("test run was aborted because k6 received a 'interrupt' signal");
    expect(r.logs.some((l) => l.msg === 'teardown ran')).toBe(true);
    expect(r.stdout).toContain('TOTAL RESULTS');
  });
});
