import { describe, expect, it } from 'vitest';
import type { BreakingPoint } from '../../../reports/model/breaking-point.js';
import { ReportConfigError } from '../../../reports/model/config-errors.js';
import { measureCosts, type MeasuredCosts } from '../../../reports/model/costs.js';
import { DEFAULT_PRICE_SHEET, parsePriceSheet } from '../../../reports/model/price-sheet.js';
import { project, projectionWaveFromRun, type ProjectionWave } from '../../../reports/model/projection.js';
import { phase, runData, series } from './fixtures.js';

const GiB = 1024 ** 3;

const wave: ProjectionWave = {
  name: 'hand',
  peakSignupRate: 1,
  signupsPerDay: 70_000,
  totalSignups: 70_000,
  activeUsers: 20_000,
  retainedUsers: 39_200,
  totalAccounts: 70_000,
  requestsPerUserHour: 36,
  postsPerUserHour: 0.5,
  streamingShare: 0.1,
};

const measured: MeasuredCosts = {
  requestsPerWebProcess: 20,
  capacityBasis: 'a test',
  cpuSecondsPerRequest: 0.005,
  jobsPerRequest: { default: 0.5, push: 0.1 },
  jobSeconds: { default: 0.1, push: 0.2, mailers: 0.5 },
  threadsPerWebProcess: 5,
  activity: null,
  notes: [],
};

const sizing = { webConcurrency: 2, maxThreads: 5, sidekiqConcurrency: 5 };

describe('project', () => {
  it('matches the hand-computed example', () => {
    const p = project(wave, measured, sizing, DEFAULT_PRICE_SHEET);
    // Requests: 1 signup/s × 4 + 20,000 people × 36/h ÷ 3600 = 4 + 200.
    expect(p.load).toEqual({ signupRequestRate: 4, activityRequestRate: 200, requestRate: 204, streamingConnections: 2000 });
    // Web: ⌈204 / (20 × 0.7)⌉ = ⌈14.57⌉ = 15 by capacity; ⌈204 × 0.005 / 0.7⌉ = ⌈1.46⌉ = 2 by CPU.
    expect(p.web).toMatchObject({ processes: 15, threadsPerProcess: 5, threads: 75, byCapacity: 15, byCpu: 2 });
    // Sidekiq (Little): default 204 × 0.5 = 102 jobs/s × 0.1 s = 10.2 busy → ⌈10.2/0.7⌉ = 15;
    // push 20.4 × 0.2 = 4.08 → 6; mailers 1 × 2 mails = 2/s × 0.5 s = 1 → 2.
    expect(p.sidekiq.queues.map((q) => [q.queue, q.threads, q.basis])).toEqual([
      ['default', 15, 'measured'],
      ['push', 6, 'measured'],
      ['mailers', 2, 'assumed'],
    ]);
    expect(p.sidekiq.queues[0]!.jobRate).toBeCloseTo(102, 9);
    expect(p.sidekiq.queues[0]!.busyThreads).toBeCloseTo(10.2, 9);
    // 21 threads → ⌈21/5⌉ = 5 processes, plus ⌈2/5⌉ = 1 for mailers.
    expect(p.sidekiq).toMatchObject({ threads: 23, threadsPerProcess: 5, processes: 6, mailersProcesses: 1 });
    expect(p.streaming).toEqual({ connections: 2000, processes: 1 });
    // 15 × 5 + 6 × 5 + 1 × 10 = 115 connections; × 1.1 → 127 > PostgreSQL's default 100.
    expect(p.database).toEqual({
      dbPool: { web: 5, sidekiq: 5 },
      connections: { web: 75, sidekiq: 30, streaming: 10, total: 115 },
      maxConnections: { required: 127, current: 100, mustRaise: true },
    });
    // Redis: 20,000 × 800 × 100 B + 256 MiB.
    expect(p.redis).toEqual({ feedBytes: 1.6e9, baseBytes: 268_435_456, totalBytes: 1_868_435_456 });
    // Storage: 20,000 × 0.5 × 24 = 240,000 statuses × 4096 B + 70,000 accounts × 8192 B.
    expect(p.storage.statusesPerDay).toBeCloseTo(240_000, 6);
    expect(p.storage.bytesPerDay).toBeCloseTo(1_556_480_000, 0);
    expect(p.storage.gbPerMonth).toBeCloseTo((1_556_480_000 * 30) / GiB, 9);
    expect(p.mail).toEqual({ perDay: 140_000, perMonth: 140_000 });
    // vCPU: web 15 + Sidekiq 6 + streaming 0.5 + PostgreSQL max(2, ⌈21.5/4⌉ = 6) + Redis 1 = 28.5.
    // RAM: 15 + 6 + 0.25 + 6 × 4 + 1,868,435,456 B.
    const ram = 15 + 6 + 0.25 + 24 + 1_868_435_456 / GiB;
    expect(p.resources.vcpu).toBe(28.5);
    expect(p.resources.ramGb).toBeCloseTo(ram, 9);
    const monthly = 28.5 * 15 + ram * 3 + ((1_556_480_000 * 30) / GiB) * 0.1 + 140 * 1;
    expect(p.cost.monthly).toBeCloseTo(monthly, 6);
    expect(p.cost.monthly).toBeCloseTo(712.82, 1);
    expect(p.cost.perUserMonth.low).toBeCloseTo(monthly / 70_000, 9);
    expect(p.cost.perUserMonth.high).toBeCloseTo(monthly / 39_200, 9);
    // 0.0102–0.0182 overlaps mas.to's 0.0179–0.0300.
    expect(p.anchor.comparison).toBe('within');
    expect(p.anchor.text).toBe(
      "USD 713 a month is USD 0.010–0.018 per user-month for 39,200–70,000 users: in line with mas.to's USD 0.018–0.030 per user-month (about USD 1,200 a month for 40,000–67,000 users in the 2022 wave).",
    );
    expect(p.changes).toEqual([
      'WEB_CONCURRENCY 2 → 15',
      'Sidekiq processes 1 → 6',
      'PostgreSQL max_connections 100 → 127',
      'a dedicated Sidekiq process for mailers (1 × 5 threads)',
    ]);
    expect(p.assumptions.find((a) => a.name === 'bytesPerFeedEntry')!.basis).toContain('MEMORY USAGE');
  });

  it('compares with the mas.to anchor in words', () => {
    const cheap = project(wave, measured, sizing, { ...DEFAULT_PRICE_SHEET, vcpuMonth: 1, ramGbMonth: 0.1, mailPer1000: 0 });
    expect(cheap.anchor.comparison).toBe('below');
    expect(cheap.anchor.text).toContain("below mas.to's USD 0.018–0.030 per user-month");
    const dear = project(wave, measured, sizing, { ...DEFAULT_PRICE_SHEET, vcpuMonth: 100 });
    expect(dear.anchor.comparison).toBe('above');
    const euros = project(wave, measured, sizing, { ...DEFAULT_PRICE_SHEET, currency: 'EUR' });
    expect(euros.anchor.comparison).toBe('not-comparable');
    expect(euros.anchor.text).toContain('the price sheet is in EUR');
  });

  it('keeps the current web tier, and says so, when capacity was not measured', () => {
    const p = project(wave, { ...measured, requestsPerWebProcess: null, cpuSecondsPerRequest: null, capacityBasis: 'not measured: no breakpoint phase' }, sizing, DEFAULT_PRICE_SHEET);
    expect(p.web.processes).toBe(2);
    expect(p.web.basis).toContain('kept the current WEB_CONCURRENCY');
    expect(p.notes.join(' ')).toContain('web tier is not projected');
  });

  it('uses the current max_connections and assumption overrides', () => {
    const p = project(wave, measured, sizing, DEFAULT_PRICE_SHEET, { utilisation: 1, bytesPerFeedEntry: 50 }, 500);
    expect(p.web.processes).toBe(Math.ceil(204 / 20));
    expect(p.database.maxConnections).toMatchObject({ current: 500, mustRaise: false });
    expect(p.redis.feedBytes).toBe(20_000 * 800 * 50);
  });
});

describe('projectionWaveFromRun', () => {
  it('undoes the compression and counts every newcomer active at the peak', () => {
    const w = projectionWaveFromRun(runData().wave);
    expect(w).toEqual({
      name: 'exodus-day-one',
      peakSignupRate: 2, // 48/s rehearsed at 24×
      signupsPerDay: 70_000, // a one-day wave: all of it
      totalSignups: 70_000,
      activeUsers: 70_000,
      retainedUsers: expect.closeTo(39_200, 6),
      totalAccounts: 70_000,
      requestsPerUserHour: 22.9,
      postsPerUserHour: 0.4,
      streamingShare: 0.1,
    });
    const long = projectionWaveFromRun({ ...runData().wave, durationSec: 7 * 86_400, compression: 1 });
    expect(long.signupsPerDay).toBeCloseTo(10_000, 9);
  });
});

describe('project with an activity phase measured', () => {
  it('costs everyday requests at their own CPU and jobs, not at a signup request\'s', () => {
    // A feed read at 0.5 ms against 5 ms per signup request: 200 everyday requests/s
    // weigh like 20 signup requests. Capacity ⌈(4 + 20) / 14⌉ = 2; CPU ⌈(4 × 0.005 + 200 × 0.0005) / 0.7⌉ = 1.
    const activity = { requests: 10_000, cpuSecondsPerRequest: 0.0005, jobsPerRequest: { default: 0.05, push: 0.2 }, jobSeconds: {} };
    const p = project(wave, { ...measured, activity }, sizing, DEFAULT_PRICE_SHEET);
    expect(p.web).toMatchObject({ processes: 2, byCapacity: 2, byCpu: 1 });
    expect(p.web.basis).toContain('0.50 ms of web CPU against 5.00 ms');
    // default: 4 × 0.5 + 200 × 0.05 = 12 jobs/s; push: 4 × 0.1 + 200 × 0.2 = 40.4 jobs/s.
    expect(p.sidekiq.queues.find((q) => q.queue === 'default')!.jobRate).toBeCloseTo(12, 9);
    expect(p.sidekiq.queues.find((q) => q.queue === 'push')!.jobRate).toBeCloseTo(40.4, 9);
    // Without the activity phase the same wave needs 15 web processes (the hand-computed example).
    expect(project(wave, measured, sizing, DEFAULT_PRICE_SHEET).web.processes).toBe(15);
  });

});

describe('measureCosts', () => {
  const bp = (over: Partial<BreakingPoint>): BreakingPoint => ({
    status: 'broke',
    rateUnit: 'req/s',
    phase: null,
    sustainedRate: 30,
    maxOfferedRate: 50,
    brokeAt: null,
    knee: null,
    windows: [],
    summary: '',
    ...over,
  });
  const data = runData({
    series: {
      throughput: [series('x', () => 100, 0, 600)],
      webCpu: [series('cpu', () => 1, 0, 600)],
      sidekiqJobRate: [series('jobs', () => 50, 0, 600, { queue: 'default' }), series('jobs', () => 10, 0, 600, { queue: 'push' })],
      sidekiqJobDuration: [series('d', () => 0.1, 0, 600, { queue: 'default' }), series('d', () => 0.3, 0, 600, { queue: 'push' })],
    },
  });

  it('turns the run into per-request costs', () => {
    const m = measureCosts(data, bp({}), null);
    expect(m.requestsPerWebProcess).toBe(15); // 30 req/s over 2 processes
    expect(m.capacityBasis).toContain('the breaking point');
    expect(m.cpuSecondsPerRequest).toBeCloseTo(0.01, 12);
    expect(m.jobsPerRequest.default).toBeCloseTo(0.5, 12);
    expect(m.jobsPerRequest.push).toBeCloseTo(0.1, 12);
    expect(m.jobSeconds).toEqual({ default: 0.1, push: 0.3 });
    expect(m.threadsPerWebProcess).toBe(5);
  });

  it('uses the scalability fit when the run did not break, capped at twice the load tried, and trims threads past the peak', () => {
    const usl = { lambda: 10, sigma: 0.02, kappa: 0.01 };
    const peakConcurrency = Math.sqrt(0.98 / 0.01); // ≈ 9.9, below the 2 × 5 threads tried
    const X = (n: number) => (10 * n) / (1 + 0.02 * (n - 1) + 0.01 * n * (n - 1));
    const fit = { ...usl, r2: 0.99, peakConcurrency, maxThroughput: X(peakConcurrency), points: 5, model: 'usl' as const };
    const m = measureCosts(data, bp({ status: 'did-not-break', sustainedRate: 10, maxOfferedRate: 10 }), fit);
    expect(m.requestsPerWebProcess).toBe(10); // X(10) ≈ 48 capped at 2 × 10 tried, over 2 processes
    expect(m.capacityBasis).toContain('scalability fit');
    expect(m.threadsPerWebProcess).toBe(4); // ⌊9.9 / 2⌋
    // A poor fit (R² < 0.9) is not used: the highest load tried is a lower bound.
    expect(measureCosts(data, bp({ status: 'did-not-break', maxOfferedRate: 10 }), { ...fit, r2: 0.5 }).requestsPerWebProcess).toBe(5);
    const lower = measureCosts(data, bp({ status: 'did-not-break', sustainedRate: 50, maxOfferedRate: 50 }), null);
    expect(lower.requestsPerWebProcess).toBe(25);
    expect(lower.capacityBasis).toContain('lower bound');
  });

  it('measures signup and activity costs each over its own phases', () => {
    // Signups for 300 s at 10 req/s and 1 core; then 300 s of activity at 100 req/s and 0.5 cores.
    const data = runData({
      phases: [phase('wave', 0, 299), phase('activity', 300, 600)],
      series: {
        throughput: [series('x', (t) => (t < 300 ? 2 : 0), 0, 600)],
        requestRate: [series('r', (t) => (t < 300 ? 10 : 100), 0, 600)],
        webCpu: [series('cpu', (t) => (t < 300 ? 1 : 0.5), 0, 600)],
        sidekiqJobRate: [series('jobs', (t) => (t < 300 ? 5 : 40), 0, 600, { queue: 'default' })],
        sidekiqJobDuration: [series('d', () => 0.01, 0, 600, { queue: 'default' })],
      },
    });
    const m = measureCosts(data, bp({}), null);
    expect(m.cpuSecondsPerRequest).toBeCloseTo(0.1, 2);
    expect(m.jobsPerRequest.default).toBeCloseTo(0.5, 2);
    expect(m.activity!.cpuSecondsPerRequest).toBeCloseTo(0.005, 3);
    expect(m.activity!.jobsPerRequest.default).toBeCloseTo(0.4, 2);
    expect(m.notes.join(' ')).not.toContain('no activity phase');
  });
});

describe('price sheet', () => {
  it('has example prices, labelled as such', () => {
    expect(parsePriceSheet({})).toEqual(DEFAULT_PRICE_SHEET);
    expect(DEFAULT_PRICE_SHEET.source).toContain('example list prices');
  });

  it('takes overrides and stops calling edited prices examples', () => {
    expect(parsePriceSheet({ vcpuMonth: 20, currency: 'EUR' }, 'prices.yaml')).toMatchObject({ vcpuMonth: 20, currency: 'EUR', ramGbMonth: 3, source: 'edited (prices.yaml)' });
    expect(parsePriceSheet({ vcpuMonth: 20, source: 'Hetzner, 2025' }).source).toBe('Hetzner, 2025');
  });

  it('fails with one line', () => {
    const message = (data: unknown) => {
      try {
        parsePriceSheet(data, 'prices.yaml');
      } catch (e) {
        expect(e).toBeInstanceOf(ReportConfigError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(message({ vcpu: 3 })).toBe("prices.yaml: unknown key 'vcpu'; allowed here: currency, vcpuMonth, ramGbMonth, storageGbMonth, mailPer1000, source");
    expect(message({ ramGbMonh: 3 })).toContain("(did you mean 'ramGbMonth'?)");
    expect(message({ mailPer1000: -1 })).toBe('prices.yaml: mailPer1000 must be a price per 1,000 mails, a number 0 or more (got -1)');
    expect(message({ currency: 'usd' })).toBe("prices.yaml: currency must be a 3-letter currency code such as 'USD' or 'EUR' (got 'usd')");
  });
});
