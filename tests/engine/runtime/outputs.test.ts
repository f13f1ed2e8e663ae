import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, run, startServer, type TestServer } from './helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

const tmp = (name: string) => path.join(os.tmpdir(), `surge-out-${process.pid}-${name}`);

describe('outputs', () => {
  it('--summary-export, --out json and a live /metrics endpoint', async () => {
    const exportFile = tmp('export.json');
    const jsonFile = tmp('out.jsonl');
    let scraped: Promise<string> | undefined;
    const r = await run({
      script: fixture('outputs.js'),
      env: { BASE: server.base },
      summaryExport: exportFile,
      outJson: jsonFile,
      metricsPort: 0,
      onMetricsListening: (url) => {
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
        scraped = new Promise((resolve, reject) =>
          setTimeout(() => fetch(url).then((res) => res.text()).then(resolve, reject), 1200),
        );
      },
    });
    expect(r.exitCode).toBe(99); // http_reqs count<1 fails
    expect(r.stdout).toContain('THRESHOLDS');

    // summary export: old JSON with inverted thresholds and rate → value
    const exp = JSON.parse(readFileSync(exportFile, 'utf8'));
    rmSync(exportFile);
    expect(Object.keys(exp)).toEqual(['root_group', 'metrics']);
    expect(exp.metrics.http_reqs.thresholds).toEqual({ 'count<1': true });
    expect(exp.metrics.http_req_duration.thresholds).toEqual({ 'p(95)<5000': false, 'max<10000': false });
    expect(exp.metrics.checks).toMatchObject({ value: 1, passes: expect.any(Number), fails: 0 });
    expect(exp.metrics.checks.rate).toBeUndefined();
    expect(exp.root_group.checks['got 200']).toMatchObject({ name: 'got 200', path: '::got 200', fails: 0 });

    // JSON lines
    const lines = readFileSync(jsonFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    rmSync(jsonFile);
    const firstPoint = new Map<string, number>();
    const metricLine = new Map<string, number>();
    lines.forEach((l, i) => {
      if (l.type === 'Metric') {
        expect(metricLine.has(l.metric)).toBe(false);
        metricLine.set(l.metric, i);
      } else if (!firstPoint.has(l.metric)) firstPoint.set(l.metric, i);
    });
    for (const [name, i] of firstPoint) expect(metricLine.get(name)).toBeLessThan(i);
    const dur = lines[metricLine.get('http_req_duration')!];
    expect(dur).toEqual({
      type: 'Metric',
      data: {
        name: 'http_req_duration',
        type: 'trend',
        contains: 'time',
        thresholds: ['p(95)<5000', { threshold: 'max<10000', abortOnFail: true, delayAbortEval: '10s' }],
        submetrics: [
          { name: 'http_req_duration{expected_response:true}', suffix: 'expected_response:true', tags: { expected_response: 'true' } },
        ],
      },
      metric: 'http_req_duration',
    });
    expect(lines[metricLine.get('vus')!].data).toEqual({ name: 'vus', type: 'gauge', contains: 'default', thresholds: [], submetrics: null });
    const point = lines.find((l) => l.type === 'Point' && l.metric === 'http_reqs' && l.data.tags.status === '200');
    expect(Object.keys(point)).toEqual(['metric', 'type', 'data']);
    expect(Object.keys(point.data)).toEqual(['time', 'value', 'tags']);
    expect(point.data.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/);
    expect(point.data.value).toBe(1);
    // http.url`…` sets name (every interpolation, the base URL too), and url follows name
    expect(point.data.tags).toEqual({
      expected_response: 'true',
      group: '',
      method: 'GET',
      name: '${}/status?code=${}',
      proto: 'HTTP/1.1',
      scenario: 'main',
      status: '200',
      testid: 'out1',
      url: '${}/status?code=${}',
    });
    expect(Object.keys(point.data.tags)).toEqual(Object.keys(point.data.tags).sort());

    // /metrics, scraped mid-run
    const text = await scraped!;
    expect(text).toMatch(/^k6_http_reqs_total\{.*status="200".*\} \d+$/m);
    expect(text).toMatch(/^k6_http_req_duration_p95\{/m);
    expect(text).toMatch(/^k6_http_req_duration_p99\{/m);
    expect(text).toMatch(/^k6_vus\{testid="out1"\} 1$/m);
    expect(text).toMatch(/^k6_checks_rate\{.*check="got 200".*\} 1$/m);
    expect(text).toMatch(/^k6_http_req_failed_rate\{/m);
    expect(text).toMatch(/^k6_iteration_duration_p99\{/m);
    expect(text).not.toMatch(/group=""/);
    const p95 = /^k6_http_req_duration_p95\{[^}]*\} ([0-9.e-]+)$/m.exec(text)!;
    expect(Number(p95[1])).toBeLessThan(1); // seconds, not ms
  });

  it('dropped iterations appear on /metrics as k6_dropped_iterations_total', async () => {
    let scraped: Promise<string> | undefined;
    await run({
      script: fixture('car-dropped.js'),
      env: { BASE: server.base },
      noSummary: true,
      metricsPort: 0,
      onMetricsListening: (url) => {
        scraped = new Promise((resolve, reject) =>
          setTimeout(() => fetch(url).then((res) => res.text()).then(resolve, reject), 1500),
        );
      },
    });
    const text = await scraped!;
    expect(text).toMatch(/^k6_dropped_iterations_total\{scenario="car"\} \d+$/m);
  });
});
