import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../infra/services/process-state.js';
import { pollUntil } from '../../infra/services/poll.js';
import { startPrometheus, type PrometheusHandle } from '../../infra/metrics/prometheus.js';
import { PrometheusError } from '../../infra/metrics/query.js';
import { startCounterServer, type CounterServer } from './fixtures/counter-server.js';
import { remoteWrite } from './fixtures/remote-write.js';
import { leftInOwnTmpdir } from '../support/own-tmpdir.js';

describe('startPrometheus', () => {
  let target: CounterServer;
  let second: CounterServer;
  let prom: PrometheusHandle;
  const scratch: string[] = [];

  beforeAll(async () => {
    [target, second] = await Promise.all([startCounterServer(), startCounterServer('surge_test_other_total')]);
    prom = await startPrometheus({
      scrapeTargets: [{ job: 'counter', targets: [target.target], labels: { role: 'web' } }],
      retention: '1d',
    });
  });
  afterAll(async () => {
    await prom?.stop();
    await Promise.all([target?.close(), second?.close()]);
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  it('runs our binary on loopback with the receivers and the admin API', async () => {
    expect(prom.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(prom.remoteWriteUrl).toBe(`${prom.url}/api/v1/write`);
    expect(await prom.api.ready()).toBe(true);
    const cmdline = readFileSync(`/proc/${prom.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toEqual(
      expect.arrayContaining([
        `--storage.tsdb.path=${prom.dataDir}`,
        '--web.enable-remote-write-receiver',
        '--web.enable-admin-api',
        '--enable-feature=native-histograms',
        '--storage.tsdb.retention.time=1d',
      ]),
    );
    expect(readFileSync(prom.configFile, 'utf8')).toContain('scrape_interval: 1s');
  });

  it('scrapes a text-format target every second: up, rate, labels, special values', async () => {
    await pollUntil(
      async () => {
        const up = await prom.api.value('up{job="counter"}');
        if (up !== 1) throw new Error(`up is ${up}`);
        const rate = await prom.api.value('sum(rate(surge_test_requests_total[5s]))');
        if (!(rate !== undefined && rate > 0)) throw new Error(`rate is ${rate}`);
      },
      { what: 'counter target scraped', timeoutMs: 15_000, intervalMs: 250 },
    );
    const [sample] = await prom.api.queryVector('surge_test_requests_total');
    expect(sample?.metric).toMatchObject({ job: 'counter', role: 'web', route: 'home', instance: target.target });
    // Classic histograms still arrive as buckets with native histograms enabled.
    const p50 = await prom.api.value('histogram_quantile(0.5, sum by (le) (rate(surge_test_latency_seconds_bucket[5s])))');
    expect(p50).toBeGreaterThan(0);
    expect(await prom.api.value('surge_test_temperature{kind="hot"}')).toBe(Infinity);
    expect(await prom.api.value('-surge_test_temperature{kind="hot"}')).toBe(-Infinity);
    expect(await prom.api.value('0/0')).toBeNaN();
    expect(await prom.api.value('surge_test_temperature{kind="none"}')).toBeUndefined();
    expect(await prom.api.series('surge_test_temperature')).toHaveLength(2);
    expect(await prom.api.labels()).toEqual(expect.arrayContaining(['job', 'route', 'kind']));
    expect(await prom.api.labelValues('job')).toEqual(['counter']);
    const targets = await prom.api.targets();
    expect(targets).toEqual([expect.objectContaining({ job: 'counter', instance: target.target, health: 'up' })]);
  });

  it('returns points for a range query', async () => {
    const end = Date.now() / 1000;
    const series = await prom.api.queryRange('surge_test_requests_total', end - 10, end, 1);
    expect(series).toHaveLength(1);
    expect(series[0]?.values.length).toBeGreaterThanOrEqual(2);
    const values = series[0]?.values.map(([, v]) => v) ?? [];
    expect(values).toEqual([...values].sort((a, b) => a - b)); // a counter only grows
  });

  it('reports bad PromQL in one line with Prometheus\' reason and the expression', async () => {
    const err = await prom.api.query('sum(rate(x[5m])').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrometheusError);
    expect((err as PrometheusError).errorType).toBe('bad_data');
    expect((err as Error).message).toMatch(/^query failed: .*parse error.* \(bad_data, HTTP 400\) in "sum\(rate\(x\[5m\]\)"$/);
    expect((err as Error).message).not.toContain('\n');
  });

  it('accepts remote write: a 400 for an empty body, and real samples become queryable', async () => {
    const empty = await fetch(prom.remoteWriteUrl, { method: 'POST', body: new Uint8Array(0) });
    expect(empty.status).toBe(400);
    const now = Date.now();
    const written = await remoteWrite(prom.remoteWriteUrl, [
      {
        labels: { __name__: 'k6_http_reqs_total', scenario: 'signup' },
        samples: [
          { value: 3, timestampMs: now - 1000 },
          { value: 7, timestampMs: now },
        ],
      },
    ]);
    expect(written.status, written.body).toBe(204);
    expect(await prom.api.value('k6_http_reqs_total{scenario="signup"}', { time: now / 1000 })).toBe(7);
  });

  it('reloads with new targets and refuses a bad config before touching the file', async () => {
    await prom.reload([
      { job: 'counter', targets: [target.target] },
      { job: 'other', targets: [second.target], metricsPath: '/metrics' },
    ]);
    expect(prom.scrapeTargets().map((t) => t.job)).toEqual(['counter', 'other']);
    await pollUntil(
      async () => {
        if ((await prom.api.value('up{job="other"}')) !== 1) throw new Error('other not up yet');
      },
      { what: 'second target scraped', timeoutMs: 10_000, intervalMs: 250 },
    );
    const before = readFileSync(prom.configFile, 'utf8');
    await expect(prom.reload([{ job: 'bad', targets: ['http://x/metrics'] }])).rejects.toThrow(/not host:port/);
    expect(readFileSync(prom.configFile, 'utf8')).toBe(before);
  });

  it('snapshots the TSDB, in place or copied out', async () => {
    const inPlace = await prom.snapshot();
    expect(inPlace.startsWith(join(prom.dataDir, 'snapshots'))).toBe(true);
    expect(existsSync(inPlace)).toBe(true);
    const runDir = await mkdtemp(join(tmpdir(), 'surge-test-run-'));
    scratch.push(runDir);
    const copied = await prom.snapshot({ into: join(runDir, 'tsdb') });
    expect(copied).toBe(join(runDir, 'tsdb'));
    expect(readdirSync(copied).length).toBeGreaterThan(0);
  });

  it('explains a port clash with its log instead of using the other server', async () => {
    const port = Number(new URL(prom.url).port);
    const left = await leftInOwnTmpdir(() => expect(startPrometheus({ scrapeTargets: [], port })).rejects.toThrow(/did not become ready[\s\S]*address already in use/));
    expect(left).toEqual([]);
  });

  it('stop() ends the process and removes its folder', async () => {
    const { pid, dataDir } = prom;
    await prom.stop();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
    await prom.stop();
    expect(await prom.api.ready()).toBe(false);
  });
});
