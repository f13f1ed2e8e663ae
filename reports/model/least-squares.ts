// Least squares for a handful of parameters: a linear solver, linear least
// squares (column-scaled normal equations) and Levenberg–Marquardt with box
// bounds. Enough for the scalability fit; no dependency for three unknowns.

/** Solves A x = b by Gaussian elimination with partial pivoting; undefined if A is singular. */
export function solveLinear(A: readonly (readonly number[])[], b: readonly number[]): number[] | undefined {
  const n = b.length;
  const m = A.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (!(Math.abs(m[pivot]![col]!) > 1e-300)) return undefined;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = col + 1; r < n; r++) {
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let c = r + 1; c < n; c++) s -= m[r]![c]! * x[c]!;
    x[r] = s / m[r]![r]!;
  }
  return x.every(Number.isFinite) ? x : undefined;
}

/**
 * Coefficients c minimising Σ (rows[i]·c − y[i])². Columns are scaled to unit
 * length first: regressors such as 1, N and N² differ by orders of magnitude
 * and would otherwise make the normal equations needlessly ill-conditioned.
 */
export function linearLeastSquares(rows: readonly (readonly number[])[], y: readonly number[]): number[] | undefined {
  const k = rows[0]?.length ?? 0;
  if (k === 0 || rows.length < k) return undefined;
  const scale = Array.from({ length: k }, (_, j) => Math.sqrt(rows.reduce((s, r) => s + r[j]! ** 2, 0)) || 1);
  const A = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const b = new Array<number>(k).fill(0);
  rows.forEach((r, i) => {
    for (let a = 0; a < k; a++) {
      b[a]! += (r[a]! / scale[a]!) * y[i]!;
      for (let c = 0; c < k; c++) A[a]![c]! += (r[a]! / scale[a]!) * (r[c]! / scale[c]!);
    }
  });
  const z = solveLinear(A, b);
  return z?.map((v, j) => v / scale[j]!);
}

export interface LmProblem {
  residuals(p: readonly number[]): number[];
  /** ∂residual_i/∂p_j, one row per residual. */
  jacobian(p: readonly number[]): number[][];
  lower?: readonly number[];
  upper?: readonly number[];
}

export interface LmResult {
  params: number[];
  sse: number;
  iterations: number;
  converged: boolean;
}

/**
 * Levenberg–Marquardt with Marquardt's diagonal scaling (so parameters of very
 * different sizes, like λ ≈ 10 and κ ≈ 0.001, are stepped evenly). Bounds are
 * kept by clamping each trial point; a step is taken only if it lowers the sum
 * of squares, so the result is never worse than the start.
 */
export function levenbergMarquardt(problem: LmProblem, start: readonly number[], options: { maxIterations?: number; tolerance?: number } = {}): LmResult {
  const maxIterations = options.maxIterations ?? 200;
  const tol = options.tolerance ?? 1e-12;
  const clamp = (p: number[]) => p.map((v, j) => Math.min(Math.max(v, problem.lower?.[j] ?? -Infinity), problem.upper?.[j] ?? Infinity));
  const sseOf = (r: number[]) => r.reduce((s, v) => s + v * v, 0);
  let p = clamp([...start]);
  let r = problem.residuals(p);
  let sse = sseOf(r);
  let mu = 1e-3;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && !converged) {
    iterations++;
    if (sse === 0) {
      converged = true;
      break;
    }
    const J = problem.jacobian(p);
    const k = p.length;
    const H = Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, c) => J.reduce((s, row) => s + row[a]! * row[c]!, 0)));
    const g = Array.from({ length: k }, (_, a) => J.reduce((s, row, i) => s + row[a]! * r[i]!, 0));
    // Active set: a parameter on a bound whose descent direction points out of
    // the box is held still, so the step is spent on the free ones instead of
    // being clamped away iteration after iteration.
    for (let j = 0; j < k; j++) {
      const atLower = p[j]! <= (problem.lower?.[j] ?? -Infinity) && g[j]! > 0;
      const atUpper = p[j]! >= (problem.upper?.[j] ?? Infinity) && g[j]! < 0;
      if (!atLower && !atUpper) continue;
      g[j] = 0;
      for (let c = 0; c < k; c++) H[j]![c] = H[c]![j] = c === j ? 1 : 0;
    }
    let improved = false;
    while (mu < 1e20) {
      const A = H.map((row, a) => row.map((v, c) => (a === c ? v + mu * Math.max(v, 1e-300) : v)));
      const step = solveLinear(A, g.map((v) => -v));
      if (step) {
        const trial = clamp(p.map((v, j) => v + step[j]!));
        const rt = problem.residuals(trial);
        const st = sseOf(rt);
        if (Number.isFinite(st) && st < sse) {
          const gain = (sse - st) / sse;
          const moved = trial.some((v, j) => Math.abs(v - p[j]!) > 1e-12 * (Math.abs(p[j]!) + 1e-12));
          [p, r, sse] = [trial, rt, st];
          mu = Math.max(mu / 3, 1e-15);
          improved = true;
          if (gain < tol || !moved) converged = true;
          break;
        }
      }
      mu *= 4;
    }
    if (!improved) converged = true; // no direction lowers the sum of squares: a (bounded) minimum
  }
  return { params: p, sse, iterations, converged };
}
