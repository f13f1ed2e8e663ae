import { describe, expect, it } from 'vitest';
import { findBottlenecks } from '../../../reports/model/bottleneck.js';
import { DEFAULT_SLOS } from '../../../reports/model/slo.js';
import { runData, series } from './fixtures.js';

const END = 600;
const ramp = (t: number) => 0.1 * t;
const from = (start: number, value: number, before = 0) => (t: number) => (t >= start ? value : before);

function run(extra: Parameters<typeof runData>[0] = {}) {
  const base = runData(extra);
  base.series.offeredRate = [series('offered', ramp, 0, END)];
  base.series.throughput = [series('throughput', ramp, 0, END)];
  return base;
}

describe('findBottlenecks', () => {
  it('puts DB pool waits (from t=120 s) before the web backlog (from t=200 s)', () => {
    const data = run({
      series: {
        // Backlog listed first and summed over two processes: order must come from time, not input.
        webBacklog: [series('backlog', from(200, 3), 0, END, { process: 'web-1' }, 10), series('backlog', from(200, 4), 0, END, { process: 'web-2' }, 10)],
        dbPoolWaiting: [series('waiting', from(120, 2), 0, END, { pool: 'web' }, 10)],
        dbPoolSize: [series('size', () => 5, 0, END, { pool: 'web' }, 10)],
      },
    });
    const b = findBottlenecks(data, DEFAULT_SLOS);
    expect(b.findings.map((f) => [f.resource, f.firstAt])).toEqual([
      ['db-pool:web', 120],
      ['web-backlog', 200],
    ]);
    expect(b.first).toMatchObject({ resource: 'db-pool:web', name: 'Database pool (web)', firstAt: 120, offeredRate: 12, value: 2, threshold: 0 });
    expect(b.first!.evidence).toBe('threads waited for a database connection from t=120 s for 8.17 min (peak 2 waiting at t=120 s; pool size 5, MAX_THREADS=5)');
    expect(b.first!.advice).toContain('look at PostgreSQL');
    expect(b.findings[1]!.value).toBe(7);
    expect(b.findings[1]!.advice).toContain('WEB_CONCURRENCY (now 2)');
    expect(b.summary).toMatch(/^Database pool \(web\) saturated first, at t=120 s \(offered 12 req\/s\)/);
    expect(b.summary).toContain('Then: Web threads (Puma backlog).');
  });

  it('ignores conditions that do not last (under 30 s)', () => {
    const data = run({
      series: {
        dbPoolWaiting: [series('waiting', (t) => (t === 60 || t >= 300 ? 1 : 0), 0, END, { pool: 'web' })],
        webBacklog: [series('backlog', from(200, 1), 0, END)],
      },
    });
    const b = findBottlenecks(data, DEFAULT_SLOS);
    expect(b.first!.resource).toBe('web-backlog');
    expect(b.findings.find((f) => f.resource === 'db-pool:web')!.firstAt).toBe(300);
  });

  it('tells the admin to raise DB_POOL when it is below the threads', () => {
    const data = run({ sizing: { webConcurrency: 2, maxThreads: 5, sidekiqConcurrency: 5, dbPool: 3 }, series: { dbPoolWaiting: [series('w', from(90, 1), 0, END, { pool_name: 'primary' })] } });
    const f = findBottlenecks(data, DEFAULT_SLOS).first!;
    expect(f.resource).toBe('db-pool:primary');
    expect(f.advice).toMatch(/^Raise DB_POOL to at least MAX_THREADS \(now DB_POOL=3 < MAX_THREADS=5\), and raise PostgreSQL max_connections/);
  });

  it('names the late queue and gives queue-specific advice', () => {
    const data = run({
      series: {
        sidekiqLatency: [
          series('lat', (t) => (t >= 240 ? 90 : 1), 0, END, { queue: 'default' }),
          series('lat', (t) => (t >= 150 ? 301 : 5), 0, END, { queue: 'mailers' }),
          series('lat', () => 100, 0, END, { queue: 'pull' }),
        ],
        sidekiqJobDuration: [series('d', () => 2.5, 0, END, { queue: 'mailers' })],
      },
    });
    const b = findBottlenecks(data, DEFAULT_SLOS);
    // pull has no objective: the 300 s fallback applies, so 100 s is fine.
    expect(b.findings.map((f) => f.resource)).toEqual(['queue:mailers', 'queue:default']);
    expect(b.first!.threshold).toBe(300);
    expect(b.first!.evidence).toBe('the oldest mailers job was 5.02 min old at t=150 s, over 5 min from t=150 s');
    expect(b.first!.advice).toContain('the mail provider is the limit');
    expect(b.findings[1]!.threshold).toBe(60);
    expect(b.findings[1]!.advice).toContain('SIDEKIQ_CONCURRENCY (now 5');
  });

  it('flags web CPU at 90 % of the usable cores, PostgreSQL connections at 90 % of max_connections and Redis near maxmemory', () => {
    const data = run({
      limits: { webCpuCores: 8, pgMaxConnections: 100, redisMaxMemoryBytes: 1000 },
      series: {
        // Two processes can use two cores whatever the host has: 1.8 is the line.
        webCpu: [series('cpu', (t) => (t >= 330 ? 1.85 : 1.5), 0, END)],
        pgConnections: [series('pg', (t) => (t >= 450 ? 60 : 30), 0, END, { state: 'active' }), series('pg', () => 31, 0, END, { state: 'idle' })],
        redisMemory: [series('mem', (t) => (t >= 510 ? 950 : 500), 0, END)],
      },
    });
    const b = findBottlenecks(data, DEFAULT_SLOS);
    expect(b.findings.map((f) => [f.resource, f.firstAt, f.threshold])).toEqual([
      ['web-cpu', 330, 1.8],
      ['postgres-connections', 450, 90],
      ['redis-memory', 510, 900],
    ]);
    expect(b.findings[1]!.advice).toContain('PgBouncer');
    expect(b.findings[2]!.advice).toContain('noeviction');
  });

  it("reports throttles as rack_attack, never as the first capacity bottleneck", () => {
    const data = run({
      series: {
        throttleRate: [series('429', (t) => (t >= 30 ? 0.05 * ramp(t) : 0), 0, END)],
        webBacklog: [series('backlog', from(400, 2), 0, END)],
      },
    });
    const b = findBottlenecks(data, DEFAULT_SLOS);
    expect(b.findings[0]).toMatchObject({ resource: 'throttles', kind: 'limit', firstAt: 30 });
    expect(b.findings[0]!.value).toBeCloseTo(0.05, 9);
    expect(b.findings[0]!.advice).toMatch(/^This is Mastodon's rack_attack, not capacity/);
    expect(b.first!.resource).toBe('web-backlog');
    expect(b.summary).toContain("that is Mastodon's rack_attack, not capacity");
  });

  it('lists what it could not check', () => {
    const b = findBottlenecks(run(), DEFAULT_SLOS);
    expect(b.first).toBeNull();
    expect(b.summary).toBe('No resource saturated during the run.');
    expect(b.notChecked).toEqual([
      'database pools: no active_record_connection_pool_waiting series',
      'PostgreSQL connections: no pg_stat_activity_count series',
      'web CPU: no process_cpu_seconds_total series for the web processes',
      'web backlog: no puma_request_backlog series',
      'Sidekiq queues: no sidekiq_queue_latency_seconds series',
      'Redis memory: no Redis memory series',
      'Redis commands: no Redis ops series',
    ]);
  });
});
