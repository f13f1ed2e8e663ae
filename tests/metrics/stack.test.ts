import { existsSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresHandle } from '../../infra/services/postgres.js';
import { pollUntil } from '../../infra/services/poll.js';
import { isAlive } from '../../infra/services/process-state.js';
import { startRedis, type RedisHandle } from '../../infra/services/redis.js';
import {
  startNodeExporter,
  startPostgresExporter,
  startRedisExporter,
  type ExporterHandle,
} from '../../infra/metrics/exporters.js';
import { scrapeTargetFromUrl } from '../../infra/metrics/prometheus-config.js';
import { exportRange } from '../../infra/metrics/query.js';
import { textMetricValues } from '../../infra/metrics/query-parse.js';
import { loadRunSeries, saveRunSeries } from '../../infra/metrics/run-series.js';
import { connectPrometheus, startMetricsStack, type MetricsStack } from '../../infra/metrics/stack.js';
import { startCounterServer, type CounterServer } from './fixtures/counter-server.js';

async function scrape(handle: ExporterHandle): Promise<string> {
  const response = await fetch(handle.metricsUrl);
  expect(response.status).toBe(200);
  return response.text();
}

// One PostgreSQL and one Redis for both suites: initdb is the slow part.
describe('exporters and the metrics stack', () => {
  let postgres: PostgresHandle;
  let redis: RedisHandle;
  let web: CounterServer;

  beforeAll(async () => {
    [postgres, redis, web] = await Promise.all([startPostgres(), startRedis(), startCounterServer()]);
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    await client.lpush('queue:default', 'a', 'b', 'c');
    await client.lpush('queue:mailers', 'x', 'y');
    await client.zadd('retry', 1, 'job');
    client.disconnect();
  });
  afterAll(async () => {
    await Promise.all([postgres?.stop(), redis?.stop(), web?.close()]);
  });

  describe('exporters', () => {
    const handles: ExporterHandle[] = [];
    afterAll(async () => {
      await Promise.all(handles.map((h) => h.stop()));
    });

    it('postgres_exporter reaches the run database: pg_up 1 and per-database stats', async () => {
      const pgx = await startPostgresExporter(postgres.url);
      handles.push(pgx);
      expect(pgx.target).toMatch(/^127\.0\.0\.1:\d+$/);
      const text = await scrape(pgx);
      expect(textMetricValues(text, 'pg_up')).toEqual([{ labels: '', value: 1 }]);
      expect(text).toMatch(/^pg_stat_database_xact_commit\{[^}]*datname="mastodon_surge"/m);
      expect(textMetricValues(text, 'pg_settings_max_connections')[0]?.value).toBe(200);
    });

    it('redis_exporter reports redis_up 1 and Sidekiq queue lengths', async () => {
      const rx = await startRedisExporter(redis.url, { checkKeys: ['queue:*'], checkSingleKeys: ['retry'] });
      handles.push(rx);
      const text = await scrape(rx);
      expect(textMetricValues(text, 'redis_up')).toEqual([{ labels: '', value: 1 }]);
      const sizes = textMetricValues(text, 'redis_key_size');
      expect(sizes).toEqual(
        expect.arrayContaining([
          { labels: '{db="db0",key="queue:default"}', value: 3 },
          { labels: '{db="db0",key="retry"}', value: 1 },
        ]),
      );
    });

    it('node_exporter serves the machine metrics with only the chosen collectors', async () => {
      const nx = await startNodeExporter();
      handles.push(nx);
      const text = await scrape(nx);
      expect(text).toMatch(/^node_cpu_seconds_total\{cpu="0",mode="idle"\} /m);
      expect(text).toMatch(/^node_memory_MemAvailable_bytes /m);
      expect(text).toMatch(/^node_load1 /m);
      const collectors = textMetricValues(text, 'node_scrape_collector_success').map((c) => /collector="([^"]+)"/.exec(c.labels)?.[1]);
      expect(collectors.sort()).toEqual(['cpu', 'diskstats', 'filesystem', 'loadavg', 'meminfo', 'netdev', 'pressure', 'stat', 'vmstat']);
      expect(text).not.toMatch(/^go_goroutines /m); // exporter's own metrics are off
    });

    it('explains a database it cannot reach, with the exporter log', async () => {
      const unreachable = 'postgres://surge@127.0.0.1:1/mastodon_surge';
      await expect(startPostgresExporter(unreachable, { readyTimeoutMs: 1500 })).rejects.toThrow(
        /postgres-exporter on 127\.0\.0\.1:\d+ did not become ready: .*pg_up is 0: it cannot reach the database[\s\S]*--- last lines of the postgres-exporter log ---\n[\s\S]*connection refused/,
      );
    });

    it('does not take another process on its port for itself', async () => {
      const taken = handles[0];
      if (!taken) throw new Error('no exporter started');
      const port = Number(taken.target.split(':')[1]);
      await expect(startNodeExporter({ port, readyTimeoutMs: 5000 })).rejects.toThrow(/did not become ready[\s\S]*address already in use/);
    });

    it('stop() ends each exporter', async () => {
      const pids = handles.map((h) => h.pid);
      await Promise.all(handles.map((h) => h.stop()));
      for (const pid of pids) expect(isAlive(pid)).toBe(false);
      await expect(fetch(handles[0]?.metricsUrl ?? '')).rejects.toThrow();
    });
  });

  describe('startMetricsStack', () => {
    let stack: MetricsStack;
    const scratch: string[] = [];

    beforeAll(async () => {
      stack = await startMetricsStack({
        postgresUrl: postgres.url,
        redisUrl: redis.url,
        extraTargets: [scrapeTargetFromUrl('standin-web', web.url, { process: 'web' })],
        waitFor: 'all',
      });
    });
    afterAll(async () => {
      await stack?.stop();
      for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
    });

    it('scrapes the exporters and the extra targets', async () => {
      expect(stack.scrapeTargets.map((t) => t.job)).toEqual(['postgres', 'redis', 'node', 'standin-web']);
      const up = await stack.api.queryVector('up');
      expect(Object.fromEntries(up.map((s) => [s.metric.job, s.value?.[1]]))).toEqual({
        postgres: 1,
        redis: 1,
        node: 1,
        'standin-web': 1,
      });
      expect(await stack.api.value('pg_up')).toBe(1);
      expect(await stack.api.value('redis_up')).toBe(1);
      expect(await stack.api.value('redis_key_size{key="queue:mailers"}')).toBe(2);
      expect((await stack.api.queryVector('node_cpu_seconds_total{mode="idle"}')).length).toBeGreaterThan(0);
      expect(await stack.api.value('surge_test_requests_total{process="web"}')).toBeGreaterThan(0);
    });

    it('connects to an existing Prometheus without owning it', async () => {
      const existing = await connectPrometheus(stack.url);
      expect(existing).toMatchObject({ url: stack.url, remoteWriteUrl: stack.remoteWriteUrl, owned: false });
      expect(await existing.api.value('pg_up')).toBe(1);
      await expect(connectPrometheus(web.url.replace('/metrics', ''), { timeoutMs: 600 })).rejects.toThrow(
        /^Prometheus at http:\/\/127\.0\.0\.1:\d+ is not ready: timed out/,
      );
    });

    it('keeps a run\'s raw series in the run folder, NaN and Inf included', async () => {
      await pollUntil(
        async () => {
          const rate = await stack.api.value('sum(rate(surge_test_requests_total[5s]))');
          if (!(rate !== undefined && rate > 0)) throw new Error(`rate is ${rate}`);
        },
        { what: 'web rate', timeoutMs: 10_000, intervalMs: 250 },
      );
      const end = Date.now() / 1000;
      const queries = [
        { name: 'web_rps', expr: 'sum(rate(surge_test_requests_total[5s]))' },
        { name: 'hot', expr: 'surge_test_temperature{kind="hot"}' },
        { name: 'broken', expr: 'sum(' },
      ];
      const exported = await exportRange(stack.url, queries, end - 5, end, 1);
      expect(exported.map((q) => q.name)).toEqual(['web_rps', 'hot', 'broken']);
      expect(exported[0]?.result[0]?.values.length).toBeGreaterThan(0);
      expect(exported[1]?.result[0]?.values.every(([, v]) => v === Infinity)).toBe(true);
      expect(exported[2]).toMatchObject({ result: [], error: expect.stringMatching(/parse error/) });

      const runDir = await mkdtemp(join(tmpdir(), 'surge-test-run-'));
      scratch.push(runDir);
      const path = await saveRunSeries(runDir, exported, { start: end - 5, end, stepSec: 1, source: stack.url });
      expect(path).toBe(join(runDir, 'series.json'));
      const loaded = await loadRunSeries(runDir);
      expect(loaded).toMatchObject({ version: 1, start: end - 5, end, stepSec: 1, source: stack.url });
      expect(loaded.queries).toEqual(exported);
    });

    it('stop() stops Prometheus and every exporter', async () => {
      const pids = [stack.prometheus.pid, ...stack.exporters.map((e) => e.pid)];
      expect(pids).toHaveLength(4);
      await stack.stop();
      for (const pid of pids) expect(isAlive(pid)).toBe(false);
      expect(existsSync(stack.prometheus.dataDir)).toBe(false);
      await stack.stop();
    });
  });
});
