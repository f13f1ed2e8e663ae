import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  exporterDsn,
  exporterEnv,
  nodeExporterArgs,
  redisExporterArgs,
} from '../../infra/metrics/exporter-config.js';
import {
  prometheusArgs,
  prometheusConfig,
  promDuration,
  scrapeTargetFromUrl,
} from '../../infra/metrics/prometheus-config.js';

describe('prometheusConfig', () => {
  it('writes one static job per target with interval, timeout, path, scheme and labels', () => {
    const yaml = prometheusConfig(
      [
        { job: 'postgres', targets: ['127.0.0.1:9187'] },
        { job: 'standin', targets: ['127.0.0.1:40001', '127.0.0.1:40002'], metricsPath: '/m', labels: { env: 'rehearsal' } },
      ],
      1,
    );
    expect(parse(yaml)).toEqual({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      scrape_configs: [
        { job_name: 'postgres', metrics_path: '/metrics', scheme: 'http', static_configs: [{ targets: ['127.0.0.1:9187'] }] },
        {
          job_name: 'standin',
          metrics_path: '/m',
          scheme: 'http',
          static_configs: [{ targets: ['127.0.0.1:40001', '127.0.0.1:40002'], labels: { env: 'rehearsal' } }],
        },
      ],
    });
  });

  it('keeps the scrape timeout within the interval and at most 10 s', () => {
    expect(parse(prometheusConfig([], 0.5)).global).toMatchObject({ scrape_interval: '500ms', scrape_timeout: '500ms' });
    expect(parse(prometheusConfig([], 30)).global).toMatchObject({ scrape_interval: '30s', scrape_timeout: '10s' });
    expect(parse(prometheusConfig([])).scrape_configs).toEqual([]);
  });

  it('refuses what Prometheus would refuse, naming the job', () => {
    expect(() => prometheusConfig([{ job: 'a', targets: ['x:1'] }, { job: 'a', targets: ['y:2'] }])).toThrow('scrape job "a" is listed twice');
    expect(() => prometheusConfig([{ job: 'web', targets: ['http://127.0.0.1:1/metrics'] }])).toThrow(/"web": target .* is not host:port/);
    expect(() => prometheusConfig([{ job: 'web', targets: [] }])).toThrow('scrape job "web" has no targets');
    expect(() => prometheusConfig([{ job: 'web', targets: ['a:1'], metricsPath: 'metrics' }])).toThrow(/must start with "\/"/);
    expect(() => prometheusConfig([{ job: 'web', targets: ['a:1'], labels: { 'bad-name': 'x' } }])).toThrow(/invalid label name/);
    expect(() => prometheusConfig([{ job: 'web', targets: ['a:1'], labels: { __name__: 'x' } }])).toThrow(/invalid label name/);
    expect(() => prometheusConfig([], 0)).toThrow(/positive/);
    expect(prometheusConfig([{ job: 'v6', targets: ['[::1]:9090'] }])).toContain('[::1]:9090');
  });

  it('formats durations as Prometheus does', () => {
    expect(promDuration(1)).toBe('1s');
    expect(promDuration(15)).toBe('15s');
    expect(promDuration(0.25)).toBe('250ms');
    expect(() => promDuration(-1)).toThrow();
  });

  it('turns a metrics URL into a scrape job', () => {
    expect(scrapeTargetFromUrl('standin-web', 'http://127.0.0.1:40001/metrics')).toEqual({
      job: 'standin-web',
      targets: ['127.0.0.1:40001'],
      metricsPath: '/metrics',
      scheme: 'http',
    });
    expect(scrapeTargetFromUrl('x', 'https://example.org/prom', { a: 'b' })).toMatchObject({
      targets: ['example.org:443'],
      scheme: 'https',
      metricsPath: '/prom',
      labels: { a: 'b' },
    });
    expect(() => scrapeTargetFromUrl('x', 'http://h:1/metrics?x=1')).toThrow(/query strings/);
  });

  it('builds the server arguments, validating retention', () => {
    const args = prometheusArgs({ configFile: '/t/p.yml', dataDir: '/t/data', host: '127.0.0.1', port: 9, retention: '2d', nativeHistograms: true });
    expect(args).toEqual(
      expect.arrayContaining([
        '--config.file=/t/p.yml',
        '--storage.tsdb.path=/t/data',
        '--web.listen-address=127.0.0.1:9',
        '--web.enable-remote-write-receiver',
        '--web.enable-admin-api',
        '--storage.tsdb.retention.time=2d',
        '--enable-feature=native-histograms',
      ]),
    );
    const plain = prometheusArgs({ configFile: 'c', dataDir: 'd', host: '127.0.0.1', port: 9, nativeHistograms: false });
    expect(plain.some((a) => a.startsWith('--enable-feature') || a.startsWith('--storage.tsdb.retention'))).toBe(false);
    expect(() => prometheusArgs({ configFile: 'c', dataDir: 'd', host: 'h', port: 9, retention: '2 days', nativeHistograms: false })).toThrow(
      /not a Prometheus duration/,
    );
  });
});

describe('exporter settings', () => {
  it('asks lib/pq for no SSL on a loopback DSN without an sslmode, and leaves others alone', () => {
    expect(exporterDsn('postgres://surge@127.0.0.1:5432/mastodon_surge')).toBe('postgres://surge@127.0.0.1:5432/mastodon_surge?sslmode=disable');
    expect(exporterDsn('postgresql://u:p@localhost/db?application_name=x')).toBe('postgresql://u:p@localhost/db?application_name=x&sslmode=disable');
    expect(exporterDsn('postgres://u@127.0.0.1/db?sslmode=require')).toBe('postgres://u@127.0.0.1/db?sslmode=require');
    expect(exporterDsn('postgres://u@db.example.org/db')).toBe('postgres://u@db.example.org/db');
    expect(exporterDsn('host=/tmp user=surge')).toBe('host=/tmp user=surge');
  });

  it('drops inherited exporter settings so ours win', () => {
    const env = exporterEnv({ PATH: '/bin', DATA_SOURCE_URI: 'x', PG_EXPORTER_EXTEND_QUERY_PATH: 'q', REDIS_PASSWORD: 'p', REDIS_EXPORTER_CHECK_KEYS: 'k' }, { REDIS_ADDR: 'redis://h:1' });
    expect(env).toEqual({ PATH: '/bin', REDIS_ADDR: 'redis://h:1' });
  });

  it('passes key lists as the exporter expects, refusing commas', () => {
    expect(redisExporterArgs('127.0.0.1:1', { checkKeys: ['queue:*'], checkSingleKeys: ['retry', 'dead'] })).toEqual([
      '-web.listen-address=127.0.0.1:1',
      '-check-keys=queue:*',
      '-check-single-keys=retry,dead',
    ]);
    expect(() => redisExporterArgs('h:1', { checkKeys: ['a,b'] })).toThrow(/without commas/);
  });

  it('enables only the chosen node collectors', () => {
    const args = nodeExporterArgs('127.0.0.1:2', ['cpu', 'meminfo']);
    expect(args).toEqual(['--web.listen-address=127.0.0.1:2', '--collector.disable-defaults', '--collector.cpu', '--collector.meminfo', '--web.disable-exporter-metrics']);
  });
});
