import { describe, expect, it } from 'vitest';
import { ReportConfigError } from '../../../reports/model/config-errors.js';
import { parseSloConfig } from '../../../reports/model/slo.js';
import { buildReport, parseReport, REPORT_SCHEMA_VERSION, reportSchema } from '../../../reports/model/report-model.js';
import { phase, runData, series, stepped } from './fixtures.js';

const P95: Record<number, number> = { 10: 0.12, 20: 0.15, 30: 0.25, 40: 0.8, 50: 2 };
const offered = (t: number) => (t < 300 ? stepped([10, 20, 30, 40, 50], 60)(t) : 20);
const p95 = (t: number) => (t < 300 ? P95[offered(t)]! : 0.15);
const window = (a: number, b: number, v: number) => (t: number) => (t >= a && t < b ? v : 0);

/** A breakpoint (0–300 s, p95 over 500 ms at 40/s) then the wave (300–600 s at 20/s). */
function rehearsal() {
  return runData({
    phases: [phase('breakpoint', 0, 300, 'stepped'), phase('wave', 300, 600)],
    limits: { pgMaxConnections: 100 },
    series: {
      offeredRate: [series('offered', offered, 0, 600, {}, 10)],
      throughput: [series('throughput', offered, 0, 600, {}, 10)],
      latencyP95: [series('p95', p95, 0, 600, {}, 10)],
      latencyP99: [series('p99', (t) => p95(t) * 1.2, 0, 600, {}, 10)],
      errorRate: [series('errors', () => 0.001, 0, 600, {}, 10)],
      concurrency: [series('in-flight', (t) => offered(t) * p95(t), 0, 600, {}, 10)],
      dbPoolWaiting: [series('waiting', window(120, 300, 2), 0, 600, { pool: 'web' }, 10)],
      webBacklog: [series('backlog', window(200, 300, 6), 0, 600, {}, 10)],
      webCpu: [series('cpu', (t) => offered(t) * 0.02, 0, 600, {}, 10)],
      pgConnections: [series('pg', () => 25, 0, 600, {}, 10)],
      sidekiqLatency: [series('lat', () => 1, 0, 600, { queue: 'default' }, 10), series('lat', () => 4, 0, 600, { queue: 'mailers' }, 10)],
      sidekiqJobRate: [series('jobs', (t) => offered(t) * 0.5, 0, 600, { queue: 'default' }, 10)],
      sidekiqJobDuration: [series('d', () => 0.05, 0, 600, { queue: 'default' }, 10)],
    },
  });
}

describe('buildReport', () => {
  const report = buildReport(rehearsal(), { generatedAt: '2025-01-01T00:00:00Z' });

  it('produces a report that validates against the report.json schema, also after a JSON round trip', () => {
    expect(reportSchema.safeParse(report).success).toBe(true);
    expect(parseReport(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(report.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(report.target).toEqual({ kind: 'standin', label: 'stand-in' });
    expect(report.partial).toBe(false);
    expect(report.partialReason).toBeNull();
  });

  it('carries the breaking point, the first bottleneck, the fit and the projection', () => {
    expect(report.breakingPoint).toMatchObject({ status: 'broke', sustainedRate: 30, brokeAt: { rate: 40, t: 180 } });
    // The wave's first sample at t=300 s (the phase's last instant) is not a window of its own.
    expect(report.breakingPoint.windows.map((w) => w.rate)).toEqual([10, 20, 30, 40, 50]);
    expect(report.bottleneck.first).toMatchObject({ resource: 'db-pool:web', firstAt: 120, offeredRate: 30 });
    expect(report.bottleneck.findings.map((f) => f.resource)).toEqual(['db-pool:web', 'web-backlog']);
    expect(report.slos.window.basis).toBe('the wave phase');
    expect(report.slos.pass).toBe(true);
    expect(report.scalability.fit).not.toBeNull();
    expect(report.scalability.concurrencySource).toBe('measured');
    expect(report.projection!.web.basis).toContain('the breaking point');
    expect(report.wave).toMatchObject({ realPeakSignupRate: 2, realDurationSec: 86_400, compression: 24 });
  });

  it('writes a verdict that names the breaking point and the first bottleneck', () => {
    const v = report.verdict;
    expect(v).toMatch(/^On the stand-in \(not a real Mastodon/);
    expect(v).toContain('WEB_CONCURRENCY=2, MAX_THREADS=5, SIDEKIQ_CONCURRENCY=5');
    expect(v).toContain('every objective held up to 30 req/s and the instance broke at 40 req/s, where API p95 failed first.');
    expect(v).toContain('The first bottleneck was the database pool (web), from t=120 s at 30 req/s: the pool already matches MAX_THREADS=5');
    expect(v).toContain('During the wave phase, every measured objective held.');
    expect(v).toContain('For a wave like exodus-day-one (70,000 signups a day, peak 2/s), change WEB_CONCURRENCY 2 →');
    expect(v).toContain("mas.to's USD 0.018–0.030 per user-month");
    expect(v).not.toContain('interrupted');
  });

  it('marks an interrupted run as partial, with the reason, in the object and the verdict', () => {
    const data = rehearsal();
    data.interrupted = { reason: 'Ctrl-C at t=450 s', atSec: 450 };
    const partial = buildReport(data);
    expect(partial).toMatchObject({ partial: true, partialReason: 'Ctrl-C at t=450 s', generatedAt: null });
    expect(partial.verdict).toMatch(/This run was interrupted \(Ctrl-C at t=450 s\): the figures cover only what ran\.$/);
    expect(reportSchema.safeParse(partial).success).toBe(true);
  });

  it('labels a stand-in as a stand-in whatever the collector called it, and leaves real targets alone', () => {
    const data = rehearsal();
    data.target = { kind: 'standin', label: 'loopback 127.0.0.1:41234' };
    expect(buildReport(data).target.label).toBe('stand-in (loopback 127.0.0.1:41234)');
    data.target = { kind: 'mastodon', label: 'mastodon.example' };
    const real = buildReport(data);
    expect(real.target.label).toBe('mastodon.example');
    expect(real.verdict).toMatch(/^On mastodon\.example with/);
  });

  it('still reports, and says what is unknown, for a run without a breakpoint or concurrency', () => {
    const data = rehearsal();
    data.phases = [phase('wave', 0, 600)];
    delete data.series.concurrency;
    const r = buildReport(data);
    expect(reportSchema.safeParse(r).success).toBe(true);
    expect(r.breakingPoint.status).toBe('not-measured');
    expect(r.scalability).toMatchObject({ fit: null, concurrencySource: 'none' });
    expect(r.verdict).toContain('the breaking point is unknown: no breakpoint phase in this run');
    expect(r.projection!.web.basis).toBe('CPU-seconds per request only (no breakpoint capacity)');
  });

  it('applies SLO overrides throughout', () => {
    const lenient = buildReport(rehearsal(), { slos: parseSloConfig({ api: { p95: '1s', p99: '3s' } }) });
    expect(lenient.breakingPoint).toMatchObject({ sustainedRate: 40, brokeAt: { rate: 50 } });
    expect(lenient.slos.verdicts.find((v) => v.id === 'api-p95')!.objective).toBe('API p95 < 1 s');
  });
});

describe('reportSchema', () => {
  const good = () => JSON.parse(JSON.stringify(buildReport(rehearsal()))) as Record<string, unknown>;

  it('refuses a stand-in not labelled "stand-in"', () => {
    const r = good();
    r.target = { kind: 'standin', label: 'my server' };
    const result = reportSchema.safeParse(r);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['target', 'label']);
  });

  it('refuses partial without a reason, unknown fields, another schema version and non-finite numbers', () => {
    expect(reportSchema.safeParse({ ...good(), partial: true }).success).toBe(false);
    expect(reportSchema.safeParse({ ...good(), extra: 1 }).success).toBe(false);
    expect(reportSchema.safeParse({ ...good(), schemaVersion: '2.0' }).success).toBe(false);
    const r = good();
    (r.breakingPoint as { sustainedRate: number }).sustainedRate = Infinity;
    expect(reportSchema.safeParse(r).success).toBe(false);
  });

  it('explains an invalid report.json in one line', () => {
    const r = good();
    delete r.verdict;
    expect(() => parseReport(r, 'runs/x/report.json')).toThrow(ReportConfigError);
    expect(() => parseReport(r, 'runs/x/report.json')).toThrow(/^runs\/x\/report\.json: verdict .*$/);
  });
});
