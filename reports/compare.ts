import type { Report } from './model/report-schema.js';
import { mdRaw, mdTable, type MdValue } from './render/markdown.js';

// `surge compare`: is the current run worse than the baseline by more than we
// tolerate *and* by more than the runs wobble on their own? Each side may hold
// several repeated runs; their spread is the noise band. Pure.

export type CompareMetricId = 'p95' | 'error-rate' | 'breaking-point' | 'queue-latency';

export interface CompareMetric {
  id: CompareMetricId;
  label: string;
  /** 'up': a higher value is worse (latency); 'down': a lower value is worse (breaking point). */
  worse: 'up' | 'down';
  /** 'relative': tolerance is a share of the baseline; 'absolute': in the metric's own unit (error rate: a share, 0.005 = 0.5 pp). */
  toleranceKind: 'relative' | 'absolute';
  tolerance: number;
  /** Smallest change that can count, so a baseline of 0 does not make every tick a regression. */
  floor: number;
  format: (v: number) => string;
  /** How a difference is shown, when not like a value (error rate: percentage points). */
  formatDelta?: (v: number) => string;
  value: (r: Report) => number | null;
}

const seconds = (v: number) => (Math.abs(v) < 1 ? `${(v * 1000).toFixed(0)} ms` : `${v.toFixed(2)} s`);
const share = (v: number) => `${(v * 100).toFixed(2)} %`;
const observed = (r: Report, id: string) => r.slos.verdicts.find((v) => v.id === id)?.observed ?? null;

export const COMPARE_METRICS: readonly CompareMetric[] = [
  { id: 'p95', label: 'API p95 latency', worse: 'up', toleranceKind: 'relative', tolerance: 0.1, floor: 0.001, format: seconds, value: (r) => observed(r, 'api-p95') },
  { id: 'error-rate', label: 'error rate', worse: 'up', toleranceKind: 'absolute', tolerance: 0.005, floor: 0, format: share, formatDelta: (v) => `${(v * 100).toFixed(2)} pp`, value: (r) => observed(r, 'errors') },
  {
    id: 'breaking-point',
    label: 'breaking point',
    worse: 'down',
    toleranceKind: 'relative',
    tolerance: 0.1,
    floor: 0,
    format: (v) => `${+v.toFixed(2)}/s`,
    // Broke at its lowest step: nothing was sustained, 0. Did not break: the highest load tried (a lower bound).
    value: (r) => (r.breakingPoint.status === 'broke-at-start' ? 0 : r.breakingPoint.sustainedRate),
  },
  {
    id: 'queue-latency',
    label: 'Sidekiq queue latency (worst queue)',
    worse: 'up',
    toleranceKind: 'relative',
    tolerance: 0.2,
    floor: 0.1,
    format: seconds,
    value: (r) => {
      const v = r.slos.verdicts.filter((x) => x.id.startsWith('queue-') && x.observed !== null).map((x) => x.observed!);
      return v.length ? Math.max(...v) : null;
    },
  },
];

const ALIASES: Record<string, CompareMetricId> = {
  p95: 'p95', 'latency-p95': 'p95', latency: 'p95', 'api-p95': 'p95',
  'error-rate': 'error-rate', errors: 'error-rate', error: 'error-rate',
  'breaking-point': 'breaking-point', breakpoint: 'breaking-point', bp: 'breaking-point',
  'queue-latency': 'queue-latency', queue: 'queue-latency', queues: 'queue-latency',
};

export class CompareInputError extends Error {}

/**
 * `metric=pct` → [metric, tolerance]: a percentage of the baseline, except for
 * the error rate, where it is percentage points ("error-rate=1" = 1 pp).
 */
export function parseTolerance(raw: string): [CompareMetricId, number] {
  const m = /^\s*([a-z0-9-]+)\s*=\s*(\d+(?:\.\d+)?)\s*(%|pp)?\s*$/i.exec(raw);
  const id = m ? ALIASES[m[1]!.toLowerCase()] : undefined;
  if (!m || !id) {
    throw new CompareInputError(`--tolerance: expected METRIC=PERCENT with METRIC one of ${COMPARE_METRICS.map((x) => x.id).join(', ')}, got "${raw}"`);
  }
  return [id, Number(m[2]) / 100];
}

export interface SideStats {
  n: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  /** Noise of this side: max − min of its runs (0 for one run). */
  spread: number;
}

function stats(values: (number | null)[]): SideStats {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return { n: 0, mean: null, min: null, max: null, spread: 0 };
  const min = Math.min(...v);
  const max = Math.max(...v);
  return { n: v.length, mean: v.reduce((a, b) => a + b, 0) / v.length, min, max, spread: max - min };
}

export type RowVerdict = 'regression' | 'within noise' | 'ok' | 'improved' | 'not measured';

export interface CompareRow {
  metric: CompareMetricId;
  label: string;
  baseline: SideStats;
  current: SideStats;
  /** current − baseline (means), in the metric's unit; null when a side has no value. */
  change: number | null;
  /** The change (in the worse direction) beyond which it is a regression: max(tolerance, noise band). */
  allowed: number | null;
  tolerance: number | null;
  noise: number;
  verdict: RowVerdict;
}

export interface Comparison {
  rows: CompareRow[];
  regression: boolean;
  baselineRuns: number;
  currentRuns: number;
  /** What a reader must know to trust the table: partial runs, sides that rehearsed different things. */
  notes: string[];
}

export function compareReports(baseline: readonly Report[], current: readonly Report[], overrides: Partial<Record<CompareMetricId, number>> = {}): Comparison {
  const rows = COMPARE_METRICS.map((m): CompareRow => {
    const b = stats(baseline.map(m.value));
    const c = stats(current.map(m.value));
    const noise = Math.max(b.spread, c.spread);
    const base = { metric: m.id, label: m.label, baseline: b, current: c, noise };
    if (b.mean === null || c.mean === null) return { ...base, change: null, allowed: null, tolerance: null, verdict: 'not measured' };
    const pct = overrides[m.id] ?? m.tolerance;
    const tolerance = Math.max(m.floor, m.toleranceKind === 'relative' ? Math.abs(b.mean) * pct : pct);
    const change = c.mean - b.mean;
    const worse = m.worse === 'up' ? change : -change;
    const allowed = Math.max(tolerance, noise);
    const verdict: RowVerdict =
      worse > tolerance && worse > noise ? 'regression' : worse > tolerance ? 'within noise' : -worse > allowed ? 'improved' : 'ok';
    return { ...base, change, allowed, tolerance, verdict };
  });
  // A gate that passes because nothing was measured would pass a run that never ran.
  if (rows.every((r) => r.verdict === 'not measured')) {
    const blank = ([['baseline', baseline], ['current', current]] as const).filter(([, runs]) => runs.every((r) => COMPARE_METRICS.every((m) => m.value(r) === null)));
    const why = blank.map(([name, runs]) => `the ${name} measured nothing${runs[0]?.partial ? ` (${runs[0].partialReason})` : ''}`).join('; ');
    throw new CompareInputError(`nothing to compare: no metric was measured on both sides${why ? `: ${why}` : ''}; give runs that sent load`);
  }
  return { rows, regression: rows.some((r) => r.verdict === 'regression'), baselineRuns: baseline.length, currentRuns: current.length, notes: compareNotes(baseline, current) };
}

function compareNotes(baseline: readonly Report[], current: readonly Report[]): string[] {
  const notes: string[] = [];
  for (const [name, runs] of [['baseline', baseline], ['current', current]] as const) {
    const partial = runs.filter((r) => r.partial);
    if (partial.length) notes.push(`${partial.length} of the ${name}'s ${runs.length} run${runs.length > 1 ? 's' : ''} ${partial.length > 1 ? 'are' : 'is'} partial (${partial[0]!.partialReason}): its figures cover only what ran.`);
  }
  const differ = (what: string, of: (r: Report) => string) => {
    const b = [...new Set(baseline.map(of))];
    const c = [...new Set(current.map(of))];
    if (b.join() !== c.join()) notes.push(`The sides rehearsed different ${what}: ${b.join(', ')} (baseline) and ${c.join(', ')} (current).`);
  };
  differ('waves', (r) => r.wave.name);
  differ('targets', (r) => r.target.label);
  return notes;
}

function side(s: SideStats, fmt: (v: number) => string): string {
  if (s.mean === null) return 'not measured';
  return s.n > 1 ? `${fmt(s.mean)} (${s.n} runs, ${fmt(s.min!)}–${fmt(s.max!)})` : fmt(s.mean);
}

export function renderComparisonMd(c: Comparison): string {
  const byId = new Map(COMPARE_METRICS.map((m) => [m.id, m]));
  const lines = c.rows.map((r): MdValue[] => {
    const m = byId.get(r.metric)!;
    const fmt = m.format;
    const delta = m.formatDelta ?? fmt;
    const sign = (v: number) => (v > 0 ? '+' : v < 0 ? '−' : '±');
    const change =
      r.change === null
        ? '–'
        : `${sign(r.change)}${delta(Math.abs(r.change))}${m.toleranceKind === 'relative' && r.baseline.mean ? ` (${sign(r.change)}${Math.abs((r.change / r.baseline.mean) * 100).toFixed(1)} %)` : ''}`;
    const allowed =
      r.allowed === null
        ? '–'
        : `${m.worse === 'up' ? '+' : '−'}${delta(r.allowed)}${r.noise > r.tolerance! ? ' (noise band)' : ''}`;
    const verdict = r.verdict === 'regression' ? mdRaw('**REGRESSION**') : r.verdict;
    return [r.label, side(r.baseline, fmt), side(r.current, fmt), change, allowed, verdict];
  });
  const head = c.regression ? '**Regression**: the current run is worse than the baseline beyond tolerance and noise.' : 'No regression beyond tolerance and noise.';
  const runs = `Baseline: ${c.baselineRuns} run${c.baselineRuns > 1 ? 's' : ''}; current: ${c.currentRuns} run${c.currentRuns > 1 ? 's' : ''}.`;
  return `${[`${head} ${runs}`, ...c.notes.map((n) => `> ${n}`), mdTable(['metric', 'baseline', 'current', 'change', 'allowed', 'verdict'], lines)].join('\n\n')}\n`;
}
