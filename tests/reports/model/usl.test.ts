import { describe, expect, it } from 'vitest';
import { levenbergMarquardt, linearLeastSquares, solveLinear } from '../../../reports/model/least-squares.js';
import { fitUsl, uslConcurrencyFor, uslThroughput, type UslPoint } from '../../../reports/model/usl.js';

const truth = { lambda: 10, sigma: 0.05, kappa: 0.002 };
const curve = (ns: number[], c = truth): UslPoint[] => ns.map((n) => [n, uslThroughput(c, n)]);
const range = (a: number, b: number, step = 1) => Array.from({ length: Math.floor((b - a) / step) + 1 }, (_, i) => a + i * step);

/** Seeded normal noise (LCG + Box–Muller) so the noisy cases are reproducible. */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

describe('fitUsl', () => {
  it('recovers λ, σ, κ exactly from noiseless data', () => {
    const fit = fitUsl(curve(range(1, 48)))!;
    expect(fit.model).toBe('usl');
    expect(fit.lambda).toBeCloseTo(10, 6);
    expect(fit.sigma).toBeCloseTo(0.05, 8);
    expect(fit.kappa).toBeCloseTo(0.002, 9);
    expect(fit.r2).toBeCloseTo(1, 10);
    expect(fit.peakConcurrency).toBeCloseTo(Math.sqrt(0.95 / 0.002), 5);
    expect(fit.maxThroughput).toBeCloseTo(uslThroughput(truth, Math.sqrt(0.95 / 0.002)), 5);
  });

  it('does not need a point at N = 1', () => {
    const fit = fitUsl(curve(range(4, 64, 4)))!;
    expect(fit.lambda).toBeCloseTo(10, 5);
    expect(fit.sigma).toBeCloseTo(0.05, 6);
    expect(fit.kappa).toBeCloseTo(0.002, 8);
  });

  it('recovers the coefficients within tolerance under 2 % noise', () => {
    for (const seed of [1, 7, 42, 2024, 99]) {
      const noise = gaussian(seed);
      const pts = curve(range(1, 48)).map(([n, x]): UslPoint => [n, x * (1 + 0.02 * noise())]);
      const fit = fitUsl(pts)!;
      expect(Math.abs(fit.lambda - 10) / 10).toBeLessThan(0.05);
      expect(Math.abs(fit.sigma - 0.05)).toBeLessThan(0.01);
      expect(Math.abs(fit.kappa - 0.002) / 0.002).toBeLessThan(0.1);
      expect(Math.abs(fit.peakConcurrency! - 21.79) / 21.79).toBeLessThan(0.1);
      expect(fit.r2!).toBeGreaterThan(0.98);
      expect(fit.r2!).toBeLessThan(1);
    }
  });

  it('minimises the throughput residuals (not just the linearised N/X ones)', () => {
    const noise = gaussian(5);
    const pts = curve(range(1, 48)).map(([n, x]): UslPoint => [n, x * (1 + 0.05 * noise())]);
    const fit = fitUsl(pts)!;
    const sse = (c: { lambda: number; sigma: number; kappa: number }) => pts.reduce((s, [n, x]) => s + (uslThroughput(c, n) - x) ** 2, 0);
    const best = sse(fit);
    for (const key of ['lambda', 'sigma', 'kappa'] as const) {
      for (const f of [0.99, 1.01]) expect(sse({ ...fit, [key]: fit[key] * f })).toBeGreaterThan(best);
    }
  });

  it('finds κ = 0 for data that only flattens (Amdahl) and reports the λ/σ asymptote', () => {
    const amdahl = { lambda: 12, sigma: 0.2, kappa: 0 };
    const fit = fitUsl(curve([1, 2, 4, 8, 16, 32], amdahl))!;
    expect(fit.kappa).toBeLessThan(1e-9);
    expect(fit.sigma).toBeCloseTo(0.2, 6);
    expect(fit.peakConcurrency).toBeNull();
    expect(fit.maxThroughput).toBeCloseTo(60, 4);
  });

  it('fits three points exactly and cuts the model down below that', () => {
    const three = fitUsl(curve([2, 10, 40]))!;
    expect(three.model).toBe('usl');
    expect(three.kappa).toBeCloseTo(0.002, 8);

    const two = fitUsl([
      [4, 30],
      [8, 40],
    ])!;
    expect(two.model).toBe('amdahl');
    expect(two.kappa).toBe(0);
    // 30 = 4λ/(1+3σ), 40 = 8λ/(1+7σ) → λ = 12, σ = 0.2
    expect(two.lambda).toBeCloseTo(12, 8);
    expect(two.sigma).toBeCloseTo(0.2, 8);

    const one = fitUsl([[4, 30]])!;
    expect(one).toMatchObject({ model: 'single-point', lambda: 7.5, sigma: 0, kappa: 0, r2: null, peakConcurrency: null, maxThroughput: null });
    expect(fitUsl([])).toBeUndefined();
    expect(fitUsl([[0, 5], [Number.NaN, 3]])).toBeUndefined();
  });

  it('inverts the curve: the concurrency that delivers a throughput', () => {
    for (const n of [1, 5, 15]) expect(uslConcurrencyFor(truth, uslThroughput(truth, n))).toBeCloseTo(n, 8);
    expect(uslConcurrencyFor(truth, 80)).toBeNull(); // above X(N*) ≈ 74
    expect(uslConcurrencyFor({ lambda: 12, sigma: 0.2, kappa: 0 }, 40)).toBeCloseTo(8, 8);
    expect(uslConcurrencyFor({ lambda: 12, sigma: 0.2, kappa: 0 }, 60)).toBeNull();
  });
});

describe('least squares', () => {
  it('solves small systems and refuses singular ones', () => {
    expect(solveLinear([[2, 1], [1, 3]], [3, 5])!.map((v) => Number(v.toFixed(12)))).toEqual([0.8, 1.4]);
    expect(solveLinear([[1, 2], [2, 4]], [1, 2])).toBeUndefined();
    expect(linearLeastSquares([[1, 0], [1, 1], [1, 2]], [1, 3, 5])!.map((v) => Number(v.toFixed(10)))).toEqual([1, 2]);
  });

  it('keeps Levenberg–Marquardt inside its bounds', () => {
    // Minimum of (p − 3)² is at 3, but p ≤ 2.
    const r = levenbergMarquardt({ residuals: (p) => [p[0]! - 3], jacobian: () => [[1]], upper: [2] }, [0]);
    expect(r.params[0]).toBeCloseTo(2, 10);
  });
});
