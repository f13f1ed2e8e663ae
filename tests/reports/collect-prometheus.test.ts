import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scrapeTargetFromUrl } from '../../infra/metrics/prometheus-config.js';
import { exportRange } from '../../infra/metrics/query.js';
import { loadRunSeries, saveRunSeries } from '../../infra/metrics/run-series.js';
import { startMetricsStack, type MetricsStack } from '../../infra/metrics/stack.js';
import { JOBS, QUERIES } from '../../reports/collect/queries.js';
import { toRunData } from '../../reports/collect/run-data.js';
import type { RunMeta } from '../../reports/collect/run-folder.js';

// The queries against a real Prometheus (Debian's 2.42): two tiny exporters
// speak the stand-in's and the runner's metric names, Prometheus scrapes them
// each second, and the export must parse, come back through series.json and
// land in the model's series with the values planted.

function exporter(body: (elapsedSec: number) => string): Promise<{ url: string; server: Server }> {
  const t0 = Date.now();
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(body((Date.now() - t0) / 1000));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, server })));
}

// Per second: 8 × 200, 1 × 500, 1 × 429, 1 × 404; all requests 40 ms except the 500s (2 s).
const web = (t: number) => {
  const ok = 8 * t;
  const fail = t;
  const bucket = (le: string, n: number) => `http_request_duration_seconds_bucket{controller="accounts",action="create",le="${le}"} ${n}`;
  return [
    '# TYPE http_requests_total counter',
    `http_requests_total{controller="accounts",action="create",status="200"} ${ok}`,
    `http_requests_total{controller="accounts",action="create",status="500"} ${fail}`,
    `http_requests_total{controller="accounts",action="create",status="429"} ${fail}`,
    `http_requests_total{controller="accounts",action="lookup",status="404"} ${fail}`,
    '# TYPE http_request_duration_seconds histogram',
    bucket('0.025', 0), bucket('0.05', ok + fail), bucket('1', ok + fail), bucket('2.5', ok + 2 * fail), bucket('+Inf', ok + 2 * fail),
    `http_request_duration_seconds_sum{controller="accounts",action="create"} ${(ok + fail) * 0.04 + fail * 2}`,
    `http_request_duration_seconds_count{controller="accounts",action="create"} ${ok + 2 * fail}`,
    '# TYPE puma_request_backlog gauge', 'puma_request_backlog 3',
    '# TYPE puma_running_threads gauge', 'puma_running_threads 4',
    '# TYPE process_cpu_seconds_total counter', `process_cpu_seconds_total ${0.5 * t}`,
    '# TYPE active_record_connection_pool_waiting gauge', 'active_record_connection_pool_waiting{pool_name="primary"} 2',
    '# TYPE active_record_connection_pool_size gauge', 'active_record_connection_pool_size{pool_name="primary"} 5',
    '',
  ].join('\n');
};
// The Sidekiq process's own exporter: queue latency and jobs, 2 mails a second.
const worker = (t: number) =>
  [
    '# TYPE sidekiq_queue_latency_seconds gauge', 'sidekiq_queue_latency_seconds{queue="mailers"} 12', 'sidekiq_queue_latency_seconds{queue="default"} 0.5',
    '# TYPE sidekiq_jobs_total counter', `sidekiq_jobs_total{job_name="ActionMailer::MailDeliveryJob",queue="mailers"} ${2 * t}`,
    '',
  ].join('\n');
const runner = (t: number) =>
  ['# TYPE k6_iterations_total counter', `k6_iterations_total{scenario="signups"} ${2 * t}`, '# TYPE k6_dropped_iterations_total counter', `k6_dropped_iterations_total{scenario="signups"} ${0.5 * t}`, '# TYPE k6_http_reqs_total counter', `k6_http_reqs_total ${10 * t}`, ''].join('\n');

describe('the rehearsal queries against a real Prometheus', () => {
  let stack: MetricsStack | undefined;
  const servers: Server[] = [];
  afterAll(async () => {
    await stack?.stop();
    for (const s of servers) s.close();
  });

  it('exports every query without error and toRunData picks the series up', async () => {
    const [w, k, r] = await Promise.all([exporter(web), exporter(worker), exporter(runner)]);
    servers.push(w.server, k.server, r.server);
    const started = Date.now() / 1000;
    stack = await startMetricsStack({
      nodeExporter: false,
      extraTargets: [scrapeTargetFromUrl(JOBS.web, w.url), scrapeTargetFromUrl(JOBS.worker, k.url), scrapeTargetFromUrl(JOBS.runner, r.url)],
      scrapeIntervalSec: 1,
      waitFor: 'all',
    });
    // rate() over [10s] needs ten seconds of scrapes before it reads the full rate.
    await new Promise((res) => setTimeout(res, 12_500));
    const ended = Date.now() / 1000;
    const exported = await exportRange(stack.api, QUERIES, started, ended, 1);
    expect(exported.filter((q) => q.error).map((q) => `${q.name}: ${q.error}`)).toEqual([]);

    const dir = mkdtempSync(join(tmpdir(), 'surge-collect-prom-'));
    await saveRunSeries(dir, exported, { start: started, end: ended, stepSec: 1 });
    const meta: RunMeta = {
      schemaVersion: 1,
      startedAt: new Date(started * 1000).toISOString(),
      endedAt: new Date(ended * 1000).toISOString(),
      partial: false,
      target: { kind: 'standin', label: 'stand-in' },
      engine: 'node',
      wave: { name: 'exodus-day-one', total: 10, durationSec: 10, compression: 1, scale: 1, realDurationSec: 10, realPeakSignupRate: 1 },
      sizing: { webConcurrency: 1, maxThreads: 5, sidekiqConcurrency: 5, dbPool: null },
      limits: {},
      scrapeIntervalSec: 1,
      phases: [{ name: 'wave', kind: 'wave', startSec: 0, endSec: ended - started }],
    };
    const d = toRunData(meta, await loadRunSeries(dir));
    const last = (list: { points: [number, number][] }[] | undefined) => list?.[0]?.points.at(-1)?.[1];
    const near = (v: number | undefined, want: number, tol: number) => {
      expect(v).toBeDefined();
      expect(Math.abs(v! - want)).toBeLessThanOrEqual(tol);
    };
    // Times are seconds since the run started.
    expect(d.series.throughput[0]!.points[0]![0]).toBeGreaterThanOrEqual(0);
    expect(d.series.throughput[0]!.points.at(-1)![0]).toBeLessThanOrEqual(ended - started + 1);
    near(last(d.series.throughput), 2, 0.3);
    near(last(d.series.offeredRate), 2.5, 0.4);
    near(last(d.series.requestRate), 11, 1.2);
    near(last(d.series.errorRate), 1 / 11, 0.02); // the 500s; 404s and 429s are not errors
    near(last(d.series.throttleRate), 1, 0.2);
    const p95 = last(d.series.latencyP95)!;
    expect(p95).toBeGreaterThan(1);
    expect(p95).toBeLessThanOrEqual(2.5);
    near(last(d.series.latencyP50), 0.04, 0.02);
    near(last(d.series.webBacklog), 3, 0);
    near(last(d.series.concurrency), 4, 0);
    near(last(d.series.webCpu), 0.5, 0.1);
    expect(d.series.dbPoolWaiting![0]!.labels).toEqual({ job: JOBS.web });
    expect(Object.fromEntries(d.series.sidekiqLatency!.map((s) => [s.labels.queue, s.points.at(-1)![1]]))).toEqual({ mailers: 12, default: 0.5 });
    near(last(d.series.sidekiqJobRate), 2, 0.3);
  }, 30_000);
});
