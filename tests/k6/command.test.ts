import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findK6, k6Command } from '../../infra/engines/k6/command.js';

describe('the real k6 command line', () => {
  it('passes every flag as k6 spells it, the script last', () => {
    const { args, env } = k6Command({
      script: 'dist/k6/signup-wave.js',
      env: { BASE_URL: 'http://127.0.0.1:3000', COMPRESS: '1440' },
      vus: 5,
      duration: '30s',
      tags: { testid: 'run-1' },
      executionSegment: '0:1/2',
      executionSegmentSequence: '0,1/2,1',
      summaryExport: 'runs/x/summary.json',
      outJson: 'runs/x/k6.jsonl',
      prometheusRw: { url: 'http://127.0.0.1:9090/api/v1/write', trendStats: ['p(50)', 'p(95)', 'p(99)', 'max', 'count'] },
      quiet: true,
      noThresholds: true,
    });
    expect(args).toEqual([
      'run', '-e', 'BASE_URL=http://127.0.0.1:3000', '-e', 'COMPRESS=1440', '--vus', '5', '--duration', '30s',
      '--tag', 'testid=run-1', '--execution-segment', '0:1/2', '--execution-segment-sequence', '0,1/2,1',
      '--summary-export', 'runs/x/summary.json', '--out', 'json=runs/x/k6.jsonl', '--out', 'experimental-prometheus-rw',
      '--quiet', '--no-thresholds', 'dist/k6/signup-wave.js',
    ]);
    expect(env).toEqual({
      K6_PROMETHEUS_RW_SERVER_URL: 'http://127.0.0.1:9090/api/v1/write',
      K6_PROMETHEUS_RW_TREND_STATS: 'p(50),p(95),p(99),max,count',
      K6_PROMETHEUS_RW_STALE_MARKERS: 'true',
    });
  });

  it('finds k6 only where an executable k6 is on PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'surge-k6-'));
    expect(findK6(dir)).toBeUndefined();
    writeFileSync(join(dir, 'k6'), '#!/bin/sh\n');
    expect(findK6(dir)).toBeUndefined();
    chmodSync(join(dir, 'k6'), 0o755);
    expect(findK6(`/nonexistent:${dir}`)).toBe(join(dir, 'k6'));
  });
});
