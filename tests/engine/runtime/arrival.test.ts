import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, run, startServer, type TestServer } from './helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  // Warm the JIT (undici, the runner) so the first timed iteration is not a cold start.
  await run({ script: fixture('warmup.js'), env: { BASE: server.base }, noSummary: true });
});
afterAll(async () => {
  await server.close();
});

describe('arrival-rate executors', () => {
  it('constant-arrival-rate drops iterations when its only VU is busy, as k6 counts them', async () => {
    const r = await run({ script: fixture('car-dropped.js'), env: { BASE: server.base }, noSummary: true });
    expect(r.exitCode).toBe(0);
    const m = r.summaryData!.metrics;
    // 10 slots (0, 200, …, 1800 ms); each iteration keeps the VU ~300ms, so
    // the slots at 200, 600, 1000, 1400, 1800 find it busy.
    expect(m.iterations!.values.count).toBe(5);
    expect(m.dropped_iterations!.values.count).toBe(5);
    const warns = r.logs.filter((l) => l.msg.startsWith('Insufficient VUs'));
    expect(warns).toHaveLength(1);
    expect(warns[0]!.msg).toBe('Insufficient VUs, reached 1 active VUs and cannot initialize more');
  });

  it('grows one unplanned VU at a time up to maxVUs', async () => {
    const r = await run({ script: fixture('car-grow.js'), noSummary: true });
    const m = r.summaryData!.metrics;
    // 20 slots; no VU at t=0 (dropped, one VU starts initializing), then more as needed, never above maxVUs.
    expect(m.iterations!.values.count! + m.dropped_iterations!.values.count!).toBe(20);
    expect(m.dropped_iterations!.values.count).toBeGreaterThanOrEqual(1);
    expect(m.iterations!.values.count).toBeGreaterThanOrEqual(10);
    expect(m.initialized_vus!.values.min).toBe(1);
    expect(m.initialized_vus!.values.max).toBeLessThanOrEqual(2);
    expect(r.logs.filter((l) => l.msg.startsWith('Insufficient VUs')).length).toBeLessThanOrEqual(1);
  });

  it('ramping-arrival-rate 0→1/s over 5s starts its first iteration at √10 s', async () => {
    const r = await run({ script: fixture('rar-first.js'), noSummary: true });
    expect(r.exitCode).toBe(0);
    const off = r.summaryData!.metrics.start_offset!.values;
    expect(r.summaryData!.metrics.iterations!.values.count).toBe(2); // √10 s and √20 s
    expect(Math.abs(off.min! - Math.sqrt(10) * 1000)).toBeLessThan(50);
    expect(Math.abs(off.max! - Math.sqrt(20) * 1000)).toBeLessThan(50);
  }, 15_000);
});
