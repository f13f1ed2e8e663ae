// Small statistics and table helpers for the bench's report.

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Half-width of the 95% confidence interval of the mean, relative to the mean. */
export function relativeCi95(xs: number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  const variance = xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
  return (1.96 * Math.sqrt(variance / xs.length)) / m;
}

export const fmt = {
  n: (x: number, digits = 1) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–'),
  int: (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–'),
  ms: (x: number) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms` : '–'),
  pct: (x: number) => (Number.isFinite(x) ? `±${(x * 100).toFixed(1)}%` : '–'),
  ratio: (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–'),
};

/** A plain-text table: first row is the header, numeric-looking cells are right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const numeric = /^[±\-+]?[\d,.]+( ms|%|x)?$/;
  const line = (r: string[]) =>
    r.map((cell, c) => (numeric.test(cell) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
