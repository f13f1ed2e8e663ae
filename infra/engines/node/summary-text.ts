// k6 v1's end-of-test text summary (internal/js/summary.js), rendered without
// colours. Layout, alignment and number formatting follow k6's JS exactly,
// including its quirks (noted inline), so outputs can be diffed against k6.

import type { ReportChecks, ReportMetric, ReportMetrics, SummaryReport } from './summary-report.js';
import { DEFAULT_SUMMARY_TREND_STATS } from './stats/trend-stats.js';

export interface TextSummaryOptions {
  summaryTrendStats?: readonly string[];
  /** '', 's', 'ms' or 'us' */
  summaryTimeUnit?: string | null;
  sortByName?: boolean;
  showPassedChecks?: boolean;
  showFailedChecks?: boolean;
}

interface Opts {
  summaryTrendStats: readonly string[];
  summaryTimeUnit: string | null;
  sortByName: boolean;
  showPassedChecks: boolean;
  showFailedChecks: boolean;
}

const TITLE_PREFIX = '█';
const SUBTITLE_PREFIX = '↳';
const SUCCESS = '✓';
const FAIL = '✗';

class RenderContext {
  constructor(readonly base = 0) {}
  indentLevel(level = 1): string {
    return ' '.repeat((this.base + level) * 2);
  }
  indent(text: string, level = 1): string {
    return this.indentLevel(level) + text;
  }
  indented(inc = 1): RenderContext {
    return new RenderContext(this.base + inc);
  }
}

/** Display width, skipping ANSI escapes (k6's strWidth). */
export function strWidth(s: string): number {
  let inEsc = false;
  let inLong = false;
  let width = 0;
  for (const ch of s.normalize('NFKC')) {
    const code = ch.charCodeAt(0);
    if (ch === '\x1b') {
      inEsc = true;
      continue;
    }
    if (inEsc && ch === '[') {
      inLong = true;
      continue;
    }
    if (inEsc && inLong && code >= 0x40 && code <= 0x7e) {
      inEsc = inLong = false;
      continue;
    }
    if (inEsc && !inLong && code >= 0x40 && code <= 0x5f) {
      inEsc = false;
      continue;
    }
    if (!inEsc && !inLong) width++;
  }
  return width;
}

// ---- value formatting ----------------------------------------------------

function toFixedNoTrailingZeros(v: number, prec: number): string {
  return String(Number.parseFloat(v.toFixed(prec)));
}

function toFixedNoTrailingZerosTrunc(v: number, prec: number): string {
  const mult = 10 ** prec;
  return toFixedNoTrailingZeros(Math.trunc(mult * v) / mult, prec);
}

export function humanizeBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  if (bytes < 10) return `${bytes} B`;
  const e = Math.floor(Math.log(bytes) / Math.log(1000));
  const val = Math.floor((bytes / 1000 ** e) * 10 + 0.5) / 10;
  return `${val.toFixed(val < 10 ? 1 : 0)} ${units[e | 0]}`;
}

/** ms → "1.5ms", "2m3s", "1h2m3s" (truncating, never rounding up). */
export function humanizeGenericDuration(d: number): string {
  if (d === 0) return '0s';
  if (d < 0.001) return `${Math.trunc(d * 1_000_000)}ns`;
  if (d < 1) return `${toFixedNoTrailingZerosTrunc(d * 1000, 2)}µs`;
  if (d < 1000) return `${toFixedNoTrailingZerosTrunc(d, 2)}ms`;
  let out = `${toFixedNoTrailingZerosTrunc((d % 60000) / 1000, d > 60000 ? 0 : 2)}s`;
  let rem = Math.trunc(d / 60000);
  if (rem < 1) return out;
  out = `${rem % 60}m${out}`;
  rem = Math.trunc(rem / 60);
  if (rem < 1) return out;
  return `${rem}h${out}`;
}

const UNITS: Record<string, { unit: string; coef: number }> = {
  s: { unit: 's', coef: 0.001 },
  ms: { unit: 'ms', coef: 1 },
  us: { unit: 'µs', coef: 1000 },
};

export function humanizeDuration(d: number, timeUnit: string | null): string {
  if (timeUnit !== '' && timeUnit !== null && Object.hasOwn(UNITS, timeUnit)) {
    const u = UNITS[timeUnit]!;
    return `${(d * u.coef).toFixed(2)}${u.unit}`;
  }
  return humanizeGenericDuration(d);
}

export function humanizeValue(v: number, metric: { type: string; contains: string }, timeUnit: string | null): string {
  if (metric.type === 'rate') return `${(Math.trunc(v * 100 * 100) / 100).toFixed(2)}%`; // truncates, never rounds up
  switch (metric.contains) {
    case 'data':
      return humanizeBytes(v);
    case 'time':
      return humanizeDuration(v, timeUnit);
    default:
      return toFixedNoTrailingZeros(v, 6);
  }
}

// JS renders `undefined` values as the text "undefined"; k6 can print that.
const str = (v: unknown) => String(v);

function nonTrendValues(m: ReportMetric, tu: string | null): string[] {
  const val = (k: string) => humanizeValue(m.values[k] as number, m, tu);
  switch (m.type) {
    case 'counter':
      return [val('count'), `${val('rate')}/s`];
    case 'gauge':
      return [val('value'), `min=${val('min')}`, `max=${val('max')}`];
    case 'rate':
      return [val('rate'), `${str(m.values.passes)} out of ${(m.values.passes as number) + (m.values.fails as number)}`];
    default:
      return ['[no data]'];
  }
}

function trendValue(v: number | undefined, stat: string, m: ReportMetric, o: Opts): string {
  if (stat === 'count') return str(v);
  return humanizeValue(v as number, m, o.summaryTimeUnit);
}

// ---- layout ----------------------------------------------------------------

/** `name{tags}` → "  { tags }" (submetrics are shown under their parent). */
function displayName(name: string): string {
  const pos = name.indexOf('{');
  return pos >= 0 ? `  { ${name.substring(pos + 1, name.length - 1)} }` : name;
}

function sortByName(names: string[]): string[] {
  return names.sort((l, r) => {
    const lp = l.split('{', 1)[0]!;
    const rp = r.split('{', 1)[0]!;
    const c = lp.localeCompare(rp);
    return c !== 0 ? c : l.substring(lp.length).localeCompare(r.substring(rp.length));
  });
}

/**
 * k6 computes a report-wide name width with `reduce` and no initial value:
 * with two or more metrics the result is NaN (each section then aligns on its
 * own), with exactly one it is the metric's *name* (so no dots are printed),
 * and with none it throws. `null` below stands for that one-name case.
 */
type GlobalWidth = number | null;

interface SummaryInfo {
  maxNameWidth: number | null;
  nonTrendValues: Record<string, string>;
  nonTrendExtras: Record<string, string[]>;
  trendCols: Record<string, string[]>;
  trendKeys: Record<string, Record<string, string>>;
  trendColMaxLens: number[];
  trendStats: readonly string[];
  maxNonTrendValueLen: number;
  nonTrendExtraMaxLens: number[];
}

function computeSummaryInfo(
  metrics: Record<string, ReportMetric>,
  ctx: RenderContext,
  o: Opts,
  global?: GlobalWidth,
): SummaryInfo {
  const trendStats = o.summaryTrendStats;
  const truthyGlobal = global === null || (global !== undefined && !Number.isNaN(global) && global !== 0);
  let maxNameWidth: number | null = truthyGlobal ? (global as number | null) : 0;
  const info: SummaryInfo = {
    maxNameWidth: 0,
    nonTrendValues: {},
    nonTrendExtras: {},
    trendCols: {},
    trendKeys: {},
    trendColMaxLens: new Array<number>(trendStats.length).fill(0),
    trendStats,
    maxNonTrendValueLen: 0,
    nonTrendExtraMaxLens: [],
  };
  let names = Object.keys(metrics);
  if (o.sortByName) names = sortByName(names);
  for (const name of names) {
    const m = metrics[name]!;
    if (!truthyGlobal) maxNameWidth = Math.max(maxNameWidth as number, strWidth(ctx.indent(displayName(name))));
    if (m.type === 'trend') {
      const keys: Record<string, string> = {};
      for (const k of Object.keys(m.values)) if (!trendStats.includes(k)) keys[k] = trendValue(m.values[k], k, m, o);
      const cols = trendStats.map((s) => trendValue(m.values[s], s, m, o));
      cols.forEach((c, i) => (info.trendColMaxLens[i] = Math.max(info.trendColMaxLens[i]!, strWidth(c))));
      info.trendCols[name] = cols;
      info.trendKeys[name] = keys;
    } else {
      const values = nonTrendValues(m, o.summaryTimeUnit);
      info.nonTrendValues[name] = values[0]!;
      info.maxNonTrendValueLen = Math.max(info.maxNonTrendValueLen, strWidth(values[0]!));
      const extras = values.slice(1);
      info.nonTrendExtras[name] = extras;
      extras.forEach((v, i) => {
        const w = strWidth(v);
        const cur = info.nonTrendExtraMaxLens[i];
        if (cur === undefined || w > cur) info.nonTrendExtraMaxLens[i] = w;
      });
    }
  }
  info.maxNameWidth = maxNameWidth;
  return info;
}

function renderTrendData(name: string, info: SummaryInfo): string {
  return info.trendCols[name]!.map((col, i) => `${info.trendStats[i]}=${col}${' '.repeat(info.trendColMaxLens[i]! - strWidth(col))}`).join(' ');
}

function renderNonTrendData(name: string, info: SummaryInfo): string {
  const value = info.nonTrendValues[name]!;
  const extras = info.nonTrendExtras[name] ?? [];
  let out = value + ' '.repeat(info.maxNonTrendValueLen - strWidth(value));
  if (extras.length === 1) out += ` ${extras[0]}`;
  else if (extras.length > 1) {
    out += ` ${extras.map((v, i) => v + ' '.repeat(info.nonTrendExtraMaxLens[i]! - strWidth(v))).join(' ')}`;
  }
  return out;
}

function renderMetricLine(name: string, m: ReportMetric, info: SummaryInfo, ctx: RenderContext): string {
  const shown = displayName(name);
  const width = strWidth(shown) + strWidth(ctx.indentLevel());
  // NaN (the one-name case) makes '.'.repeat(NaN) print nothing.
  const dots = info.maxNameWidth === null ? 0 : Math.max(3, info.maxNameWidth - width + 3);
  const data = m.type === 'trend' ? renderTrendData(name, info) : renderNonTrendData(name, info);
  return ctx.indent(`${shown}${'.'.repeat(dots)}: ${data}`);
}

function renderMetrics(metrics: Record<string, ReportMetric>, info: SummaryInfo, ctx: RenderContext, o: Opts): string[] {
  let names = Object.keys(metrics);
  if (o.sortByName) names = sortByName(names);
  return names.map((n) => renderMetricLine(n, metrics[n]!, info, ctx));
}

function renderTitle(title: string, ctx: RenderContext, prefix = TITLE_PREFIX, suffix = '\n'): string {
  return ctx.indent(`${prefix} ${title} ${suffix}`);
}

function renderCheck(c: { name: string; passes: number; fails: number }, ctx: RenderContext): string {
  if (c.fails === 0) return ctx.indent(`${SUCCESS} ${c.name}`);
  const pct = Math.floor((100 * c.passes) / (c.passes + c.fails));
  const results = `${SUBTITLE_PREFIX}  ${pct}% — ${SUCCESS} ${c.passes} / ${FAIL} ${c.fails}`;
  return `${ctx.indent(`${FAIL} ${c.name}`)}\n${ctx.indent(results, ctx.base + 1)}`;
}

function renderChecks(checks: ReportChecks, ctx: RenderContext, o: Opts): string[] {
  const inner = ctx.indented(1);
  const lines = checks.ordered_checks
    .filter((c) => !(c.fails === 0 && !o.showPassedChecks) && !(c.fails > 0 && !o.showFailedChecks))
    .map((c) => renderCheck(c, inner));
  const metrics = checks.metrics as unknown as Record<string, ReportMetric>;
  const info = computeSummaryInfo(metrics, inner, o);
  return [...renderMetrics(metrics, info, inner, { ...o, sortByName: false }), '\n', ...lines];
}

function renderThresholdValue(m: ReportMetric, source: string, info: SummaryInfo): string {
  const agg = source.split(/[=><]/)[0]!.trim();
  let value: string | undefined;
  switch (m.type) {
    case 'trend': {
      const i = info.trendStats.indexOf(agg);
      value = i !== -1 ? info.trendCols[m.name]?.[i] : info.trendKeys[m.name]?.[agg];
      break;
    }
    case 'counter':
      value = agg === 'count' ? info.nonTrendValues[m.name] : info.nonTrendExtras[m.name]![0];
      break;
    default:
      value = info.nonTrendValues[m.name];
  }
  return `${agg}=${str(value)}`;
}

function renderThresholds(report: SummaryReport, ctx: RenderContext, o: Opts): string[] {
  const metrics: Record<string, ReportMetric & { thresholds: { source: string; ok: boolean }[] }> = {};
  for (const t of Object.values(report.thresholds)) metrics[t.metric.name] = { ...t.metric, thresholds: t.thresholds };
  let names = Object.keys(metrics);
  if (o.sortByName) names = sortByName(names);
  const info = computeSummaryInfo(metrics, ctx, o);
  const out: string[] = [];
  for (const name of names) {
    const parent = name.split('{', 1)[0]!;
    const isSub = name.length > parent.length;
    const parentShown = Object.hasOwn(metrics, parent);
    const inner = isSub && parentShown ? ctx.indented() : ctx;
    out.push(!isSub || !parentShown ? inner.indent(name) : inner.indent(name.substring(parent.length)));
    const m = metrics[name]!;
    for (const t of m.thresholds) {
      out.push(inner.indent([t.ok ? SUCCESS : FAIL, `'${t.source.trim()}'`, renderThresholdValue(m, t.source, info)].join(' ')));
    }
    out.push('\n');
  }
  return out;
}

class Builder {
  private readonly sections: { title: string; content: string[] }[] = [];
  private global: GlobalWidth = Number.NaN;

  constructor(
    private readonly ctx: RenderContext,
    private readonly o: Opts,
  ) {}

  computeGlobalWidth(report: SummaryReport): void {
    const all: Record<string, ReportMetric> = {};
    const collect = (groups: Record<string, SummaryReport['groups'][string]>) => {
      for (const g of Object.values(groups)) {
        Object.assign(all, ...Object.values(g.metrics));
        collect(g.groups);
      }
    };
    Object.assign(all, ...Object.values(report.metrics));
    collect(report.groups);
    collect(report.scenarios);
    const n = Object.keys(all).length;
    if (n === 0) throw new TypeError('Reduce of empty array with no initial value');
    this.global = n === 1 ? null : Number.NaN;
  }

  private metricsLines(metrics: ReportMetrics, ctx: RenderContext): string[] {
    const inner = ctx.indented(1);
    const all: Record<string, ReportMetric> = Object.assign({}, ...Object.values(metrics));
    const info = computeSummaryInfo(all, inner, this.o, this.global);
    const sections = (Object.entries(metrics) as [string, Record<string, ReportMetric>][])
      .filter(([, ms]) => Object.keys(ms).length > 0)
      .reduce<[string, Record<string, ReportMetric>][]>((acc, e) => (e[0] === 'custom' ? [e, ...acc] : [...acc, e]), []);
    return sections.flatMap(([name, ms]) => [inner.indent(name.toUpperCase()), ...renderMetrics(ms, info, inner, this.o), '\n']);
  }

  private checksLines(checks: ReportChecks | null, ctx: RenderContext): string[] {
    return checks ? [...renderChecks(checks, ctx, this.o), '\n'] : [];
  }

  private groupContent(g: SummaryReport['groups'][string], ctx: RenderContext): string[] {
    return [...this.checksLines(g.checks, ctx), ...this.metricsLines(g.metrics, ctx), ...this.nestedGroups(g.groups, ctx)];
  }

  private nestedGroups(groups: SummaryReport['groups'], ctx: RenderContext): string[] {
    const inner = ctx.indented(1);
    return Object.entries(groups).flatMap(([name, g]) => [
      renderTitle(`GROUP: ${name}`, inner, SUBTITLE_PREFIX, '\n'),
      ...this.groupContent(g, inner),
    ]);
  }

  add(report: SummaryReport): this {
    if (Object.keys(report.thresholds).length > 0) {
      this.sections.push({ title: 'THRESHOLDS', content: renderThresholds(report, this.ctx.indented(1), this.o) });
    }
    this.sections.push({
      title: 'TOTAL RESULTS',
      content: [...this.checksLines(report.checks, this.ctx), ...this.metricsLines(report.metrics, this.ctx)],
    });
    for (const [name, g] of Object.entries(report.groups)) {
      this.sections.push({ title: `GROUP: ${name}`, content: this.groupContent(g, this.ctx) });
    }
    for (const [name, s] of Object.entries(report.scenarios).sort(([a], [b]) => a.localeCompare(b))) {
      this.sections.push({ title: `SCENARIO: ${name}`, content: this.groupContent(s, this.ctx) });
    }
    return this;
  }

  build(): string {
    return this.sections
      .flatMap((s) => [renderTitle(s.title, this.ctx), ...s.content, '\n'])
      .reduce((acc, cur) => (cur === '\n' ? acc + cur : `${acc}\n${cur}`), '');
  }
}

/** k6's textSummary(report, options) with colours disabled. */
export function renderTextSummary(report: SummaryReport, options: TextSummaryOptions = {}): string {
  const o: Opts = {
    summaryTrendStats: options.summaryTrendStats ?? DEFAULT_SUMMARY_TREND_STATS,
    summaryTimeUnit: options.summaryTimeUnit ?? null,
    sortByName: options.sortByName ?? true,
    showPassedChecks: options.showPassedChecks ?? true,
    showFailedChecks: options.showFailedChecks ?? true,
  };
  const b = new Builder(new RenderContext(0), o);
  b.computeGlobalWidth(report);
  return b.add(report).build();
}

/** What k6 writes to stdout when there is no handleSummary. */
export function defaultSummaryStdout(report: SummaryReport, options: TextSummaryOptions = {}): string {
  return `\n${renderTextSummary(report, options)}\n\n`;
}
