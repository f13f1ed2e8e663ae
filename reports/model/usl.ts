// Gunther's Universal Scalability Law: throughput at concurrency N is
//   X(N) = λN / (1 + σ(N−1) + κN(N−1))
// λ: throughput of one request in flight; σ: contention (the serial share,
// e.g. locks, one Redis, one DB primary); κ: coherency (crosstalk that grows
// with N², e.g. lock hand-offs, cache invalidation). With κ > 0 throughput
// peaks at N* = √((1−σ)/κ) and falls beyond: adding threads then hurts.
//
// Fit: a linearised start, then Levenberg–Marquardt on the throughput
// residuals. N/X = 1/λ + (σ/λ)(N−1) + (κ/λ)N(N−1) is linear in (1/λ, σ/λ,
// κ/λ), which gives a good start without knowing X(1); but it weights errors
// in N/X, so the refinement minimises what we care about, errors in X.
// With few points the model is cut down rather than overfitted: two distinct
// concurrencies fit Amdahl's law (κ = 0), one gives only λ.
import { levenbergMarquardt, linearLeastSquares } from './least-squares.js';

export interface UslFit {
  lambda: number;
  sigma: number;
  kappa: number;
  /** Coefficient of determination on throughput; null when it is undefined (one point, or all throughputs equal). */
  r2: number | null;
  /** N* = √((1−σ)/κ); null when κ = 0 (no peak: throughput only flattens). */
  peakConcurrency: number | null;
  /** X(N*); with κ = 0 the asymptote λ/σ; null when neither limits it (linear scaling). */
  maxThroughput: number | null;
  points: number;
  /** 'usl': all three fitted; 'amdahl': κ fixed at 0 (two concurrencies); 'single-point': λ only. */
  model: 'usl' | 'amdahl' | 'single-point';
}

export type UslPoint = readonly [concurrency: number, throughput: number];

export function uslThroughput(fit: Pick<UslFit, 'lambda' | 'sigma' | 'kappa'>, n: number): number {
  return (fit.lambda * n) / (1 + fit.sigma * (n - 1) + fit.kappa * n * (n - 1));
}

/** Fits the USL to (concurrency, throughput) points; undefined when no point is usable. */
export function fitUsl(input: readonly UslPoint[]): UslFit | undefined {
  const pts = input.filter(([n, x]) => Number.isFinite(n) && Number.isFinite(x) && n > 0 && x >= 0);
  if (pts.length === 0) return undefined;
  const distinct = new Set(pts.map(([n]) => n)).size;
  if (distinct === 1 || pts.every(([, x]) => x === 0)) {
    const lambda = pts.reduce((s, [n, x]) => s + x / n, 0) / pts.length;
    return finish(pts, lambda, 0, 0, 'single-point');
  }
  const amdahl = refine(pts, linearStart(pts, false), false);
  if (distinct === 2) return finish(pts, amdahl[0]!, amdahl[1]!, 0, 'amdahl');
  // Two starts: the linearised full model, and Amdahl's optimum with a little κ.
  // LM from each; keep the better. Cheap, and it avoids a bad linear start.
  const candidates = [refine(pts, linearStart(pts, true), true), refine(pts, [amdahl[0]!, amdahl[1]!, 1e-6], true)];
  const best = candidates.reduce((a, b) => (sse(pts, b) < sse(pts, a) ? b : a));
  return finish(pts, best[0]!, best[1]!, best[2]!, 'usl');
}

/**
 * The smallest concurrency that delivers throughput x, or null if the curve
 * never reaches it. Solves xκN² + (x(σ−κ) − λ)N + x(1−σ) = 0.
 */
export function uslConcurrencyFor(fit: Pick<UslFit, 'lambda' | 'sigma' | 'kappa'>, x: number): number | null {
  const { lambda: l, sigma: s, kappa: k } = fit;
  if (x <= 0) return 0;
  if (k === 0) {
    const denom = l - x * s;
    return denom > 0 ? Math.max(0, (x * (1 - s)) / denom) : null;
  }
  const a = x * k;
  const b = x * (s - k) - l;
  const c = x * (1 - s);
  const disc = b * b - 4 * a * c;
  if (disc < 0) return null;
  const root = (-b - Math.sqrt(disc)) / (2 * a);
  return root >= 0 ? root : null;
}

function linearStart(pts: readonly UslPoint[], withKappa: boolean): number[] {
  const usable = pts.filter(([, x]) => x > 0);
  const rows = usable.map(([n]) => (withKappa ? [1, n - 1, n * (n - 1)] : [1, n - 1]));
  const c = linearLeastSquares(rows, usable.map(([n, x]) => n / x));
  const a0 = c?.[0];
  if (!c || a0 === undefined || !(a0 > 0)) {
    // Fall back to the best per-request throughput and small contention.
    const lambda = Math.max(...pts.map(([n, x]) => x / n));
    return withKappa ? [lambda, 0.01, 1e-4] : [lambda, 0.01];
  }
  const lambda = 1 / a0;
  const sigma = Math.min(Math.max(c[1]! / a0, 0), 1);
  return withKappa ? [lambda, sigma, Math.max(c[2]! / a0, 0)] : [lambda, sigma];
}

function refine(pts: readonly UslPoint[], start: number[], withKappa: boolean): number[] {
  const model = (p: readonly number[], n: number) => uslThroughput({ lambda: p[0]!, sigma: p[1]!, kappa: withKappa ? p[2]! : 0 }, n);
  const result = levenbergMarquardt(
    {
      residuals: (p) => pts.map(([n, x]) => model(p, n) - x),
      jacobian: (p) =>
        pts.map(([n]) => {
          const [l, s] = [p[0]!, p[1]!];
          const k = withKappa ? p[2]! : 0;
          const d = 1 + s * (n - 1) + k * n * (n - 1);
          const row = [n / d, (-l * n * (n - 1)) / (d * d)];
          if (withKappa) row.push((-l * n * n * (n - 1)) / (d * d));
          return row;
        }),
      lower: withKappa ? [1e-12, 0, 0] : [1e-12, 0],
      upper: withKappa ? [Infinity, 1, Infinity] : [Infinity, 1],
    },
    start,
  );
  return withKappa ? result.params : [...result.params, 0];
}

function sse(pts: readonly UslPoint[], p: readonly number[]): number {
  return pts.reduce((s, [n, x]) => s + (uslThroughput({ lambda: p[0]!, sigma: p[1]!, kappa: p[2] ?? 0 }, n) - x) ** 2, 0);
}

function finish(pts: readonly UslPoint[], lambda: number, rawSigma: number, rawKappa: number, model: UslFit['model']): UslFit {
  // Round-off leaves 1e-17 where the fit means 0; a λ/σ asymptote at 10¹⁷ req/s would be nonsense.
  const sigma = rawSigma < 1e-9 ? 0 : rawSigma;
  const kappa = rawKappa < 1e-12 ? 0 : rawKappa;
  const fit = { lambda, sigma, kappa };
  const meanX = pts.reduce((s, [, x]) => s + x, 0) / pts.length;
  const ssTot = pts.reduce((s, [, x]) => s + (x - meanX) ** 2, 0);
  const ssRes = sse(pts, [lambda, sigma, kappa]);
  const r2 = model === 'single-point' || ssTot === 0 ? null : 1 - ssRes / ssTot;
  let peakConcurrency: number | null = null;
  let maxThroughput: number | null = null;
  if (kappa > 0) {
    peakConcurrency = Math.max(1, Math.sqrt((1 - sigma) / kappa));
    maxThroughput = uslThroughput(fit, peakConcurrency);
  } else if (sigma > 0) {
    maxThroughput = lambda / sigma;
  }
  return { lambda, sigma, kappa, r2, peakConcurrency, maxThroughput, points: pts.length, model };
}
