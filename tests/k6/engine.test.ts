import { describe, expect, it } from 'vitest';
import { chooseEngine, K6_IMAGE, REPORT_TREND_STATS } from '../../infra/engines/k6/engine.js';
import { k6Invocation } from '../../infra/engines/k6/invocation.js';
import { k6PhaseRun } from '../../infra/engines/k6/phase.js';
import { summaryDataFromExport } from '../../infra/engines/k6/summary.js';
import { toLegacySummaryExport, type SummaryData } from '../../infra/engines/node/summary.js';
import { statSuffix } from '../../infra/engines/node/runtime/outputs/prometheus.js';

describe('engine choice', () => {
  it('auto takes k6 from PATH, else the Node runner; k6 falls back to the container only where Docker runs', () => {
    expect(chooseEngine(undefined, { k6Path: '/usr/bin/k6', docker: false })).toEqual({ engine: 'k6', via: 'binary', path: '/usr/bin/k6' });
    expect(chooseEngine('auto', { k6Path: undefined, docker: true })).toEqual({ engine: 'node' });
    expect(chooseEngine('node', { k6Path: '/usr/bin/k6', docker: true })).toEqual({ engine: 'node' });
    expect(chooseEngine('k6', { k6Path: undefined, docker: true })).toEqual({ engine: 'k6', via: 'docker', image: K6_IMAGE });
    expect(() => chooseEngine('k6', { k6Path: undefined, docker: false })).toThrow(/no k6 on PATH and no Docker engine.*--engine node/);
    expect(K6_IMAGE).toMatch(/^grafana\/k6:\d+\.\d+\.\d+$/);
  });
});

describe('a rehearsal phase on k6', () => {
  const run = k6PhaseRun({
    script: '/repo/dist/k6/signup-wave.js',
    env: { BASE_URL: 'http://127.0.0.1:4100', DURATION: '300s' },
    outDir: '/repo/runs/20261127-030000Z-exodus',
    phase: 'wave',
    testid: '20261127-030000Z-exodus',
    remoteWriteUrl: 'http://127.0.0.1:9123/api/v1/write',
  });

  it('remote-writes every percentile the report shows, tagged with the run and the runner job, and exports the summary', () => {
    for (const q of [50, 95, 99]) expect(REPORT_TREND_STATS).toContain(`p(${q})`);
    // Series names as k6 writes them: k6_http_req_duration_p95 and friends.
    expect(REPORT_TREND_STATS.map(statSuffix)).toEqual(expect.arrayContaining(['p50', 'p95', 'p99', 'max']));
    expect(run.tags).toEqual({ testid: '20261127-030000Z-exodus', job: 'runner' });
    expect(run.summaryExport).toBe('/repo/runs/20261127-030000Z-exodus/k6-summary-wave.json');
  });

  it('runs the binary with k6\'s own argv and env', () => {
    const inv = k6Invocation(run, { engine: 'k6', via: 'binary', path: '/usr/local/bin/k6' });
    expect(inv.file).toBe('/usr/local/bin/k6');
    expect(inv.args).toEqual([
      'run', '-e', 'BASE_URL=http://127.0.0.1:4100', '-e', 'DURATION=300s',
      '--tag', 'testid=20261127-030000Z-exodus', '--tag', 'job=runner',
      '--summary-export', '/repo/runs/20261127-030000Z-exodus/k6-summary-wave.json',
      '--out', 'experimental-prometheus-rw', '--quiet', '/repo/dist/k6/signup-wave.js',
    ]);
    expect(inv.env).toEqual({
      K6_PROMETHEUS_RW_SERVER_URL: 'http://127.0.0.1:9123/api/v1/write',
      K6_PROMETHEUS_RW_TREND_STATS: 'p(50),p(90),p(95),p(99),max,avg,count',
      K6_PROMETHEUS_RW_STALE_MARKERS: 'true',
      K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s',
    });
  });

  it('runs the grafana/k6 image with the same argv, folders at the same paths, env by name only', () => {
    const inv = k6Invocation(run, { engine: 'k6', via: 'docker', image: 'grafana/k6:2.2.0' }, { uid: 1000, gid: 1000 });
    expect(inv.file).toBe('docker');
    const binary = k6Invocation(run, { engine: 'k6', via: 'binary', path: 'k6' });
    expect(inv.args).toEqual([
      'run', '--rm', '-i', '--network', 'host', '--user', '1000:1000',
      '-v', '/repo/dist/k6:/repo/dist/k6:ro', '-v', '/repo/runs/20261127-030000Z-exodus:/repo/runs/20261127-030000Z-exodus',
      '-e', 'K6_PROMETHEUS_RW_PUSH_INTERVAL', '-e', 'K6_PROMETHEUS_RW_SERVER_URL', '-e', 'K6_PROMETHEUS_RW_STALE_MARKERS', '-e', 'K6_PROMETHEUS_RW_TREND_STATS',
      'grafana/k6:2.2.0', ...binary.args,
    ]);
    expect(inv.env).toEqual(binary.env);
    expect(inv.args.join(' ')).not.toContain('http://127.0.0.1:9123');
  });

  it('refuses a Prometheus without a remote-write receiver before anything runs', () => {
    expect(() => k6PhaseRun({ script: 'x.js', env: {}, outDir: '/o', phase: 'wave', testid: 't', remoteWriteUrl: undefined })).toThrow(/--web.enable-remote-write-receiver/);
  });
});

describe('k6 --summary-export back to summary data', () => {
  it('restores values, types and rates from the flattened export', () => {
    const data: SummaryData = {
      root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks: [] },
      options: { summaryTrendStats: ['avg', 'p(95)'], summaryTimeUnit: '', noColor: true },
      state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 1000 },
      metrics: {
        signup_duration: { type: 'trend', contains: 'time', values: { avg: 900, 'p(95)': 1800 }, thresholds: { 'p(95)<30000': { ok: true } } },
        http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0.02, passes: 2, fails: 98 } },
        iterations: { type: 'counter', contains: 'default', values: { count: 100, rate: 10 } },
        vus: { type: 'gauge', contains: 'default', values: { value: 3, min: 1, max: 5 } },
      },
      setup_data: { firstUsername: 'kalo_w1_0' },
    } as unknown as SummaryData;
    const back = summaryDataFromExport(JSON.parse(JSON.stringify(toLegacySummaryExport(data))));
    expect(back.metrics.signup_duration).toEqual({ type: 'trend', values: { avg: 900, 'p(95)': 1800 } });
    expect(back.metrics.http_req_failed).toEqual({ type: 'rate', values: { rate: 0.02, passes: 2, fails: 98 } });
    expect(back.metrics.iterations).toEqual({ type: 'counter', values: { count: 100, rate: 10 } });
    expect(back.metrics.vus).toEqual({ type: 'gauge', values: { value: 3, min: 1, max: 5 } });
    expect(back.setup_data).toEqual({ firstUsername: 'kalo_w1_0' });
    expect(() => summaryDataFromExport({ root_group: {} }, 'k6-summary-wave.json')).toThrow(/k6-summary-wave.json: no "metrics"/);
  });
});
