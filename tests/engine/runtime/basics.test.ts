import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pathId } from '../../../infra/engines/node/groups.js';
import { freePort } from '../../../infra/services/ports.js';
import { fixture, run, serverThread, startServer, type TestServer } from './helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

const tmp = (name: string) => path.join(os.tmpdir(), `surge-rt-${process.pid}-${name}`);

describe('handleSummary data', () => {
  it('has k6’s shape for checks, groups, custom metrics and setup data', async () => {
    const out = tmp('summary.json');
    const r = await run({ script: fixture('summary.js'), env: { BASE: server.base, SUMMARY_OUT: out } });
    expect(r.exitCode).toBe(0);
    const data = JSON.parse(readFileSync(out, 'utf8'));
    rmSync(out);
    // What handleSummary got is what runTest returns.
    expect(data).toEqual(JSON.parse(JSON.stringify(r.summaryData)));
    expect(r.stdout).toBe(''); // handleSummary replaced the text summary

    expect(Object.keys(data)).toEqual(['root_group', 'options', 'state', 'metrics', 'setup_data']);
    expect(data.setup_data).toEqual({ base: server.base, nested: { n: 1 } });
    expect(data.options).toEqual({ summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'], summaryTimeUnit: '', noColor: false });
    expect(data.state.testRunDurationMs).toBeGreaterThan(0);

    const root = data.root_group;
    expect(root).toMatchObject({ name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e' });
    expect(root.checks).toEqual([{ name: 'root check', path: '::root check', id: pathId('::root check'), passes: 4, fails: 0 }]);
    const outer = root.groups[0];
    expect(outer).toMatchObject({ name: 'outer', path: '::outer', id: pathId('::outer') });
    expect(outer.checks).toEqual([{ name: 'is 200', path: '::outer::is 200', id: pathId('::outer::is 200'), passes: 4, fails: 0 }]);
    expect(outer.groups[0]).toMatchObject({ name: 'inner', path: '::outer::inner', groups: [] });
    expect(outer.groups[0].checks[0]).toMatchObject({ name: 'inner fails', passes: 0, fails: 4 });

    const m = data.metrics;
    expect(m.my_counter).toEqual({ type: 'counter', contains: 'default', values: { count: 8, rate: expect.any(Number) } });
    expect(m.my_gauge.type).toBe('gauge');
    expect(m.my_gauge.values).toEqual({ value: expect.any(Number), min: 1, max: 2 });
    expect(m.my_rate).toEqual({
      type: 'rate',
      contains: 'default',
      values: { rate: 0.5, passes: 2, fails: 2 },
      thresholds: { 'rate>0.4': { ok: true } },
    });
    expect(m.my_trend.contains).toBe('time');
    expect(m.my_trend.values).toEqual({ avg: 15, min: 10, med: 15, max: 20, 'p(90)': 20, 'p(95)': 20 });
    expect(m.checks.values).toEqual({ rate: 8 / 12, passes: 8, fails: 4 });
    expect(m.iterations.values.count).toBe(4);
    expect(m.http_reqs.values.count).toBe(4);
    expect(m['http_req_duration{name:ok}'].thresholds).toEqual({ 'p(95)<5000': { ok: true } });
    expect(m['http_req_duration{expected_response:true}'].values.max).toBeGreaterThan(0);
    expect(m.group_duration.type).toBe('trend');
    expect(m.data_received.contains).toBe('data');
    // no samples, no thresholds → not observed
    expect(m.dropped_iterations).toBeUndefined();
    expect(m.ws_sessions).toBeUndefined();
  });
});

describe('VUs', () => {
  it('each VU has its own module state; SharedArray builds once and hands out copies', async () => {
    const r = await run({ script: fixture('isolation.js'), noSummary: true });
    expect(r.exitCode).toBe(0);
    const m = r.summaryData!.metrics;
    expect(m.per_vu_count!.values).toMatchObject({ min: 1, max: 4 });
    expect(m.iterations!.values.count).toBe(12);
    // __VU 1..3, __ITER 0..3
    expect(m.vu_id!.values).toMatchObject({ min: 100, max: 303 });
    expect(r.logs.filter((l) => l.msg === 'shared array built')).toHaveLength(1);
    expect(r.logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('pending timers keep an iteration alive', async () => {
    const r = await run({ script: fixture('timers.js'), noSummary: true });
    expect(r.exitCode).toBe(0);
    const m = r.summaryData!.metrics;
    expect(m.iterations!.values.count).toBe(2);
    expect(m.iteration_duration!.values.min).toBeGreaterThanOrEqual(195);
    expect(m.checks!.values.passes).toBe(2 * 4);
  });

  it('WebCrypto calls keep an iteration alive, so the requests after them are counted', async () => {
    const windows: { requests: number; latencyP95Ms: number | undefined }[] = [];
    const r = await run({ script: fixture('webcrypto.js'), env: { BASE: server.base }, noSummary: true, progressIntervalMs: 20, progress: (p) => windows.push(p.window) });
    expect(r.exitCode).toBe(0);
    // The progress windows add up to every request, each window starting where the last ended.
    expect(windows.reduce((a, w) => a + w.requests, 0)).toBe(24);
    expect(windows.some((w) => w.latencyP95Ms !== undefined && w.latencyP95Ms >= 0)).toBe(true);
    const m = r.summaryData!.metrics;
    expect(m.iterations!.values.count).toBe(12);
    expect(m.http_reqs!.values.count).toBe(24);
    expect(m.checks!.values).toMatchObject({ passes: 12 * 4, fails: 0 });
  });

  it('a throw, a rejection or a throwing timer fails the iteration, which still counts', async () => {
    const r = await run({ script: fixture('iteration-errors.js'), noSummary: true });
    expect(r.exitCode).toBe(0);
    const errors = r.logs.filter((l) => l.level === 'error').map((l) => l.msg);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/Error: sync boom\n\s+at /);
    expect(errors[1]).toMatch(/^Uncaught \(in promise\) Error: async boom/);
    expect(errors[2]).toMatch(/Error: timer boom/);
    expect(r.logs.find((l) => l.level === 'error')!.fields).toMatchObject({ scenario: 'default', source: 'stacktrace' });
    const m = r.summaryData!.metrics;
    expect(m.iterations!.values.count).toBe(3);
    expect(m.checks).toBeUndefined(); // the timer after the failing one was cancelled
    expect(m.iteration_duration!.values.max).toBeLessThan(250);
  });
});

describe('modules', () => {
  it('k6/encoding, k6/crypto, k6/timers, open(), __ENV and k6/execution', async () => {
    const out = tmp('modules.jsonl');
    const r = await run({ script: fixture('modules.js'), env: { FROM_CLI: 'cli' }, outJson: out, noSummary: true });
    expect(r.exitCode).toBe(0);
    const checks = r.summaryData!.root_group.checks;
    expect(checks.filter((c) => c.fails > 0).map((c) => c.name)).toEqual([]);
    expect(checks).toHaveLength(16);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    rmSync(out);
    const late = lines.find((l) => l.type === 'Point' && l.data.tags.check === 'custom vu tag applied');
    expect(late.data.tags).toMatchObject({ late: 'tag', team: 'a', scenario: 'envy' });
  });

  it('the jslib k6-summary textSummary renders handleSummary data', async () => {
    const r = await run({ script: fixture('jslib-summary.js') });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('THRESHOLDS');
    expect(r.stdout).toContain("✓ 'rate==1' rate=100.00%");
    expect(r.stdout).toContain('✓ one');
    expect(r.stdout).toMatch(/iterations\.+: 2 /);
  });

  it('the jslib k6-utils helpers are provided and follow randomSeed', async () => {
    const r = await run({ script: fixture('jslib-utils.js'), noSummary: true });
    expect(r.exitCode).toBe(0);
    const checks = r.summaryData!.root_group.checks;
    expect(checks).toHaveLength(5);
    expect(checks.filter((c) => c.fails > 0).map((c) => c.name)).toEqual([]);
  });

  it('an unsupported k6 module is named in a clear init error (107)', async () => {
    const r = await run({ script: fixture('unknown-module.js'), noSummary: true });
    expect(r.exitCode).toBe(107);
    expect(r.error).toContain("the k6 module 'k6/ws' is not supported by the Node runner");
  });
});

describe('blocking APIs', () => {
  // The blocking calls stop this thread, and with it a server on it.
  const threaded = serverThread();

  it('http.get/post/batch and sleep() block the VU and behave as in k6', async () => {
    const closed = await freePort();
    const r = await run({ script: fixture('sync-http.js'), env: { BASE: threaded().base, CLOSED_PORT: String(closed) }, noSummary: true });
    expect(r.exitCode).toBe(0);
    const failed = r.summaryData!.root_group.checks.filter((c) => c.fails > 0).map((c) => c.name);
    expect(failed).toEqual([]);
    expect(r.summaryData!.root_group.checks.length).toBe(11);
    // setup 1 + get, post, 3 hops, 3 + 2 batched, timeout, refused
    expect(r.summaryData!.metrics.http_reqs!.values.count).toBe(13);
    expect(r.summaryData!.metrics.data_received!.values.count).toBeGreaterThan(0);
  });

  it('a blocking call that holds up other VUs of the process is pointed out once', async () => {
    const r = await run({ script: fixture('sync-in-async.js'), env: { BASE: threaded().base }, noSummary: true });
    expect(r.exitCode).toBe(0);
    expect(r.summaryData!.metrics.iterations!.values.count).toBe(4);
    const warned = r.logs.filter((l) => l.level === 'warning' && l.msg.includes('blocks every VU of this process'));
    expect(warned).toHaveLength(1);
    expect(warned[0]!.msg).toContain('await new Promise((r) => setTimeout(r, ms))');
  });

  it('sleep(1) after a request makes one-second iterations', async () => {
    const r = await run({ script: fixture('sync-sleep.js'), env: { BASE: threaded().base }, noSummary: true });
    expect(r.exitCode).toBe(0);
    expect(r.summaryData!.metrics.iterations!.values.count).toBe(2);
  });
});

describe('k6/http', () => {
  it('serves the Response API, redirects, errors and response callbacks like k6', async () => {
    const out = tmp('http.jsonl');
    const r = await run({ script: fixture('http-features.js'), env: { BASE: server.base }, outJson: out, noSummary: true });
    expect(r.exitCode).toBe(0);
    const failed = r.summaryData!.root_group.checks.filter((c) => c.fails > 0).map((c) => c.name);
    expect(failed).toEqual([]);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    rmSync(out);
    const reqs = lines.filter((l) => l.type === 'Point' && l.metric === 'http_reqs').map((l) => l.data.tags);
    // 2 redirect hops + final = 3 samples for the redirected GET
    expect(reqs.filter((t) => t.url.includes('/redirect')).length).toBe(3);
    const refused = reqs.find((t) => t.url === 'http://127.0.0.1:1/nothing');
    expect(refused).toMatchObject({ status: '0', error_code: '1212', error: 'dial: connection refused', method: 'GET', expected_response: 'false' });
    const timeout = reqs.find((t) => t.url.includes('/slow'));
    expect(timeout).toMatchObject({ status: '0', error_code: '1050', error: 'request timeout' });
    const nf = reqs.find((t) => t.url.endsWith('code=404') && t.kind === undefined);
    expect(nf).toMatchObject({ status: '404', error_code: '1404', expected_response: 'false', proto: 'HTTP/1.1', group: '', scenario: 'default' });
    const exp404 = reqs.find((t) => t.kind === 'expected404');
    expect(exp404).toMatchObject({ expected_response: 'true' });
    const noCb = reqs.find((t) => t.kind === 'nocallback');
    expect(noCb).toBeDefined();
    expect(noCb!.expected_response).toBeUndefined();
    const failedPoints = lines.filter((l) => l.type === 'Point' && l.metric === 'http_req_failed');
    expect(failedPoints.some((l) => l.data.tags.kind === 'nocallback')).toBe(false);
  });
});
