// Numerical integration shared by the signup curve and the activity model.
// Simpson's rule: the integrands are smooth between the knots callers split at,
// so it converges much faster than the trapezoid rule for the same cost.

/** ∫ f over [a, b] by composite Simpson with `panels` (rounded up to even) sub-intervals. */
export function simpson(f: (t: number) => number, a: number, b: number, panels = 64): number {
  if (b === a) return 0;
  const n = Math.max(2, panels + (panels % 2));
  const h = (b - a) / n;
  let sum = f(a) + f(b);
  for (let i = 1; i < n; i++) sum += f(a + i * h) * (i % 2 === 1 ? 4 : 2);
  return (sum * h) / 3;
}
