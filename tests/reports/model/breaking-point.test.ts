import { describe, expect, it } from 'vitest';
import { findBreakingPoint } from '../../../reports/model/breaking-point.js';
import { kneedle } from '../../../reports/model/knee.js';
import { DEFAULT_SLOS } from '../../../reports/model/slo.js';
import { phase, runData, series, stepped } from './fixtures.js';

const STEP_P95: Record<number, number> = { 10: 0.12, 20: 0.15, 30: 0.25, 40: 0.8, 50: 2 };

/** Five 60 s steps of 10–50 req/s; p95 crosses 500 ms at 40/s. */
function steppedRun(p95: (rate: number, t: number) => number = (r) => STEP_P95[r]!, throughput: (rate: number) => number = (r) => r) {
  const offered = stepped([10, 20, 30, 40, 50], 60);
  return runData({
    phases: [phase('breakpoint', 0, 300)],
    series: {
      offeredRate: [series('offered', offered, 0, 300)],
      throughput: [series('throughput', (t) => throughput(offered(t)), 0, 300)],
      latencyP95: [series('p95', (t) => p95(offered(t), t), 0, 300)],
      errorRate: [series('errors', () => 0, 0, 300)],
    },
  });
}

describe('findBreakingPoint', () => {
  it('finds the last step that held and the step where p95 crossed 500 ms', () => {
    const bp = findBreakingPoint(steppedRun(), DEFAULT_SLOS);
    expect(bp.status).toBe('broke');
    expect(bp.phase).toMatchObject({ startSec: 0, endSec: 300, shape: 'stepped' });
    expect(bp.windows.map((w) => w.rate)).toEqual([10, 20, 30, 40, 50]);
    expect(bp.sustainedRate).toBe(30);
    expect(bp.brokeAt).toEqual({ t: 180, rate: 40, violated: ['api-p95'], names: ['API p95'] });
    expect(bp.maxOfferedRate).toBe(50);
    expect(bp.summary).toContain('All objectives held up to 30 req/s (sustained for at least 30 s); API p95 broke first, at 40 req/s (t=180 s).');
  });

  it("judges the runner's recorded 20 s steps after their first rate window, not plateaus guessed from a lagging rate", () => {
    // rate() over 10 s: the offered series only reaches each step 10 s into it, so no plateau lasts 30 s.
    const rates = [1, 2, 3, 4, 5, 6];
    const steps = rates.map((rate, i) => ({ startSec: 20 * i, endSec: 20 * (i + 1), rate }));
    const lagging = (t: number) => { const i = Math.min(5, Math.floor(t / 20)); const into = t - 20 * i; return i === 0 ? (rates[0]! * Math.min(into, 10)) / 10 : rates[i - 1]! + ((rates[i]! - rates[i - 1]!) * Math.min(into, 10)) / 10; };
    const data = runData({
      rateWindowSec: 10,
      phases: [{ ...phase('breakpoint', 0, 120, 'stepped'), steps }],
      series: {
        offeredRate: [series('offered', lagging, 0, 120, {}, 1)],
        throughput: [series('throughput', lagging, 0, 120, {}, 1)],
        // Fine up to 4/s; p95 over 500 ms once the 5/s step has settled.
        latencyP95: [series('p95', (t) => (t >= 90 ? 0.9 : 0.2), 0, 120, {}, 1)],
        errorRate: [series('errors', () => 0, 0, 120, {}, 1)],
      },
    });
    const bp = findBreakingPoint(data, DEFAULT_SLOS);
    expect(bp.windows.map((w) => [w.start, w.end, w.rate])).toEqual(steps.map((st) => [st.startSec + 10, st.endSec, st.rate]));
    expect(bp.status).toBe('broke');
    expect(bp.sustainedRate).toBe(4);
    expect(bp.brokeAt).toMatchObject({ rate: 5, violated: ['api-p95'] });
  });

  it('credits only the steps an interrupted breakpoint finished, not the ones it planned', () => {
    // Planned: 3 steps of 20 s (1, 2, 3/s); Ctrl-C at t=30, half-way through the second.
    const steps = [1, 2, 3].map((rate, i) => ({ startSec: 20 * i, endSec: 20 * (i + 1), rate }));
    const data = runData({
      rateWindowSec: 10,
      phases: [{ ...phase('breakpoint', 0, 30, 'stepped'), steps }],
      series: {
        offeredRate: [series('offered', (t) => (t < 20 ? 1 : 2), 0, 30, {}, 1)],
        throughput: [series('throughput', (t) => (t < 20 ? 1 : 2), 0, 30, {}, 1)],
        latencyP95: [series('p95', () => 0.1, 0, 30, {}, 1)],
        errorRate: [series('errors', () => 0, 0, 30, {}, 1)],
      },
    });
    const bp = findBreakingPoint(data, DEFAULT_SLOS);
    // The second step's first rate window still averaged in the first: nothing of it is left to judge.
    expect(bp.windows.map((w) => [w.start, w.end, w.rate, w.credited])).toEqual([[10, 20, 1, true]]);
    expect(bp.status).toBe('did-not-break');
    expect(bp.sustainedRate).toBe(1);
    expect(bp.maxOfferedRate).toBe(1);

    // Stopped 5 s after a step's rate window settled: judged, but not credited as held.
    const cut = findBreakingPoint(runData({ ...data, phases: [{ ...phase('breakpoint', 0, 35, 'stepped'), steps }] }), DEFAULT_SLOS);
    expect(cut.windows.map((w) => [w.start, w.end, w.rate, w.credited])).toEqual([[10, 20, 1, true], [30, 35, 2, false]]);
    expect(cut.sustainedRate).toBe(1);
  });

  it('finds the break on a ramp, crediting each 30 s slice with its lowest rate', () => {
    const offered = (t: number) => 0.1 * t; // 0 → 60 req/s over 600 s
    const data = runData({
      phases: [phase('breakpoint', 0, 600)],
      series: {
        offeredRate: [series('offered', offered, 0, 600)],
        throughput: [series('throughput', offered, 0, 600)],
        latencyP95: [series('p95', (t) => 0.1 + 0.4 * (offered(t) / 40) ** 6, 0, 600)],
        errorRate: [series('errors', () => 0, 0, 600)],
      },
    });
    const bp = findBreakingPoint(data, DEFAULT_SLOS);
    expect(bp.phase!.shape).toBe('ramping');
    expect(bp.status).toBe('broke');
    // First sample over 500 ms: t=405 s at 40.5 req/s; the slice before it (360–390 s) started at 36.
    expect(bp.brokeAt).toMatchObject({ t: 405, violated: ['api-p95'] });
    expect(bp.brokeAt!.rate).toBeCloseTo(40.5, 9);
    expect(bp.sustainedRate).toBeCloseTo(36, 9);
  });

  it('reports "did not break up to X/s" when every step held', () => {
    const bp = findBreakingPoint(steppedRun(() => 0.1), DEFAULT_SLOS);
    expect(bp.status).toBe('did-not-break');
    expect(bp.sustainedRate).toBe(50);
    expect(bp.brokeAt).toBeNull();
    expect(bp.summary).toMatch(/^Did not break up to 50 req\/s/);
  });

  it('reports a break at the start when the lowest step already failed', () => {
    const bp = findBreakingPoint(steppedRun(() => 2), DEFAULT_SLOS);
    expect(bp.status).toBe('broke-at-start');
    expect(bp.sustainedRate).toBeNull();
    expect(bp.brokeAt).toMatchObject({ t: 0, rate: 10 });
    expect(bp.summary).toContain('start the breakpoint lower');
  });

  it('counts falling behind the offered rate as a break', () => {
    const bp = findBreakingPoint(steppedRun(() => 0.1, (r) => Math.min(r, 35)), DEFAULT_SLOS);
    expect(bp.sustainedRate).toBe(30);
    expect(bp.brokeAt).toMatchObject({ t: 180, rate: 40, violated: ['throughput'] });
  });

  it('is conservative: a short violation ends the search even if later steps look fine', () => {
    const bp = findBreakingPoint(steppedRun((_rate, t) => (t === 75 ? 0.7 : 0.1)), DEFAULT_SLOS);
    expect(bp.sustainedRate).toBe(10);
    expect(bp.brokeAt).toMatchObject({ t: 75, rate: 20 });
  });

  it('judges every objective, and names the one that broke first', () => {
    const data = steppedRun(() => 0.1);
    data.series.sidekiqLatency = [series('lat', (t) => (t >= 130 ? 400 : 1), 0, 300, { queue: 'mailers' })];
    data.series.errorRate = [series('errors', (t) => (t >= 140 ? 0.05 : 0), 0, 300)];
    const bp = findBreakingPoint(data, DEFAULT_SLOS);
    expect(bp.sustainedRate).toBe(20);
    expect(bp.brokeAt!.names).toEqual(['Sidekiq mailers queue latency', 'Server errors (5xx)']);
  });

  it('says so when the run had no breakpoint phase', () => {
    const bp = findBreakingPoint(runData({ phases: [phase('wave', 0, 100)] }), DEFAULT_SLOS);
    expect(bp.status).toBe('not-measured');
    expect(bp.summary).toContain('not measured');
    const empty = findBreakingPoint(runData({ phases: [phase('breakpoint', 0, 100)] }), DEFAULT_SLOS);
    expect(empty).toMatchObject({ status: 'not-measured', maxOfferedRate: null });
    expect(empty.summary).toBe('The breakpoint phase has no offered-rate samples, so the breaking point was not measured.');
  });

  it('locates the knee where throughput stops following load and latency takes off', () => {
    const rates = Array.from({ length: 12 }, (_, i) => 5 * (i + 1)); // 5 … 60 req/s
    const offered = stepped(rates, 60);
    const served = (r: number) => (r <= 40 ? r : 40 + 0.1 * (r - 40));
    const p95 = (r: number) => (r <= 40 ? 0.1 + 0.001 * r : 0.14 + 0.5 * (r - 40));
    const data = runData({
      phases: [phase('breakpoint', 0, 720)],
      series: {
        offeredRate: [series('offered', offered, 0, 720)],
        throughput: [series('throughput', (t) => served(offered(t)), 0, 720)],
        latencyP95: [series('p95', (t) => p95(offered(t)), 0, 720)],
        errorRate: [series('errors', () => 0, 0, 720)],
      },
    });
    const bp = findBreakingPoint(data, DEFAULT_SLOS);
    expect(bp.knee).toMatchObject({ throughput: 40, rate: 40, t: 420 });
    expect(bp.knee!.latencyP95).toBeCloseTo(0.14, 9);
    expect(bp.summary).toContain("Latency's knee: 40 req/s achieved, p95 140 ms");
  });
});

describe('kneedle', () => {
  it('finds the corner of a convex increasing curve, indexing the input as given', () => {
    const pts: [number, number][] = [
      [50, 5],
      [10, 0.11],
      [30, 0.13],
      [20, 0.12],
      [40, 0.14],
      [45, 2],
    ];
    expect(kneedle(pts)).toMatchObject({ index: 4, x: 40, y: 0.14 });
  });

  it('finds no knee in a straight line or in too few points', () => {
    expect(kneedle([1, 2, 3, 4, 5, 6].map((x) => [x, 2 * x] as const))).toBeUndefined();
    expect(kneedle([[1, 1], [2, 1.1], [3, 9]])).toBeUndefined();
    expect(kneedle([[1, 1], [1, 1], [1, 1], [1, 1]])).toBeUndefined();
  });
});
