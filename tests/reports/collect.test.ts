import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunSeries } from '../../infra/metrics/run-series.js';
import { JOBS, MODEL_SERIES, QUERIES } from '../../reports/collect/queries.js';
import { measuredRequestsPerArrival, toRunData } from '../../reports/collect/run-data.js';
import { readRunFolder, readRunMeta, withoutCredentials, writeRunMeta } from '../../reports/collect/run-folder.js';
import { writeSyntheticRun } from './synthetic-run.js';

// The collector: the queries a rehearsal exports, run.json, and series.json →
// the model's RunData.

const tmp = () => mkdtempSync(join(tmpdir(), 'surge-collect-'));

describe('queries', () => {
  it('names every query once, covers the series the model needs, and scopes jobs by the shared names', () => {
    const names = QUERIES.map((q) => q.name);
    expect(new Set(names).size).toBe(names.length);
    for (const required of ['offeredRate', 'throughput', 'latencyP95', 'errorRate']) expect(names).toContain(required);
    // Every series the model reads is exported, except signup p95, which comes from the runner's summary.
    expect([...MODEL_SERIES].filter((n) => !names.includes(n as never))).toEqual(['signupLatencyP95']);
    expect(names.filter((n) => !MODEL_SERIES.has(n)).sort()).toEqual(['activityRate', 'droppedRate', 'nodeCpu', 'pgMaxConnections', 'processCpu', 'runnerRequestRate']);
    // Signups are counted apart from the activity phase's single-request iterations.
    expect(QUERIES.find((q) => q.name === 'throughput')!.expr).toContain('scenario=~"signups|breakpoint"');
    expect(QUERIES.find((q) => q.name === 'activityRate')!.expr).toContain('scenario="activity"');
    expect(Object.values(JOBS)).toEqual(['standin-web', 'standin-worker', 'standin-streaming', 'runner', 'postgres', 'redis', 'node']);
    for (const q of QUERIES) {
      for (const m of q.expr.matchAll(/job=~?"([^"]+)"/g)) for (const job of m[1]!.split('|')) expect(Object.values(JOBS)).toContain(job);
    }
    // Latency over time comes from the web's histogram, not the runner's cumulative trend gauges.
    expect(QUERIES.find((q) => q.name === 'latencyP95')!.expr).toMatch(/^histogram_quantile\(0\.95, sum by \(le\) \(rate\(http_request_duration_seconds_bucket/);
    // Only server errors count: 4xx answers (404, 422, 429) are the instance working.
    expect(QUERIES.find((q) => q.name === 'errorRate')!.expr).toContain('status=~"5.."');
  });
});

describe('toRunData', () => {
  it('turns a recorded folder into RunData: seconds since start, phases, model series, summaries and limits', async () => {
    const dir = tmp();
    const meta = await writeSyntheticRun(dir);
    const folder = await readRunFolder(dir);
    const d = folder.data;
    expect(d.target).toEqual({ kind: 'standin', label: 'stand-in (mastodon-surge)' });
    expect(d.phases.map((p) => [p.kind, p.shape])).toEqual([['breakpoint', 'stepped'], ['wave', undefined]]);
    expect(d.series.offeredRate[0]!.points[0]).toEqual([0, 0]);
    expect(d.series.sidekiqLatency!.map((s) => s.labels.queue).sort()).toEqual(['default', 'mailers', 'push']);
    expect(d.series.dbPoolWaiting!.map((s) => s.labels.job).sort()).toEqual([JOBS.web, JOBS.worker]);
    // Extras stay out of the model's series but reach the report.
    expect((d.series as unknown as Record<string, unknown>).nodeCpu).toBeUndefined();
    expect(folder.extra.nodeCpu![0]!.points.length).toBeGreaterThan(100);
    // pg max_connections from postgres_exporter when run.json does not say.
    expect(meta.limits.pgMaxConnections).toBeUndefined();
    expect(d.limits.pgMaxConnections).toBe(100);
    // The wave's signup p95 from its summary, drawn across the wave.
    expect(d.series.signupLatencyP95![0]!.points).toEqual([[meta.phases[1]!.startSec, 3], [meta.phases[1]!.endSec, 3]]);
    // Web requests per completed signup, from the series (the fixture plants about 5).
    expect(d.requestsPerArrival).toBeGreaterThan(4.5);
    expect(d.requestsPerArrival).toBeLessThan(5.6);
    expect(d.interrupted).toBeNull();
  });

  it('drops NaN samples and keeps run.json limits over exported ones', async () => {
    const dir = tmp();
    const meta = await writeSyntheticRun(dir);
    const series = await loadRunSeries(dir);
    series.queries.find((q) => q.name === 'latencyP95')!.result[0]!.values[3]![1] = NaN;
    const d = toRunData({ ...meta, limits: { pgMaxConnections: 400 }, partial: true, partialReason: 'interrupted by SIGINT' }, series);
    expect(d.series.latencyP95[0]!.points.some(([t]) => t === 3)).toBe(false);
    expect(d.limits.pgMaxConnections).toBe(400);
    expect(d.interrupted).toEqual({ reason: 'interrupted by SIGINT' });
    expect(measuredRequestsPerArrival({ throughput: [], requestRate: [] })).toBeUndefined();
  });
});

describe('run.json', () => {
  it('never keeps credentials from a URL target', async () => {
    const dir = tmp();
    const meta = await writeSyntheticRun(dir, { target: { kind: 'url', label: 'https://admin:s3cret@social.example:8443/?access_token=tok123#x' } });
    const text = readFileSync(join(dir, 'run.json'), 'utf8');
    expect(text).not.toMatch(/s3cret|tok123|admin/);
    expect((await readRunMeta(dir)).target.label).toBe('https://social.example:8443');
    expect(meta.target.label).toContain('s3cret'); // the caller's object is not mutated
    expect(withoutCredentials('http://127.0.0.1:3000/api stopped')).toBe('http://127.0.0.1:3000/api stopped');
    expect(withoutCredentials('stand-in (mastodon-surge)')).toBe('stand-in (mastodon-surge)');
  });

  it('one-line errors name the file and the field', async () => {
    const dir = tmp();
    await writeSyntheticRun(dir);
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    run.sizing.webConcurrency = 'two';
    writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
    const err = await readRunFolder(dir).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/run\.json: sizing\.webConcurrency: /);
    expect((err as Error).message).not.toContain('\n');

    const other = tmp();
    await writeSyntheticRun(other);
    await rm(join(other, 'series.json'));
    await expect(readRunFolder(other)).rejects.toThrow(/series\.json: not found/);

    await expect(writeRunMeta(other, { ...(await readRunMeta(other)), engine: 'jmeter' as 'k6' })).rejects.toThrow();

    const third = tmp();
    await writeSyntheticRun(third);
    writeFileSync(join(third, 'summary-wave.json'), '{"metrics": 3}');
    await expect(readRunFolder(third)).rejects.toThrow(/summary-wave\.json: metrics: /);
  });
});
