import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrapeTargetFromUrl } from '../../infra/metrics/prometheus-config.js';
import { startMetricsStack, type MetricsStack } from '../../infra/metrics/stack.js';
import { startStandin, type StandinHandle } from '../../infra/targets/standin/standin.js';
import { parseReport } from '../../reports/model/report-model.js';
import { surge } from '../support/surge-cli.js';

// `surge rehearse --prometheus-url`: an admin's own Prometheus already scrapes
// their instance under its own job names, every 5 s. The rehearsal reads the
// instance's series from there (with rate windows wide enough for that
// interval) and its own runner's from a private Prometheus.


let instance: StandinHandle;
let theirs: MetricsStack;

beforeAll(async () => {
  instance = await startStandin({ webConcurrency: 1, sidekiqConcurrency: 2 });
  theirs = await startMetricsStack({
    postgresUrl: instance.postgresUrl,
    nodeExporter: false,
    scrapeIntervalSec: 5,
    extraTargets: [scrapeTargetFromUrl('mastodon-web', instance.metricsUrls[0]!), scrapeTargetFromUrl('mastodon-sidekiq', instance.metricsUrls[1]!)],
    waitFor: 'all',
  });
}, 120_000);
afterAll(async () => {
  await theirs?.stop();
  await instance?.stop();
});

describe('surge rehearse --prometheus-url', () => {
  it("reads the instance's series from the admin's Prometheus under their job names", async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'surge-reh-prom-')), 'run');
    const r = await surge([
      'rehearse', '--target', instance.baseUrl, '--mail-api-url', instance.mailApiUrl,
      '--prometheus-url', theirs.url, '--prometheus-jobs', 'web=mastodon-web,worker=mastodon-sidekiq',
      '--phases', 'wave', '--wave', 'peak-hour', '--duration', '30s', '--scale', '0.004', '--out', out,
    ]);
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stderr).toMatch(/reading the instance's series from http:\/\/127\.0\.0\.1:\d+ \(rate windows 20 s\)/);
    const series = JSON.parse(readFileSync(join(out, 'series.json'), 'utf8')) as { queries: { name: string; expr: string; result: { values: unknown[] }[] }[] };
    const q = (name: string) => series.queries.find((x) => x.name === name)!;
    expect(q('latencyP95').expr).toContain('job="mastodon-web"');
    expect(q('latencyP95').expr).toContain('[20s]');
    expect(q('requestRate').result[0]?.values.length ?? 0).toBeGreaterThan(5);
    expect(q('throughput').result[0]?.values.length ?? 0).toBeGreaterThan(5);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).rateWindowSec).toBe(20);
    const report = parseReport(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
    expect(report.slos.verdicts.find((v) => v.id === 'api-p95')!.observed).not.toBeNull();
    expect(report.slos.verdicts.find((v) => v.id === 'queue-mailers')!.observed).not.toBeNull();
  }, 240_000);

  it('refuses job names the Prometheus does not have, in one line, before any load', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'surge-reh-prom-')), 'run');
    const r = await surge([
      'rehearse', '--target', instance.baseUrl, '--mail-api-url', instance.mailApiUrl,
      '--prometheus-url', theirs.url, '--phases', 'wave', '--duration', '20s', '--out', out,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^surge: --prometheus-url: no scrape job "standin-web" .*\(jobs there: .*mastodon-sidekiq, mastodon-web.*\); name yours with --prometheus-jobs web=JOB,worker=JOB$/);
    expect(existsSync(join(out, 'summary-wave.json'))).toBe(false);
  }, 60_000);
});
