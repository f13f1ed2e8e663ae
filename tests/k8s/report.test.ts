import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusHandle } from '../../infra/metrics/prometheus.js';
import { buildRunReport } from '../../reports/build.js';
import { collectK8sRun, scopeToTestid } from '../../scripts/k8s/report.js';
import { runQueries } from '../../reports/collect/queries.js';

// The report of a k6-operator run, built from the user's Prometheus: two
// "runners" of one testid (the fake k6 test double, remote-writing as k6
// does) and a third of another test at the same time; a scrape job stands in
// for the instance's web metrics. Only the testid's runners count, summed.

const FAKE = fileURLToPath(new URL('../k6/fake-k6.mjs', import.meta.url));

function fakeRunner(url: string, tags: string[]) {
  const child = spawn(process.execPath, [FAKE, 'run', '--out', 'experimental-prometheus-rw', ...tags.flatMap((t) => ['--tag', t]), 'signup-wave.js'], {
    env: { ...process.env, K6_PROMETHEUS_RW_SERVER_URL: url, FAKE_K6_SECONDS: '14' },
    stdio: 'ignore',
  });
  return new Promise<number | null>((resolve) => child.on('exit', resolve));
}

describe('surge report from a k6-operator run', () => {
  let prom: PrometheusHandle;
  let web: http.Server;
  beforeAll(async () => {
    web = http.createServer((_, res) => res.end('# TYPE http_requests_total counter\nhttp_requests_total{status="200"} 1\n'));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    prom = await startPrometheus({ scrapeTargets: [{ job: 'mastodon-web', targets: [`127.0.0.1:${(web.address() as AddressInfo).port}`] }] });
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
    web?.close();
  });

  it('scopes the runner\'s queries to the testid and leaves the instance\'s alone', () => {
    const scoped = scopeToTestid(runQueries(), 'w1');
    const throughput = scoped.find((q) => q.name === 'throughput')!;
    expect(throughput.expr).toMatch(/^sum\(rate\(k6_iterations_total\{testid="w1",scenario=~"signups\|breakpoint"\}\[10s\]\)\)$/);
    expect(scoped.filter((q) => q.source === 'target')).toEqual(runQueries().filter((q) => q.source === 'target'));
  });

  it('finds the test\'s span, sums its runners, ignores other tests, and builds the report', async () => {
    const [a, b, other] = await Promise.all([
      fakeRunner(prom.remoteWriteUrl, ['testid=wave-7', 'job=runner', 'instance_id=1']),
      fakeRunner(prom.remoteWriteUrl, ['testid=wave-7', 'job=runner', 'instance_id=2']),
      fakeRunner(prom.remoteWriteUrl, ['testid=someone-else', 'job=runner', 'instance_id=1']),
    ]);
    expect([a, b, other]).toEqual([0, 0, 0]);
    const dir = mkdtempSync(join(tmpdir(), 'surge-k8s-report-'));
    writeFileSync(join(dir, 'surge-k8s.json'), JSON.stringify({ scenario: 'signup-wave', testid: 'wave-7', parallelism: 2, target: 'https://social.example', wave: 'exodus-day-one', compress: 1440, scale: 0.01 }));
    await collectK8sRun(dir, { prometheusUrl: prom.url, jobs: { web: 'mastodon-web' }, sizing: { webConcurrency: 4, maxThreads: 5, sidekiqConcurrency: 10, dbPool: null } });
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(run.engine).toBe('k6');
    expect(run.wave).toMatchObject({ name: 'exodus-day-one', compression: 1440, scale: 0.01 });
    expect(run.phases[0].endSec).toBeGreaterThan(3);
    const series = JSON.parse(readFileSync(join(dir, 'series.json'), 'utf8'));
    const values = series.queries.find((q: { name: string }) => q.name === 'throughput').result.flatMap((s: { values: [number, number][] }) => s.values.map(([, v]) => Number(v))).filter(Number.isFinite);
    // Each fake runner adds 4 iterations/s: two runners make 8, a third test would make 12.
    expect(Math.max(...values)).toBeGreaterThan(6);
    expect(Math.max(...values)).toBeLessThan(10);
    const report = await buildRunReport(dir);
    expect(report.report.target.label).toMatch(/k6-operator, 2 runners, testid wave-7/);
  }, 120_000);
});
